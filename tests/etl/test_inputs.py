"""Reading and validating user CSVs: every case parses or is rejected with line and reason."""

import pytest

from etl import paths
from etl.boundaries import read_boundary_ids
from etl.inputs import (
    CENTRE_COLUMNS,
    CENTRE_OPTIONAL,
    DEPLOYMENT_COLUMNS,
    DEPLOYMENT_OPTIONAL,
    validate_centres,
    validate_deployments,
)
from etl.names import NameResolver
from etl.tables import InputError, read_csv_bytes


@pytest.fixture()
def names():
    ids = {r["iso3"] for r in read_boundary_ids(paths.BOUNDARY_IDS).values()}
    return NameResolver.from_csv(paths.ALIASES, ids)


def deployments(data: bytes, names):
    table = read_csv_bytes(data, "test.csv", DEPLOYMENT_COLUMNS, DEPLOYMENT_OPTIONAL)
    return validate_deployments(table, names)


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("utf-8", "country,centres\nTürkiye,3\n".encode()),
        ("utf-8 with BOM", "\ufeffcountry,centres\nTürkiye,3\n".encode()),
        ("cp1252", "country,centres\nTürkiye,3\n".encode("cp1252")),
        ("semicolon", "country;centres\nTürkiye;3\n".encode()),
        ("tab", "country\tcentres\nTürkiye\t3\n".encode()),
        ("CRLF", "country,centres\r\nTürkiye,3\r\n".encode()),
        ("quoted", '"country","centres"\n"Türkiye","3"\n'.encode()),
        ("whitespace", " country , Centres \n  Türkiye  ,  3  \n".encode()),
        ("no final newline", "country,centres\nTürkiye,3".encode()),
        ("extra columns", "id,country,centres,comment\n1,Türkiye,3,x\n".encode()),
        ("quoted comma in name", b'country;centres\n"Korea, Rep.";3\n'),
    ],
)
def test_formats_that_parse(names, label, data):
    merged, result = deployments(data, names)
    assert result.rejected == []
    iso3 = "KOR" if b"Korea" in data else "TUR"
    assert merged[iso3].centres == 3


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Narnia,3", "unknown country 'Narnia'"),
        (",3", "country is blank"),
        ("France,-2", "negative"),
        ("France,2.5", "fractional"),
        ("France,three", "not a number"),
        ("France,1e400x", "not a number"),
        ("France,3,maybe", "permit_status 'maybe' is not one of: approved, pilot, pending, none, unknown"),
        ("France,3,approved,twenty", "as_of 'twenty' is not a year"),
        (",,,", "blank row"),
    ],
)
def test_bad_rows_are_rejected_with_line_and_reason(names, row, reason):
    data = f"country,centres,permit_status,as_of\nGermany,1\n{row}\nItaly,2\n".encode()
    merged, result = deployments(data, names)
    assert [r.line for r in result.rejected] == [3]
    assert reason in result.rejected[0].reason
    assert set(merged) == {"DEU", "ITA"}


def test_blank_count_is_unknown_not_zero(names):
    merged, result = deployments(b"country,centres,permit_status\nVietnam,,pilot\nChad,0\n", names)
    assert result.rejected == []
    assert merged["VNM"].centres is None and merged["VNM"].permit_status == "pilot"
    assert merged["TCD"].centres == 0


def test_integral_decimal_counts_are_accepted(names):
    merged, _ = deployments(b"country,centres\nFrance,3.0\n", names)
    assert merged["FRA"].centres == 3


def test_same_country_twice_is_merged_and_listed(names):
    data = b"country,centres,permit_status\nUK,2,approved\nUnited Kingdom,3\nGBR,1,none\n"
    merged, result = deployments(data, names)
    assert merged["GBR"].centres == 6
    assert merged["GBR"].permit_status == "approved"
    assert merged["GBR"].lines == [2, 3, 4]
    assert result.duplicates[-1]["lines"] == [2, 3, 4]
    assert "conflicts" in result.duplicates[-1]["conflict"]


def test_line_numbers_count_physical_lines_with_multiline_quotes(names):
    data = b'country,centres,note\nFrance,1,"two\nlines"\nNarnia,1,x\n'
    _, result = deployments(data, names)
    assert [r.line for r in result.rejected] == [4]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"PK\x03\x04\x14\x00\x00\x00", "ZIP archive"),
        (b"country,centres\x00\x00\x01", "binary"),
        (b"country,permit_status\nFrance,approved\n", "missing required column(s) centres"),
        (b"name;count\nFrance;1\n", "missing required column(s) country, centres"),
        (b"country,centres\nFran\x81\x8d\x8f\x90\x9d,1\n", "neither UTF-8 nor Windows-1252"),
        (b"country,centres\n" + b"x" * 200_000 + b"\n", "not valid CSV"),
        (b",".join(b"c%d" % i for i in range(10_000)) + b"\n", "10,000 columns"),
    ],
)
def test_unusable_files_get_one_clear_message(data, message):
    with pytest.raises(InputError) as err:
        read_csv_bytes(data, "upload.csv", DEPLOYMENT_COLUMNS, DEPLOYMENT_OPTIONAL)
    assert message in str(err.value)
    assert str(err.value).startswith("upload.csv")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Site A,Narnia,1,2", "unknown country"),
        ("Site A,France,95,2", "lat '95' is outside -90..90"),
        ("Site A,France,45,200", "lon '200' is outside -180..180"),
        ("Site A,France,,2", "lat is blank"),
        ("Site A,France,north,2", "lat 'north' is not a number"),
        (",France,45,2", "site is blank"),
        ("Site A,France,45,2,1066", "first_year '1066' is not a year"),
    ],
)
def test_bad_centre_rows(names, row, reason):
    data = f"site,country,lat,lon,first_year\nGood,France,45,2,2020\n{row}\n".encode()
    table = read_csv_bytes(data, "c.csv", CENTRE_COLUMNS, CENTRE_OPTIONAL)
    centres, result = validate_centres(table, names)
    assert len(centres) == 1
    assert [r.line for r in result.rejected] == [3]
    assert reason in result.rejected[0].reason
    assert result.count_read == len(centres) + result.count_rejected
