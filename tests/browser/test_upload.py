"""Uploading one's own data in the page: per tab only, rejected rows listed, text stays text."""

import pytest

pytestmark = pytest.mark.browser

UPLOAD_CSV = (
    "country;centres;permit_status;source\r\n"
    "Viet Nam;7;approved;My registry\r\n"
    "Narnia;3;;My registry\r\n"
    "France;-1;;My registry\r\n"
    "<img src=x onerror=alert(1)>;2;;<script>alert(2)</script>\r\n"
    "Kenya;4;pilot;<b>bold</b>\r\n"
)


def upload(page, tmp_path, name, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    page.set_input_files("#upload input[type=file]", str(path))


def test_upload_replaces_counts_for_this_tab_and_lists_rejections(
    watched, browser, server_url, tmp_path, atlas
):
    shipped_total = str(len(atlas.centres))
    dialogs = []
    watched.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    watched.goto("/")
    page = watched.page
    upload(page, tmp_path, "mine.csv", UPLOAD_CSV.encode())
    page.wait_for_selector(".upload-summary", timeout=15_000)
    watched.wait_idle()
    status = page.inner_text("#upload-status")
    assert "2 of 5 rows used" in status and "3 rejected" in status
    assert "Centres read 16 = on the map 11 + rejected 5" in status
    table = page.inner_text(".rejected")
    assert "3\tunknown country 'Narnia'" in table
    assert "4\tcount '-1' is negative" in table
    assert "<img src=x onerror=alert(1)>" in table  # shown literally, as text
    kpis = page.inner_text("#kpis")
    assert "11" in kpis and "of 240 countries shown" in kpis

    # Another user (another browser context) still sees the shipped data.
    other = browser.new_context(viewport={"width": 1280, "height": 800})
    p2 = other.new_page()
    p2.goto(server_url + "/")
    p2.wait_for_function("() => document.querySelectorAll('#map .choroplethlocation').length > 100")
    p2.wait_for_timeout(800)
    assert shipped_total in p2.inner_text("#kpis") and p2.inner_text("#upload-status") == ""
    other.close()

    # Downloads of this tab reflect the upload.
    with page.expect_download() as info:
        page.click("#download-csv")
    path = tmp_path / "d.csv"
    info.value.save_as(path)
    text = path.read_text()
    assert "VNM,Vietnam,Asia,South-eastern Asia,true,,7,reported count,0,approved" in text
    assert "ITA,Italy,Europe,Southern Europe,true,2019,,,0,unknown" in text  # shipped counts gone

    # So do this session's API answers (the signed session cookie carries the upload) ...
    api = page.request.get(server_url + "/api/coverage.csv?region=Asia").text()
    assert "VNM,Vietnam,Asia,South-eastern Asia,true,,7,reported count,0,approved" in api
    # ... but not another browser's.
    fresh = browser.new_context()
    assert ",7,reported count," not in fresh.request.get(server_url + "/api/coverage.csv?region=Asia").text()
    fresh.close()

    page.click("#user-reset")
    page.wait_for_function("() => document.querySelector('#upload-status').innerText === ''")
    watched.wait_idle()
    assert shipped_total in page.inner_text("#kpis")
    assert ",7,reported count," not in page.request.get(server_url + "/api/coverage.csv?region=Asia").text()
    assert dialogs == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(100), "this is a PNG image, not a CSV text file"),
        ("wide.csv", b",".join(b"c%d" % i for i in range(10_000)) + b"\n", "10,000 columns; at most 200"),
        ("bomb.xlsx", None, "refused as a possible ZIP bomb"),
        ("notes.pdf", b"%PDF-1.4", "expected a .csv or .xlsx file"),
    ],
)
def test_hostile_uploads_get_a_clear_message(watched, tmp_path, name, content, message, atlas):
    if content is None:
        import io
        import zipfile

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/workbook.xml", b"<x/>")
            z.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
        content = buf.getvalue()
    watched.goto("/")
    upload(watched.page, tmp_path, name, content)
    watched.page.wait_for_selector(".upload-error", timeout=20_000)
    assert message in watched.page.inner_text(".upload-error")
    assert str(len(atlas.centres)) in watched.page.inner_text("#kpis")  # still the shipped data
