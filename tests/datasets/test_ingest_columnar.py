"""The columnar (DuckDB) path gives exactly what the row-by-row Python path gives.

Each file is ingested twice: once as the pipeline chooses (clean delimited text goes the
columnar way, which the test checks happened) and once with the columnar path switched
off. Types, every stored value (the full-text column included), the profile, the
personal-data findings and the report must match.
"""

import errno
import json
import math
import random
import re
from datetime import date, datetime, timedelta

import duckdb
import pytest
from django.db import connections
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from datasets.ingest import columnar, pipeline, types
from datasets.models import IngestJob
from tests.datasets.ingest_helpers import (
    ingest,
    ingest_bytes,
    resource_with_file,
    rows_of,
    types_of,
)

pytestmark = pytest.mark.django_db

MIXED = (
    "代碼,人口,面積,日期,民國日期,時間,啟用,位置,說明,空,信箱,斜線日期\n"
    '007,"1,234",7.5,2024-01-05,113/01/05,2024-01-05 10:11:12,是,POINT (121.5 25.04),'
    "臺北市政府資訊局 Open Data,,a@example.org,2024/1/5\n"
    "010,N/A,-3.25e2,2023-12-31,民國112年12月31日,2024-01-05T10:11:12.5+0800,否,"
    'POINT (121.56789 25.0),"公車 ""站"", bus stop",,b@example.org,2023/12/31\n'
    "011,  -,.5,2020-02-29,109/2/29,2024-01-05 23:59:59Z,是,POINT (-0.5 -1),"
    "捷運,, c@example.org ,1999/01/01\n"
    "012,42,0,2021-07-01,110.07.01,1975-06-01 10:00:00,否,POINT (0 0),library 圖書館,,"
    "d@example.org,2021/07/01\n"
)
DECIMAL_COMMA = "Město;Počet;Cena\nPraha;1;1.234,5\nBrno;22;0,75\nOstrava;333;12\n"
# Past the personal-data sample (10,000 values): e-mails only in the first 4,000 rows.
SAMPLED = "id,contact\n" + "".join(
    f"{i},{f'user{i}@example.org' if i <= 4000 else f'none given {i}'}\n" for i in range(1, 12001)
)
LONG = "id,value,label,flag\n" + "".join(
    f"{i},{i * 1.5 if i % 7 else ''},類別{i % 3} item {i},{'true' if i % 2 else 'false'}\n"
    for i in range(1, 2501)
)

# Full-text edge cases: digits inside words, other numerals, full-width digits, and a cell
# past the indexed length (cut mid-run), which both paths must cut the same way.
TOKENS = (
    "id,text,note\n"
    "1,台北101大樓 B2 a123b ²x Ⅻ １２ İstanbul ΟΔΟΣ ς,call 0912-345-678\n"
    '2,"x' + "臺北市 abc 12345 " * 7000 + '",短\n'
    "3,,\n"
)


# Dates until one typo far down (past the rows Python's inference samples); codes whole
# numbers until a letter O early on: both columns end up text, each with a hint.
TURNED_TEXT = "id,day,code\n" + "".join(
    f"{i},{'2024-13-40' if i == 2500 else date(2020, 1, 1) + timedelta(days=i)},"
    f"{'4O' if i == 40 else i}\n"
    for i in range(1, 3001)
)


def _profiles_match(columnar_profile: dict, python_profile: dict) -> None:
    assert columnar_profile.keys() == python_profile.keys()
    for key, expected in python_profile["columns"].items():
        got = dict(columnar_profile["columns"][key])
        expected = dict(expected)
        # Summation order differs between the engines; the mean may differ in the last bits.
        if "mean" in expected:
            assert math.isclose(got.pop("mean"), expected.pop("mean"), rel_tol=1e-12)
        assert got == expected, key


def _fts_of(version) -> list:
    connection = connections["default"]
    quote = connection.ops.quote_name
    column = "_fts::text" if connection.vendor == "postgresql" else "_fts"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {quote(version.table_name)} ORDER BY _id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def _both_ways(monkeypatch, data: bytes, name: str = "data.csv", **fields):
    staged = []
    stage = columnar.stage

    def recording_stage(**kwargs):
        result = stage(**kwargs)
        staged.append(result)
        return result

    monkeypatch.setattr(columnar, "stage", recording_stage)
    fast_job, _fast = ingest_bytes(data, name, **fields)
    monkeypatch.setattr(columnar, "eligible", lambda *args: False)
    slow_job, _slow = ingest_bytes(data, name, **fields)
    assert fast_job.status == slow_job.status == IngestJob.Status.SUCCEEDED, (
        fast_job.error or slow_job.error
    )
    # job.version rather than current_version: a version with personal data waits for
    # an editor's decision before it goes live.
    return staged, fast_job.version, slow_job.version


def _assert_same(fast, slow) -> None:
    assert fast.columns == slow.columns
    assert fast.row_count == slow.row_count
    assert rows_of(fast) == rows_of(slow)
    assert _fts_of(fast) == _fts_of(slow)
    _profiles_match(fast.profile, slow.profile)
    assert fast.personal_data_findings == slow.personal_data_findings
    assert fast.report == slow.report


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (MIXED.encode(), "mixed.csv"),
        (("\ufeff" + MIXED).encode(), "bom.csv"),
        (MIXED.replace(",", "\t").encode("utf-16"), "mixed.tsv"),
        (DECIMAL_COMMA.encode("cp1250"), "decimal-comma.csv"),
        ("名稱,金額\n碁盤街,1000\n銹色館,20\n".encode("cp950"), "cp950.csv"),
        (LONG.encode(), "long.csv"),
        (SAMPLED.encode(), "sampled.csv"),
        (TOKENS.encode(), "tokens.csv"),
        (LONG.replace("\n", "\r\n").rstrip().encode(), "crlf.csv"),
        # Past the first rows Python's inference sees: found by the SQL pass, last chunk.
        ((LONG + "2501,1.5x,late,maybe\n").encode(), "late-misfit.csv"),
        (TURNED_TEXT.encode(), "turned-text.csv"),
    ],
    ids=[
        "mixed",
        "utf8-bom",
        "utf16-tsv",
        "cp1250-decimal-comma",
        "cp950",
        "long",
        "pii-sample",
        "full-text-tokens",
        "crlf-no-final-line-end",
        "late-misfit",
        "turned-text",
    ],
)
def test_columnar_path_matches_the_python_path(monkeypatch, data, name):
    staged, fast, slow = _both_ways(monkeypatch, data, name)

    assert staged and staged[0] is not None, "the clean file should go the columnar way"
    _assert_same(fast, slow)


def test_cp950_with_greek_letters_reads_the_same_both_ways(monkeypatch):
    data = "檢定,統計量,結果\nχ2檢定,3.2,○\nα值,0.05,×\nβ值,0.2,○\n".encode("cp950")

    staged, fast, slow = _both_ways(monkeypatch, data, "stats.csv")

    assert staged and staged[0] is not None
    _assert_same(fast, slow)
    assert fast.encoding == "cp950"  # was Shift-JIS: "ﾀﾋｩw" for 檢定
    assert [c["label"] for c in fast.columns] == ["檢定", "統計量", "結果"]
    assert [r["col_1"] for r in rows_of(fast)] == ["χ2檢定", "α值", "β值"]


def test_classic_mac_line_ends_read_the_same_both_ways(monkeypatch):
    data = LONG.replace("\n", "\r").encode()

    staged, fast, slow = _both_ways(monkeypatch, data, "mac.csv")

    assert staged and staged[0] is not None
    _assert_same(fast, slow)
    assert fast.row_count == 2500  # was refused: "new-line character seen in unquoted field"
    assert rows_of(fast)[-1]["label"] == "類別1 item 2500"


def test_full_width_digits_are_digits_and_other_scripts_digits_text(monkeypatch):
    from datasets.ingest.downloads import version_downloads_write

    # Python's \d and int() take any script's digits; the SQL's [0-9], PostgreSQL and the
    # Parquet writer do not. A date column once stored "２０２４-01-05" as it was.
    data = (
        "整數,數值,日期,時間,阿拉伯數字,位置\n"
        "1,1.5,2024-01-05,2024-01-05 10:11:12,1,POINT (121.5 25.04)\n"
        "１２３,１.５,２０２４-01-05,2024-01-05 １０:11:12,١٢٣,POINT (１ 2)\n"
    ).encode()

    staged, fast, slow = _both_ways(monkeypatch, data, "digits.csv")

    assert staged == [None]  # the columnar path leaves full-width digits to Python
    _assert_same(fast, slow)
    assert list(types_of(slow).values()) == [
        "integer", "number", "date", "datetime", "text", "text"
    ]  # fmt: skip
    row = list(rows_of(slow)[1].values())
    assert row[:2] == [123, 1.5] and str(row[2]) == "2024-01-05"  # a date on PostgreSQL
    assert row[4:] == ["١٢٣", "POINT (１ 2)"]
    assert set(version_downloads_write(version=slow)) >= {"csv", "parquet"}


def _instant(value) -> datetime:
    """A stored datetime as an aware datetime (SQLite keeps the ISO text)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


@pytest.mark.parametrize(
    ("zone", "times"),
    [
        (
            "Asia/Taipei",
            {
                # Daylight saving time ended at midnight: 23:00-24:00 came twice.
                "1979-09-30 23:30:00": "1979-09-30T14:30:00+00:00",
                "1979/9/30 23:30": "1979-09-30T14:30:00+00:00",
                "1975-06-01 10:00:00": "1975-06-01T01:00:00+00:00",  # summer time
                "1890-01-01 00:00:00": "1889-12-31T15:54:00+00:00",  # local mean time
                "2024-01-05 10:11:12": "2024-01-05T02:11:12+00:00",
            },
        ),
        (
            "America/New_York",
            {
                "2024-11-03 01:30:00": "2024-11-03T05:30:00+00:00",  # the repeated hour
                "2024/11/3 1:30:00.5": "2024-11-03T05:30:00.500000+00:00",
                "2024-03-10 02:30:00": "2024-03-10T07:30:00+00:00",  # the skipped hour
                "2024-07-01 12:00:00": "2024-07-01T16:00:00+00:00",
                "1850-01-01 00:00:00": "1850-01-01T04:56:02+00:00",
            },
        ),
    ],
)
def test_local_times_around_clock_changes_are_the_same_instants_either_way(
    monkeypatch, settings, zone, times
):
    # A time without zone is local time; in the hour that comes twice when the clocks go
    # back it is the first one (Python's fold=0), whichever path reads the file.
    settings.TIME_ZONE = zone
    data = "n,at\n" + "".join(f"{n},{at}\n" for n, at in enumerate(times))

    staged, fast, slow = _both_ways(monkeypatch, data.encode())

    assert staged and staged[0] is not None
    _assert_same(fast, slow)
    assert [_instant(row["at"]) for row in rows_of(fast)] == [
        datetime.fromisoformat(instant) for instant in times.values()
    ]


def test_a_local_time_whose_offset_only_python_knows_goes_the_python_way(monkeypatch, settings):
    # New York's clocks change every year by a rule: past 2200 only Python works it out.
    settings.TIME_ZONE = "America/New_York"
    data = b"n,at\n1,2024-07-01 12:00:00\n2,2250-07-01 12:00:00\n"

    staged, fast, _slow = _both_ways(monkeypatch, data)

    assert staged == [None]
    assert [_instant(row["at"]) for row in rows_of(fast)] == [
        datetime.fromisoformat("2024-07-01T16:00:00+00:00"),
        datetime.fromisoformat("2250-07-01T16:00:00+00:00"),
    ]


@st.composite
def _datetime_texts(draw) -> str:
    """Date and time spellings around the valid ones: months, days, hours and minutes a
    little past their range, years from 1 to 9999, fractions, zones or none."""
    year = draw(st.one_of(st.integers(1, 9999), st.integers(1880, 2100)))
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    hour, minute, second = (
        draw(st.integers(0, 25)),
        draw(st.integers(0, 60)),
        draw(st.integers(0, 60)),
    )
    width, sep = draw(st.sampled_from([1, 2])), draw(st.sampled_from(["-", "/"]))
    text = f"{year:04}{sep}{month:0{width}}{sep}{day:0{width}}{draw(st.sampled_from('T '))}"
    text += f"{hour:0{width}}:{minute:02}"
    if draw(st.booleans()):
        text += f":{second:02}" + draw(st.sampled_from(["", ".5", ".123456", ".0000001"]))
    return text + draw(st.sampled_from(["", "", "", "Z", "+08:00", "-0530", " +09:00"]))


@pytest.mark.parametrize("zone", ["Asia/Taipei", "America/New_York"])
@hypothesis_settings(deadline=None, max_examples=25)  # a query of ~100 KB SQL each
@given(texts=st.lists(_datetime_texts(), min_size=1, max_size=100))
def test_sql_datetimes_are_python_datetimes_or_left_to_python(zone, texts):
    # Every datetime the columnar path converts is exactly what types.to_datetime gives;
    # what it cannot convert goes the Python way (past 2200 where clocks still change).
    with override_settings(TIME_ZONE=zone), duckdb.connect() as con:
        sql = columnar.convert("datetime", "s", decimal_comma=False)
        converted = con.execute(
            f"SELECT s, {sql} FROM (SELECT unnest(?::VARCHAR[]) AS s)",  # noqa: S608
            [texts],
        ).fetchall()
        _first, _steps, unknown_from = types.local_offsets(zone)
        expected = {text: _python_datetime(text) for text in texts}
    assert len(converted) == len(texts)
    for text, got in converted:
        if got is None and expected[text] is not None:  # left to Python where it must be
            assert unknown_from is not None and expected[text][:4] >= str(unknown_from.year)
        else:
            assert got == expected[text], text


def _python_datetime(text: str) -> str | None:
    try:
        return types.to_datetime(text)
    except types.Invalid:
        return None


def test_a_column_made_text_by_a_few_values_is_reported_with_the_value_to_fix(monkeypatch):
    # The publisher meant dates (and whole numbers): the report says which value stopped
    # the column from being read that way, and where, on both paths (the parity test
    # compares the reports).
    staged, fast, _slow = _both_ways(monkeypatch, TURNED_TEXT.encode(), "turned-text.csv")

    assert staged[0] is not None
    assert types_of(fast) == {"id": "integer", "day": "text", "code": "text"}
    hints = {w["field"]: w for w in fast.report["warnings"] if w["code"] == "type-fallback"}
    assert (hints["day"]["row"], hints["day"]["column"]) == (2501, 2)
    assert hints["day"]["message"] == (
        "Column 2 (day) was read as text because of row 2501: '2024-13-40' is not a date, "
        "while the 2499 values before it are. Correct it to have the column read as date."
    )
    assert (hints["code"]["row"], hints["code"]["column"]) == (41, 3)
    assert (
        "'4O' is not a whole number, while the 39 values before it are"
        in (hints["code"]["message"])
    )


def test_the_hint_is_written_in_the_publishers_language():
    resource = resource_with_file(TURNED_TEXT.encode(), "turned-text.csv")

    job = ingest(resource, options={"language": "zh-hant"})

    hints = {w["field"]: w for w in job.version.report["warnings"] if w["code"] == "type-fallback"}
    assert hints["day"]["message"] == (
        "第 2 欄（day）因第 2501 列而被讀成文字：「2024-13-40」不是日期，"
        "而它之前的 2499 個值都是。修正這個值，此欄就會以日期讀取。"
    )


def test_a_text_column_that_never_looked_like_another_type_gets_no_hint(monkeypatch):
    data = "id,name\n" + "".join(f"{i},{'x' if i < 5 else i}\n" for i in range(1, 200))
    _staged, fast, _slow = _both_ways(monkeypatch, data.encode(), "names.csv")

    assert types_of(fast)["name"] == "text"
    assert not [w for w in fast.report["warnings"] if w["code"] == "type-fallback"]


def test_mixed_file_types_are_inferred_as_publishers_expect(monkeypatch):
    staged, fast, _slow = _both_ways(monkeypatch, MIXED.encode())

    assert staged[0] is not None
    assert {c["label"]: c["type"] for c in fast.columns} == {
        "代碼": "text",  # leading zeros kept
        "人口": "integer",
        "面積": "number",
        "日期": "date",
        "民國日期": "date",
        "時間": "datetime",
        "啟用": "boolean",
        "位置": "geometry",
        "說明": "text",
        "空": "text",
        "信箱": "text",
        "斜線日期": "date",
    }
    assert fast.personal_data_findings[0]["kind"] == "email"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ("a,b\n1２３,x\n4,y\n".encode(), "full-width digits: only Python knows they are numbers"),
        (b"a,b\n1,x\n\n2,y\n", "a blank line the report mentions"),
        (b"a,b\n1,x\n2,y,z\n", "an extra cell the report names"),
        (b'a,b\n1,"LINESTRING (0 0, 1 1)"\n', "WKT other than a point"),
        (b'"Parks,\n2024"\n\nname,count,area\nA,1,x\n', "a quoted title: header row != line"),
        (
            (",".join(f"c{i}" for i in range(101)) + "\n" + ",".join("1" * 101) + "\n").encode(),
            "more columns than DuckDB types within the worker's memory",
        ),
    ],
)
def test_columnar_path_steps_aside_when_it_cannot_be_sure(monkeypatch, data, why):
    staged = []
    stage = columnar.stage
    monkeypatch.setattr(columnar, "stage", lambda **kw: staged.append(stage(**kw)) or staged[-1])

    job, resource = ingest_bytes(data)

    assert staged == [None], why
    # The Python path decided instead, with its full report.
    assert job.status in (IngestJob.Status.SUCCEEDED, IngestJob.Status.FAILED)
    if job.status == IngestJob.Status.SUCCEEDED:
        assert resource.current_version.row_count >= 1


def test_full_width_digits_still_become_integers_through_the_python_path():
    job, resource = ingest_bytes("a,b\n1２３,x\n4,y\n".encode())

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert [r["a"] for r in rows_of(resource.current_version)] == [123, 4]


def test_declared_type_that_does_not_fit_is_reported_with_its_row():
    schema = {"fields": [{"name": "n", "type": "integer"}]}

    job, resource = ingest_bytes(b"n,label\n1,a\n2,b\nthree,c\n", schema=schema)

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "type-error"
    assert "Row 4" in job.error
    assert resource.current_version is None


def test_title_rows_above_the_header_are_skipped_the_same_way(monkeypatch):
    data = "臺北市公有停車場\n\n名稱,格位,區\n府前,120,中正\n市民,80,大安\n".encode()

    staged, fast, slow = _both_ways(monkeypatch, data)

    assert staged[0] is not None
    assert [c["label"] for c in fast.columns] == ["名稱", "格位", "區"]
    _assert_same(fast, slow)
    assert [(r["col_1"], r["col_2"]) for r in rows_of(fast)] == [("府前", 120), ("市民", 80)]


def test_personal_data_share_is_taken_over_the_first_values_as_in_the_python_path(monkeypatch):
    staged, fast, _slow = _both_ways(monkeypatch, SAMPLED.encode())

    assert staged[0] is not None
    assert fast.personal_data_findings == [
        {"column": "contact", "label": "contact", "kind": "email", "share": 0.4}
    ]


def test_rows_keep_their_file_order_in_a_file_read_in_several_chunks(monkeypatch):
    # DuckDB reads a file past ~8 MB in several chunks at once; the table's rows must
    # still come in file order, so that row 1 of the preview and the API is the file's.
    rows = 90_000
    filler = "臺北市 open data " * 6
    data = "id,label,note\n" + "".join(
        f"{i},{filler}{i},{'N/A' if i % 10 == 0 else i % 7}\n" for i in range(1, rows + 1)
    )
    assert len(data.encode()) > 12_000_000
    staged = []
    stage = columnar.stage
    monkeypatch.setattr(columnar, "stage", lambda **kw: staged.append(stage(**kw)) or staged[-1])

    job, _resource = ingest_bytes(data.encode())

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert staged[0] is not None, "the clean file should go the columnar way"
    ids = [row["id"] for row in rows_of(job.version, ["id"])]
    assert ids == list(range(1, rows + 1))


def test_chunks_are_cut_the_same_when_the_kernel_cannot_copy_them(monkeypatch):
    # Workers whose work directory is on another file system (older kernels) copy the
    # chunks byte by byte instead; no row may be lost, doubled or moved.
    refused = []

    def no_kernel_copy(*args, **kwargs):
        refused.append(args)
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(columnar.os, "copy_file_range", no_kernel_copy)
    data = "id,label\n" + "".join(f"{i},row {i}\n" for i in range(1, 2001)) + "2001,last"
    staged = []
    stage = columnar.stage
    monkeypatch.setattr(columnar, "stage", lambda **kw: staged.append(stage(**kw)) or staged[-1])

    job, _resource = ingest_bytes(data.encode())

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert staged[0] is not None and len(refused) > 1
    rows = rows_of(job.version, ["id", "label"])
    assert [(r["id"], r["label"]) for r in rows] == [(i, f"row {i}") for i in range(1, 2001)] + [
        (2001, "last")
    ]


def test_progress_moves_while_a_big_file_is_typed_and_loaded(monkeypatch):
    # What the resource page's progress bar polls: it should move chunk by chunk while
    # DuckDB types the file and part by part, with the rows so far, while it loads.
    seen = []
    set_fields = pipeline._set

    def recording_set(job, **fields):
        set_fields(job, **fields)
        seen.append((job.stage, job.progress, job.rows))

    monkeypatch.setattr(pipeline, "_set", recording_set)

    job, _resource = ingest_bytes(LONG.encode())

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    typing = [progress for stage, progress, _rows in seen if stage == "analyse"]
    loading = [(progress, rows) for stage, progress, rows in seen if stage == "load"]
    assert len(typing) == 1 + columnar.PARTS  # the start, then one step per chunk
    assert typing == sorted(typing) and typing[-1] == pytest.approx(0.4)
    rows_so_far = [rows for _progress, rows in loading if rows]
    assert len(rows_so_far) == columnar.PARTS
    assert rows_so_far == sorted(rows_so_far) and rows_so_far[-1] == 2500
    assert [p for p, _rows in loading] == sorted(p for p, _rows in loading)
    indexing = [progress for stage, progress, _rows in seen if stage == "index"]
    assert len(indexing) >= 3  # the start, then one step per index (id, value at least)
    assert indexing == sorted(indexing) and indexing[-1] == pytest.approx(0.95)
    assert [stage for stage, *_ in seen][-1] == "publish"


def test_wide_files_track_fewer_distinct_values_per_column_the_same_way(monkeypatch):
    # Forty columns: each keeps count of 5,000 distinct values instead of 10,000, so a
    # file of hundreds of columns stays within the worker's memory. Both paths agree.
    header = ",".join(f"c{i}" for i in range(40))
    rows = "".join(
        ",".join([str(r), f"name {r}", *(str(r % (i + 2)) for i in range(38))]) + "\n"
        for r in range(1, 6001)
    )
    staged, fast, slow = _both_ways(monkeypatch, (header + "\n" + rows).encode())

    assert staged[0] is not None
    _assert_same(fast, slow)
    ids = fast.profile["columns"]["c0"]
    assert (ids["distinct"], ids["distinct_at_least"]) == (None, 5000)
    assert fast.profile["columns"]["c5"]["distinct"] == 5  # small counts stay exact (r % 5)


def test_a_workbook_gives_the_same_table_either_way(monkeypatch):
    # Spreadsheets are written out as CSV first: typed cells (numbers, dates, times,
    # booleans) become the text the Python path reads, and the two paths agree on it.
    from tests.datasets.test_ingest_formats import xlsx_bytes

    rows = [["統計表"], ["站名", "數量", "比率", "日期", "時間", "啟用", "備註"]]
    rows += [
        [f"站 {i}", i * 3 - 100, i / 8, date(2024, 1, 1) + timedelta(days=i),
         datetime(2024, 1, 1, 8) + timedelta(minutes=17 * i), i % 3 == 0,
         None if i % 4 else f"第 {i} 站, \"附註\""]
        for i in range(1, 400)
    ]  # fmt: skip

    staged, fast, slow = _both_ways(monkeypatch, xlsx_bytes(rows), "stations.xlsx")

    assert staged and staged[0] is not None
    _assert_same(fast, slow)
    assert types_of(fast) == {
        "站名": "text", "數量": "integer", "比率": "number", "日期": "date",
        "時間": "datetime", "啟用": "boolean", "備註": "text",
    }  # fmt: skip


def test_a_workbook_with_values_merged_down_and_durations_gives_the_same_table_either_way(
    monkeypatch,
):
    # The CSV copy both paths read holds each merged value in every row it covers.
    from tests.datasets.test_ingest_headers import workbook

    rows = [["行政區", "里", "人口", "服務時數"]]
    for district in range(1, 41):
        for village in range(1, 4):
            rows.append(
                [f"第{district}區" if village == 1 else None, f"里{village}", district * village,
                 timedelta(hours=district, minutes=15)]
            )  # fmt: skip
    merges = [f"A{r}:A{r + 2}" for r in range(2, len(rows), 3)]

    staged, fast, slow = _both_ways(monkeypatch, workbook(rows, merges), "villages.xlsx")

    assert staged and staged[0] is not None
    _assert_same(fast, slow)
    assert [r["col_1"] for r in rows_of(fast)][:4] == ["第1區", "第1區", "第1區", "第2區"]
    assert rows_of(fast)[-1]["col_4"] == "40:15:00"


def test_a_json_array_gives_the_same_table_and_row_numbers_either_way(monkeypatch):
    # Written out as CSV with a header line of ours: hints still count rows as objects.
    records = [
        {"id": i, "day": "2024-13-40" if i == 2500 else str(date(2020, 1, 1) + timedelta(days=i)),
         "share": i / 7, "open": i % 2 == 0, "note": None if i % 3 else f"第 {i} 筆, \"注意\""}
        for i in range(1, 3001)
    ]  # fmt: skip
    data = json.dumps({"success": True, "records": records}, ensure_ascii=False).encode()

    staged, fast, slow = _both_ways(monkeypatch, data, "records.json")

    assert staged and staged[0] is not None
    _assert_same(fast, slow)
    assert types_of(fast) == {
        "id": "integer", "day": "text", "share": "number", "open": "boolean", "note": "text"
    }  # fmt: skip
    [hint] = [w for w in fast.report["warnings"] if w["code"] == "type-fallback"]
    assert (hint["row"], hint["field"]) == (2500, "day")  # the 2,500th object
    assert fast.report["header_row"] == 0


def test_json_rows_nested_in_a_portals_response_give_the_same_table_either_way(monkeypatch):
    # CKAN's datastore_search response: the field list first, the records one level down.
    records = [{"_id": i, "站名": f"站 {i}", "車位": i % 40} for i in range(1, 301)]
    fields = [{"id": "_id", "type": "int"}, {"id": "站名", "type": "text"}]
    document = {"success": True, "result": {"fields": fields, "records": records, "total": 300}}
    data = json.dumps(document, ensure_ascii=False).encode()

    staged, fast, slow = _both_ways(monkeypatch, data, "datastore.json")

    assert staged and staged[0] is not None
    _assert_same(fast, slow)
    assert [c["label"] for c in fast.columns] == ["_id", "站名", "車位"]
    assert fast.row_count == 300
    assert fast.report["rows_at"] == "result.records"


def test_a_key_first_appearing_late_in_a_json_array_is_a_column_for_every_row(monkeypatch):
    # The CSV copy is written in one pass while every object has the first one's keys;
    # a later key makes the rows before it shorter, and the copy is written again.
    records = [{"id": i, "name": f"站 {i}"} for i in range(1, 301)]
    records[149]["extra"] = "第 150 筆"
    records[199] = {"name": "站 200", "id": 200}  # the same keys, in another order

    staged, fast, slow = _both_ways(monkeypatch, json.dumps(records).encode(), "late.json")

    assert staged and staged[0] is not None
    _assert_same(fast, slow)
    assert [c["label"] for c in fast.columns] == ["id", "name", "extra"]
    rows = rows_of(fast)
    assert (rows[0]["extra"], rows[149]["extra"], rows[299]["extra"]) == (None, "第 150 筆", None)
    assert (rows[199]["id"], rows[199]["name"]) == (200, "站 200")


@pytest.mark.parametrize(
    ("blank_lines", "hint_rows"),
    [((), (40, 1021)), ((10,), (41, 1022)), ((0, 10, 10, 500, 1200), (43, 1025))],
    ids=["one-per-line", "with-a-blank-line", "with-blank-lines-first-and-late"],
)
def test_json_lines_give_the_same_table_and_line_numbers_either_way(
    monkeypatch, blank_lines, hint_rows
):
    # Past the rows Python's inference samples (1,000), a date column meets a typo.
    lines = [
        json.dumps(
            {
                "id": i,
                "code": "4O" if i == 40 else str(i),
                "day": "2024-13-01" if i == 1021 else f"2024-01-{i % 28 + 1:02}",
                "name": f"站 {i}",
            }
        )
        for i in range(1, 1301)
    ]
    for at in reversed(blank_lines):  # every later object is one line further down
        lines.insert(at, "")

    staged, fast, slow = _both_ways(monkeypatch, ("\n".join(lines) + "\n").encode(), "x.jsonl")

    assert staged and staged[0] is not None
    _assert_same(fast, slow)
    hints = [w for w in fast.report["warnings"] if w["code"] == "type-fallback"]
    assert [hint["row"] for hint in hints] == list(hint_rows)  # the lines the publisher sees


def _geojson(features: list) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _station(i: int, geometry) -> dict:
    properties = {"站名": f"站點 {i}", "區": ["中正區", "大安區"][i % 2], "車位": i % 40,
                  "啟用": str(date(2015, 1, 1) + timedelta(days=i)), "備註": None}  # fmt: skip
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _point(i: int) -> dict:
    return {"type": "Point", "coordinates": [121.5 + i / 10_000, 25.0 + i / 20_000]}


SQUARE = {"type": "Polygon", "coordinates": [[[121.5, 25.0], [121.6, 25.0], [121.6, 25.1],
                                              [121.5, 25.0]]]}  # fmt: skip


@pytest.mark.parametrize(
    "geometry_of",
    [
        lambda i: _point(i) if i % 50 else None,  # some features without a geometry
        lambda i: SQUARE if i % 3 == 0 else _point(i),
        lambda i: None,  # none at all: still a geometry column
    ],
    ids=["points", "polygons", "no-geometry"],
)
def test_geojson_takes_the_columnar_path_with_its_geometries_checked_once(monkeypatch, geometry_of):
    data = _geojson([_station(i, geometry_of(i)) for i in range(1, 301)])

    staged, fast, slow = _both_ways(monkeypatch, data, "stations.geojson")

    assert staged and staged[0] is not None
    _assert_same(fast, slow)
    assert types_of(fast)["geometry"] == "geometry"
    assert types_of(fast)["車位"] == "integer" and types_of(fast)["啟用"] == "date"


def test_geojson_feature_ids_and_a_geometry_property_are_kept_alike_either_way(monkeypatch):
    features = [{**_station(i, _point(i)), "id": f"S{i:03}"} for i in range(1, 301)]
    for feature in features:
        feature["properties"]["geometry"] = "站前"  # a property named as our column is

    staged, fast, slow = _both_ways(monkeypatch, _geojson(features), "stations.geojson")

    assert staged and staged[0] is not None
    _assert_same(fast, slow)
    labels = [c["label"] for c in fast.columns]
    assert labels[0] == "id" and labels[-2:] == ["geometry_2", "geometry"]
    assert rows_of(fast)[299]["id"] == "S300"
    assert [w["field"] for w in fast.report["warnings"]] == ["geometry_2"]


def test_geojson_with_an_open_ring_is_reported_by_the_row_by_row_path(monkeypatch):
    open_ring = {"type": "Polygon", "coordinates": [[[121.5, 25.0], [121.6, 25.0], [121.6, 25.1],
                                                     [121.55, 25.2]]]}  # fmt: skip
    features = [_station(i, open_ring if i == 250 else _point(i)) for i in range(1, 301)]
    staged = []
    stage = columnar.stage
    monkeypatch.setattr(columnar, "stage", lambda **kw: staged.append(stage(**kw)) or staged[-1])

    job, _resource = ingest_bytes(_geojson(features), "stations.geojson")

    assert staged == []  # not even tried: the CSV copy stopped at feature 250
    assert job.status == IngestJob.Status.FAILED
    error = job.options["report"]["errors"][0]
    assert (error["row"], error["field"], error["code"]) == (250, "geometry", "type-error")


def test_a_dictionary_declaring_the_geometry_column_keeps_the_row_by_row_path(monkeypatch):
    data = _geojson([_station(i, _point(i)) for i in range(1, 301)])
    schema = {"fields": [{"name": "geometry", "type": "string"}]}

    staged, fast, _slow = _both_ways(monkeypatch, data, "stations.geojson", schema=schema)

    assert staged == []  # the copy holds the geometries checked, not as the file has them
    assert types_of(fast)["geometry"] == "text"
    assert json.loads(rows_of(fast)[0]["geometry"]) == _point(1)


# Values with line breaks (addresses, notes): records span lines, so the file is cut at
# record ends and rows keep the line each record starts on.
MULTILINE = "id,day,note\n" + "".join(
    f"{i},{'2024-13-40' if i == 2900 else date(2020, 1, 1) + timedelta(days=i)},"
    + (f'"第 {i} 筆\n第二行\r\n第三行"' if i % 700 == 0 else f"note {i}")
    + "\n"
    for i in range(1, 3001)
)


@pytest.mark.parametrize(
    ("data", "name", "hint_row"),
    [
        # Record 2,900 starts on line 2,901 + 2 x 4 extra lines (records 700 to 2,800).
        (MULTILINE.encode(), "multiline.csv", 2909),
        (MULTILINE.encode("cp950"), "multiline-cp950.csv", 2909),
        # The very first record spans lines too: every later row moves down one.
        (MULTILINE.replace("note 1\n", '"note\n1"\n', 1).encode(), "first.csv", 2910),
    ],
    ids=["utf8", "cp950", "first-record"],
)
def test_records_spanning_lines_take_the_columnar_path_with_file_row_numbers(
    monkeypatch, data, name, hint_row
):
    staged, fast, slow = _both_ways(monkeypatch, data, name)

    assert staged and staged[0] is not None, "quoted line breaks no longer need the slow way"
    _assert_same(fast, slow)
    [hint] = [w for w in fast.report["warnings"] if w["code"] == "type-fallback"]
    assert (hint["row"], hint["field"]) == (hint_row, "day")
    assert rows_of(fast)[699]["note"] == "第 700 筆\n第二行\r\n第三行"


def test_a_quoted_line_break_is_found_before_the_typing_pass(monkeypatch):
    typed = []
    type_ = columnar._type
    monkeypatch.setattr(columnar, "_type", lambda *a: typed.append(1) or type_(*a))

    staged, fast, slow = _both_ways(monkeypatch, MULTILINE.encode(), "multiline.csv")

    assert staged[0] is not None and len(typed) == 1  # not once by lines, then by records
    _assert_same(fast, slow)


@given(
    st.lists(st.sampled_from(['"', '""', "a", ",", "\n", "\r\n", "第"]), max_size=30),
    st.integers(1, 9),
)
def test_lines_counts_lines_and_finds_one_with_an_odd_number_of_quotes(
    tmp_path_factory, parts, size
):
    text = "".join(parts)
    path = tmp_path_factory.getbasetemp() / "chunk.csv"
    path.write_bytes(text.encode())
    lines = text.encode().split(b"\n")
    if lines[-1] == b"":
        lines.pop()

    found = columnar._lines(path, block_size=size)  # blocks cut lines and pairs of quotes

    assert found == (len(lines), any(line.count(b'"') % 2 for line in lines))


def test_a_quoted_header_keeps_the_columnar_path(monkeypatch):
    # As data.gov.tw writes its CSV files: every label quoted, with a title above.
    data = '"臺北市公園",,\n"名稱","面積","開放"\n"大安",25.9,是\n"青年",24.4,否\n'.encode()

    staged, fast, slow = _both_ways(monkeypatch, data)

    assert staged[0] is not None
    assert [c["label"] for c in fast.columns] == ["名稱", "面積", "開放"]
    assert rows_of(fast)[1] == {"col_1": "青年", "col_2": 24.4, "col_3": False}
    _assert_same(fast, slow)


def test_a_stray_quote_in_an_unquoted_value_keeps_the_columnar_path(monkeypatch):
    data = "id,item\n" + "".join(f'{i},TV {i}" screen\n' for i in range(1, 301))

    staged, fast, slow = _both_ways(monkeypatch, data.encode(), "inches.csv")

    assert staged[0] is not None
    _assert_same(fast, slow)
    assert rows_of(fast)[4]["item"] == 'TV 5" screen'


@pytest.mark.parametrize(
    "broken",
    [MULTILINE.replace("\n10,", "\n\n10,"), MULTILINE.replace("\n10,", "\n10,x,")],
    ids=["blank-line", "ragged-record"],
)
def test_a_blank_line_or_a_ragged_record_among_multiline_ones_goes_the_python_way(
    monkeypatch, broken
):
    staged = []
    stage = columnar.stage
    monkeypatch.setattr(columnar, "stage", lambda **kw: staged.append(stage(**kw)) or staged[-1])

    job, _resource = ingest_bytes(broken.encode(), "broken.csv")

    assert staged == [None]  # the Python path reports the row
    report = job.version.report if job.version else job.options["report"]
    assert {e["row"] for e in report["warnings"] + report["errors"]} & {11}


# A curated file with a data dictionary whose constraints every value keeps.
CURATED = "代碼,區,人口,面積,啟用,設立日,名稱\n" + "".join(
    f"{i:04d},{['中正區', '大安區', '信義區'][i % 3]},{1000 + i * 7},{i / 4},"
    f"{'true' if i % 2 else 'false'},{date(2000, 1, 1) + timedelta(days=i)},站 {i}\n"
    for i in range(1, 1201)
)
CURATED_SCHEMA = {
    "fields": [
        {"name": "代碼", "type": "string", "constraints": {"required": True, "unique": True,
                                                          "minLength": 4, "maxLength": 4,
                                                          "pattern": "[0-9]{4}"}},
        {"name": "區", "type": "string", "constraints": {"enum": ["中正區", "大安區", "信義區"]}},
        {"name": "人口", "type": "integer", "constraints": {"minimum": 1000, "maximum": "9400",
                                                           "unique": True}},
        {"name": "面積", "type": "number", "constraints": {"minimum": 0, "maximum": 300.5}},
        {"name": "啟用", "type": "boolean", "constraints": {"required": True}},
        {"name": "設立日", "type": "date", "constraints": {"minimum": "2000-01-01",
                                                          "unique": True}},
        {"name": "名稱", "type": "string", "constraints": {"maximum": "站 999", "minLength": 3}},
    ]
}  # fmt: skip


def test_a_file_keeping_its_dictionarys_constraints_takes_the_columnar_path(monkeypatch):
    staged, fast, slow = _both_ways(monkeypatch, CURATED.encode(), schema=CURATED_SCHEMA)

    assert staged and staged[0] is not None
    _assert_same(fast, slow)
    assert types_of(fast)["人口"] == "integer" and types_of(fast)["代碼"] == "text"


@pytest.mark.parametrize(
    ("field", "constraints", "row"),
    [
        ("代碼", {"required": True}, None),  # an empty cell, added below
        ("代碼", {"unique": True}, 12),
        ("區", {"enum": ["中正區", "大安區"]}, 3),
        ("人口", {"minimum": 1010}, 2),
        ("人口", {"maximum": 9000}, 1144),
        ("面積", {"maximum": 1}, 6),
        ("名稱", {"maxLength": 5}, 1001),
        ("代碼", {"minLength": 5}, 2),
        ("名稱", {"pattern": "站 [0-9]+"}, None),  # kept: checked with Python's regex
        ("名稱", {"pattern": "站 [0-9]{1,3}"}, 1001),
        ("區", {"pattern": r"\w{2}區"}, None),  # \w: Python's Unicode word characters
        ("設立日", {"unique": True}, None),  # kept: unique dates are checked too
    ],
)
def test_a_broken_constraint_sends_the_file_the_python_way_a_kept_one_does_not(
    monkeypatch, field, constraints, row
):
    data = CURATED.replace("\n0011,", "\n0010,") if row == 12 else CURATED
    if constraints == {"required": True}:
        data = data.replace("\n0005,", "\n,")
    schema = {"fields": [{"name": field, "type": "string" if field in ("代碼", "區", "名稱")
                          else "integer" if field == "人口" else "number" if field == "面積"
                          else "date", "constraints": constraints}]}  # fmt: skip
    staged = []
    stage = columnar.stage
    monkeypatch.setattr(columnar, "stage", lambda **kw: staged.append(stage(**kw)) or staged[-1])

    job, _resource = ingest_bytes(data.encode(), "curated.csv", schema=schema)

    if row is None and constraints != {"required": True}:  # every value keeps it
        assert staged[0] is not None and job.status == IngestJob.Status.SUCCEEDED
        return
    assert staged in ([None], [])
    assert job.status == IngestJob.Status.FAILED
    errors = job.options["report"]["errors"]
    assert errors[0]["code"] in ("constraint-error", "unique-error")
    if row:
        assert errors[0]["row"] == row


def test_a_value_starting_with_a_byte_order_mark_keeps_it_either_way(monkeypatch):
    # DuckDB drops a byte order mark at the start of a chunk's file as the file's own.
    rows = "".join(f"\ufeffx{n},{n}\n" for n in range(40))

    staged, fast, slow = _both_ways(monkeypatch, f"a,b\n{rows}".encode(), "bom-values.csv")

    assert staged == [None]
    _assert_same(fast, slow)
    assert [r["a"] for r in rows_of(fast)][:2] == ["\ufeffx0", "\ufeffx1"]


def test_numbers_too_large_for_a_float_leave_the_column_text_either_way(monkeypatch):
    data = f"a,b\n1.5,1\n1e999,2\n{'9' * 400},3\n".encode()

    staged, fast, slow = _both_ways(monkeypatch, data, "huge.csv")

    assert staged[0] is not None
    _assert_same(fast, slow)
    assert types_of(fast) == {"a": "text", "b": "integer"}
    assert [r["a"] for r in rows_of(fast)][1] == "1e999"


AWKWARD = [
    "", "1", "-0", "+5", "007", "1,234", "1,234.5", "1.5e3", "1e999", ".5", "5.",
    "99999999999999999999", "9223372036854775807", "9223372036854775808", "２０２４-01-05",
    "１２３", "١٢٣", "2024-02-30", "2024-02-29", "0001-01-01", "9999-12-31", "113/01/05",
    "民國113年1月5日", "1/5/2024", "2024-01-05 24:00", "2024-01-05T23:59:60",
    "2024-01-05 10:00:00+14:00", "2024-01-05T10:00:00Z", "true", "是", "否", "N/A", "-",
    "無", "－", " ", "\u3000", "POINT (121.5 25.0)", "POINT (1 2 3)", "POINT (1e3 2)",
    '{"type":"Point","coordinates":[1,2]}', "LINESTRING (0 0, 1 1)", "=SUM(A1)", "+1-2",
    "a\tb", "𠀋", "\ufeffx", "NaN", "-inf", "0x1F", 'say "hi", then', "two\nlines",
    "-  ", "N/A\u3000", " - ", "12345678901234567891", "1234567890123456789",
    "1,234,567,890,123,456,789,012", "100000000000000000000", "2024-01-05 11:00:00+80:00",
    "2024-01-05 11:00:00+1400", "2024-01-05 11:00:00-12:60",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(40))
def test_awkward_values_ingest_alike_either_way_and_never_crash(monkeypatch, seed):
    """Small files mixing values at the edges of every type rule (found: dates in
    full-width digits, 1e999, byte order marks starting a chunk)."""
    pick = random.Random(seed)
    width = pick.randint(1, 4)
    lines = [",".join(f"c{i}" for i in range(width))]
    for _row in range(pick.randint(1, 6)):
        cells = [pick.choice(AWKWARD) for _column in range(width)]
        quoted = ['"' + c.replace('"', '""') + '"' if re.search(r'[,"\n]', c) else c for c in cells]
        lines.append(",".join(quoted))
    data = ("\n".join(lines) + "\n").encode()

    fast_job, _fast = ingest_bytes(data, "awkward.csv")
    monkeypatch.setattr(columnar, "eligible", lambda *args: False)
    slow_job, _slow = ingest_bytes(data, "awkward.csv")

    for job in (fast_job, slow_job):
        assert job.error_code != "internal-error", (data, job.error)
    assert fast_job.status == slow_job.status, (data, fast_job.error, slow_job.error)
    if fast_job.status == IngestJob.Status.SUCCEEDED:
        _assert_same(fast_job.version, slow_job.version)
