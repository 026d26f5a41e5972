"""Per-session uploads: validated by the ETL's rules; data from the browser is untrusted."""

import base64
import io
import json

import openpyxl
import pytest

from dashboard.filters import FilterState, apply_filters
from dashboard.userdata import data_key, parse_upload, user_atlas


def data_url(content: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(content).decode()


def test_csv_upload_overrides_counts_and_statuses(atlas):
    result = parse_upload(
        data_url(b"country,centres,permit_status\nViet Nam,7,approved\nChad,0,none\nNarnia,2\n"), "m.csv"
    )
    assert result["summary"]["rows_used"] == 2 and result["summary"]["rejected"][0]["line"] == 4
    mine = user_atlas(atlas, result)
    by = {c["iso3"]: c for c in apply_filters(mine, FilterState()).countries}
    assert by["VNM"]["centres_shown"] == 7 and by["VNM"]["permit_status"] == "approved"
    assert by["TCD"]["centres_shown"] == 0 and by["TCD"]["permit_status"] == "none"
    assert by["ITA"]["centres_shown"] is None  # the upload is the whole picture
    assert mine.centres == ()
    assert data_key(result) and data_key(None) == ""
    # The shipped atlas is untouched.
    assert {c["iso3"]: c for c in atlas.countries}["ITA"]["centres"] == 2


def test_xlsx_upload(atlas):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Country", "Centres", "Permit_status"])
    sheet.append(["Kenya", 3, "pilot"])
    sheet.append(["Korea, Rep.", 2.0, None])
    sheet.append(["Nowhere", 1, None])
    buf = io.BytesIO()
    book.save(buf)
    result = parse_upload(data_url(buf.getvalue()), "mine.xlsx")
    assert result["summary"]["rows_used"] == 2
    assert [r["line"] for r in result["summary"]["rejected"]] == [4]
    assert result["records"]["KOR"]["centres"] == 2


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(50), "photo.csv", "PNG image"),
        (b"country,centres\n" + b"a" * (5 * 1024 * 1024 + 10), "big.csv", "at most 5,242,880 bytes"),
        (b"country,centres\n" + b"x" * 300_000 + b",1\n", "longline.csv", "not valid CSV"),
        (b"country,centres\nFran\x81\x8d\x8f\x90\x9d,1\n", "bad.csv", "neither UTF-8 nor Windows-1252"),
        (b"PK\x03\x04junk", "broken.xlsx", "damaged XLSX/ZIP archive"),
        (b"country,centres\n" + b"France,1\n" * 10_001, "many.csv", "more than 10,000 data rows"),
        (b"hello", "notes.pdf", "expected a .csv or .xlsx file"),
    ],
)
def test_hostile_uploads_are_refused_with_a_clear_message(content, name, message):
    result = parse_upload(data_url(content), name)
    assert message in result["error"]


def test_malformed_data_urls_and_names():
    assert "malformed" in parse_upload("no comma here", "x.csv")["error"]
    assert "could not be decoded" in parse_upload("data:;base64,@@@@", "x.csv")["error"]
    assert (
        parse_upload(data_url(b"country,centres\nFrance,1\n"), "../../etc/passwd.csv")["summary"]["file"]
        == "passwd.csv"
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        "string",
        {"records": []},
        {"records": {"FRA": {"centres": -1, "permit_status": "approved"}}},
        {"records": {"FRA": {"centres": "3", "permit_status": "approved"}}},
        {"records": {"FRA": {"centres": 3, "permit_status": "<script>"}}},
        {"records": {"FRA": {"centres": 3, "permit_status": "approved", "sources": [1]}}},
        {"records": {"FRA": {"centres": True, "permit_status": "approved"}}},
    ],
)
def test_untrusted_session_data_of_the_wrong_shape_falls_back_to_shipped(atlas, data):
    assert user_atlas(atlas, data) is atlas


def test_session_copy_round_trips_and_is_small(atlas):
    from dashboard.userdata import from_session, to_session

    rows = "".join(
        f"{c['iso3']},{i % 50},{'approved' if i % 3 else 'pending'},2020\n"
        for i, c in enumerate(atlas.countries)
        if len(c["iso3"]) == 3 and not c["iso3"].startswith("X")
    )
    result = parse_upload(data_url(("country,centres,permit_status,as_of\n" + rows).encode()), "all.csv")
    packed = to_session(result)
    assert packed is not None and len(json.dumps(packed)) <= 3000
    back = from_session(packed)
    assert {k: (v["centres"], v["permit_status"], v["as_of"]) for k, v in back["records"].items()} == {
        k: (v["centres"], v["permit_status"], v["as_of"]) for k, v in result["records"].items()
    }


@pytest.mark.parametrize(
    "packed", [None, {}, {"r": 3}, {"r": "FRA:x:a:"}, {"r": "FRA:1:?:"}, {"r": "FRA:1:a"}]
)
def test_tampered_session_copies_are_ignored(packed):
    from dashboard.userdata import from_session

    assert from_session(packed) is None


def test_api_follows_the_session_upload():
    import app as app_module
    from dashboard.userdata import SESSION_KEY, to_session

    client = app_module.server.test_client()
    result = parse_upload(data_url(b"country,centres,permit_status\nViet Nam,7,approved\n"), "m.csv")
    with client.session_transaction() as sess:
        sess[SESSION_KEY] = to_session(result)
    r = client.get("/api/coverage.csv?region=Asia")
    assert "VNM,Vietnam,Asia,South-eastern Asia,true,,7,reported count,0,approved" in r.get_data(as_text=True)
    assert r.headers["Cache-Control"] == "private, no-store"
    other = app_module.server.test_client()
    assert ",7,reported count," not in other.get("/api/coverage.csv?region=Asia").get_data(as_text=True)


def test_a_country_without_a_feature_is_rejected_not_dropped(atlas):
    content = b"country,centres\nTuvalu,2\nFrance,1\nTuvalu,1\n"
    result = parse_upload(data_url(content), "m.csv", known=set(atlas.by_iso3))
    s = result["summary"]
    assert [r["line"] for r in s["rejected"]] == [2, 4]
    assert "TUV is not on this map" in s["rejected"][0]["reason"]
    assert s["centres_read"] == s["centres_on_map"] + s["centres_rejected"] == 4
    assert set(result["records"]) == {"FRA"}
