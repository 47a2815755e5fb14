"""Values and names at the edges of the type rules, as agencies' files hold them: each
column keeps every value as published, and no file ends in "an error on our side"."""

import pytest

from datasets.models import IngestJob
from tests.datasets.ingest_helpers import ingest_bytes, rows_of, types_of

pytestmark = pytest.mark.django_db


def _published(job, resource):
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    return resource.current_version


def test_long_numeric_codes_keep_every_digit():
    # 20-digit registered-mail numbers: as floats they would end ...567900.
    data = b"tracking,weight\n12345678901234567891,1.5\n98765432109876543211,2\n"

    version = _published(*ingest_bytes(data))

    assert types_of(version) == {"tracking": "text", "weight": "number"}
    assert [r["tracking"] for r in rows_of(version)] == [
        "12345678901234567891",
        "98765432109876543211",
    ]


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        # Whole numbers a float holds exactly stay numbers beside decimals.
        (["100000000000000000000", "1.5"], "number"),
        (["123456789012345", "1.5"], "number"),
        # Sixteen significant digits do not survive a float: text.
        (["1234567890123456", "1.5"], "text"),
        (["1,234,567,890,123,456", "1.5"], "text"),
        # A thousands-separated whole number past 64 bits is no integer either.
        (["1,234,567,890,123,456,789,012", "5"], "text"),
        (["9,223,372,036,854,775,807", "5"], "integer"),
    ],
)
def test_numbers_are_typed_only_when_no_digit_is_lost(values, kind):
    data = ("n\n" + "\n".join(f'"{v}"' for v in values) + "\n").encode()

    version = _published(*ingest_bytes(data))

    assert types_of(version)["n"] == kind
    if kind == "text":
        assert [r["n"] for r in rows_of(version)] == values


def test_a_time_with_an_impossible_utc_offset_leaves_the_column_text():
    # +80:00 is a typo for +08:00: no zone is more than 14 hours from UTC.
    good = "".join(f"{n},2024-01-05 10:{n:02d}:00+08:00\n" for n in range(10))
    data = f"name,reported\n{good}typo,2024-01-05 11:00:00+80:00\n".encode()

    version = _published(*ingest_bytes(data))

    assert types_of(version)["reported"] == "text"
    assert rows_of(version)[10]["reported"] == "2024-01-05 11:00:00+80:00"
    (hint,) = [w for w in version.report["warnings"] if "reported" in w["message"]]
    assert "row 12" in hint["message"] and "+80:00" in hint["message"]


def test_the_furthest_zones_are_still_datetimes():
    data = b"at\n2024-01-05 10:00:00+14:00\n2024-01-05 10:00:00-1200\n"

    version = _published(*ingest_bytes(data))

    assert types_of(version)["at"] == "datetime"


def test_null_tokens_padded_on_either_side_mean_no_value():
    # Fixed-width exports pad their fields with spaces after the value.
    data = "name,count\na,1\nb,-  \nc,  -\nd,N/A\u3000\ne,3\n".encode()

    version = _published(*ingest_bytes(data))

    assert types_of(version)["count"] == "integer"
    assert [r["count"] for r in rows_of(version)] == [1, None, None, None, 3]


def test_columns_named_like_postgresql_system_columns_get_their_own_ids():
    # Bounding boxes: xmin and xmax are names PostgreSQL keeps for itself.
    data = "行政區,xmin,ymin,xmax,ymax,ctid\n中正區,121.49,25.01,121.53,25.05,7\n".encode()

    version = _published(*ingest_bytes(data))

    assert [c["id"] for c in version.columns] == [
        "col_1", "c_xmin", "ymin", "c_xmax", "ymax", "c_ctid",
    ]  # fmt: skip
    assert [c["label"] for c in version.columns][1] == "xmin"
    assert rows_of(version)[0]["c_xmax"] == 121.53


@pytest.mark.parametrize(
    ("data", "name"),
    [
        # A legacy export padding a field with NUL bytes, far down or in the first bytes
        # (sniffed for the file's kind: a few NULs in text do not make it binary).
        ("".join(f"{i},name{i}\n" for i in range(3000)) + "3000,abc\x00\x00\n", "legacy.csv"),
        ("0,abc\x00\x00\n" + "".join(f"{i},name{i}\n" for i in range(1, 3001)), "early.csv"),
        ('[{"id": 1, "name": "a"}, {"id": 2, "name": "b\\u0000c"}]', "rows.json"),
    ],
)
def test_nul_characters_are_left_out_and_reported(data, name):
    if name.endswith(".csv"):
        data = "id,name\n" + data

    version = _published(*ingest_bytes(data.encode(), name))

    stored = [r["name"] for r in rows_of(version)]
    assert (stored[0] if name == "early.csv" else stored[-1]) in ("abc", "bc")
    (warning,) = [w for w in version.report["warnings"] if w["code"] == "nul-character"]
    row = {"legacy.csv": 3002, "early.csv": 2}.get(name, 2)
    assert warning["row"] == row and warning["column"] == 2
    assert f"row {row}, column 2" in warning["message"]


def test_a_workbook_column_of_dates_and_times_with_one_at_midnight_stays_datetime():
    import io
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["通報時間", "件數"])
    sheet.append([datetime(2024, 1, 5, 10, 30), 1])
    sheet.append([datetime(2024, 1, 6, 0, 0), 2])  # read back as the date alone
    sheet.append([datetime(2024, 1, 7, 15, 45, 10), 3])
    out = io.BytesIO()
    book.save(out)

    version = _published(*ingest_bytes(out.getvalue(), "reports.xlsx"))

    assert types_of(version)["通報時間"] == "datetime"
    assert [str(r["col_1"])[:19] for r in rows_of(version)][1] in (
        "2024-01-05 16:00:00",  # PostgreSQL: the instant, in UTC
        "2024-01-05T16:00:00",  # SQLite: ISO text in UTC
    )


def test_dates_among_times_are_their_midnights_either_way(monkeypatch):
    from tests.datasets.test_ingest_columnar import _assert_same, _both_ways

    data = b"at,n\n2024-01-05 10:30,1\n2024/01/06,2\n2024-01-07T15:45:10Z,3\n"

    staged, fast, slow = _both_ways(monkeypatch, data)

    assert staged[0] is not None and types_of(fast)["at"] == "datetime"
    _assert_same(fast, slow)


def _wide_csv(columns: int) -> bytes:
    header = ",".join(f"v{i}" for i in range(columns))
    rows = "\n".join(",".join(str(r * columns + i) for i in range(columns)) for r in range(3))
    return f"{header}\n{rows}\n".encode()


def test_the_widest_table_loads_with_a_histogram_for_every_column():
    from datasets.ingest.pipeline import MAX_COLUMNS

    version = _published(*ingest_bytes(_wide_csv(MAX_COLUMNS)))

    assert version.row_count == 3 and len(version.columns) == MAX_COLUMNS
    assert rows_of(version)[2][f"v{MAX_COLUMNS - 1}"] == 3 * MAX_COLUMNS - 1
    histograms = [c["histogram"] for c in version.profile["columns"].values()]
    assert len(histograms) == MAX_COLUMNS and all(histograms)


def test_a_wider_table_is_refused_saying_how_to_load_it():
    from datasets.ingest.pipeline import MAX_COLUMNS

    job, _resource = ingest_bytes(_wide_csv(MAX_COLUMNS + 1))

    assert job.status == IngestJob.Status.FAILED and job.error_code == "source-error"
    assert f"{MAX_COLUMNS + 1} columns; at most {MAX_COLUMNS}" in job.error
    assert "Split it" in job.error


def _names_with_a_user_defined_character() -> bytes:
    lines = "姓名,地址,人數\n" + "".join(
        f"王小明{i},臺北市中正區重慶南路{i}號,{i}\n" for i in range(50)
    )
    # 0xFA40, the first of CP950's user-defined characters (造字), on row 7.
    return lines.encode("cp950").replace(
        "王小明5,".encode("cp950"), "王".encode("cp950") + b"\xfa\x40" + "明5,".encode("cp950")
    )


def test_a_user_defined_character_is_kept_as_windows_reads_it_and_pointed_out(monkeypatch):
    from tests.datasets.test_ingest_columnar import _assert_same, _both_ways

    staged, fast, slow = _both_ways(monkeypatch, _names_with_a_user_defined_character())

    assert staged[0] is not None  # the columnar route read it, not only its fallback
    _assert_same(fast, slow)
    assert fast.encoding == "cp950"
    assert rows_of(fast)[5]["col_1"] == "王\ue000明5"  # U+E000, as on Windows
    (warning,) = [w for w in fast.report["warnings"] if w["code"] == "user-defined-character"]
    assert (
        warning["row"] == 7
        and "造字, user-defined in CP950): 1, the first in row 7" in warning["message"]
    )


def test_a_user_defined_character_is_read_when_the_publisher_chose_big5():
    job, resource = ingest_bytes(
        _names_with_a_user_defined_character(), ingest_options={"encoding": "big5"}
    )

    version = _published(job, resource)
    assert rows_of(version)[5]["col_1"] == "王\ue000明5"
