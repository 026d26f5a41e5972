"""Property-based tests of the CSV reader: parse or clear error, never a crash; totals reconcile."""

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import paths
from etl.boundaries import read_boundary_ids
from etl.inputs import DEPLOYMENT_COLUMNS, DEPLOYMENT_OPTIONAL, validate_deployments
from etl.names import NameResolver
from etl.tables import InputError, read_csv_bytes

IDS = {r["iso3"] for r in read_boundary_ids(paths.BOUNDARY_IDS).values()}
NAMES = NameResolver.from_csv(paths.ALIASES, IDS)
COUNTRIES = ["France", "Viet Nam", "Korea, Rep.", "UK", "Türkiye", "Narnia", "", "DEU", "12"]
COUNTS = st.one_of(
    st.integers(-5, 500).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "three", "1e3", "2.0", "-0", "0x10", "٣"]),
    st.text(max_size=8),
)
STATUSES = st.sampled_from(["", "approved", "Pilot", " none ", "unknown", "maybe", "pending"])


def check(data: bytes) -> None:
    try:
        table = read_csv_bytes(data, "fuzz.csv", DEPLOYMENT_COLUMNS, DEPLOYMENT_OPTIONAL)
    except InputError as exc:
        assert str(exc).startswith("fuzz.csv")
        return
    merged, result = validate_deployments(table, NAMES)
    used = result.rows_read - len(result.rejected)
    assert result.rows_read == used + len(result.rejected)
    on_map = sum(d.centres or 0 for d in merged.values())
    assert result.count_read == on_map + result.count_rejected
    for r in result.rejected:
        assert r.line >= 2 and r.reason


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_parse_or_fail_clearly(data):
    check(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400).map(lambda b: b"country,centres\n" + b))
def test_arbitrary_bytes_after_a_good_header(data):
    check(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(st.sampled_from(COUNTRIES), COUNTS, STATUSES), max_size=30),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_well_formed_tables_always_reconcile(rows, delimiter, encoding, newline):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerow(["country", "centres", "permit_status"])
    writer.writerows(rows)
    try:
        data = buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        data = buf.getvalue().encode("utf-8")
    check(data)
