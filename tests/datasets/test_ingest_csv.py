"""Delimited text in the encodings and shapes Taiwan and European publishers send."""

import pytest

from datasets.models import IngestJob
from tests.datasets.ingest_helpers import ingest_bytes, rows_of, types_of

pytestmark = pytest.mark.django_db


def test_cp950_file_with_cp950_only_characters_is_decoded():
    # 碁 and 銹 exist in CP950 but not in strict Big5; the euro sign is CP950-only too.
    text = "名稱,地址,金額\n碁盤街,臺北市中正區,1000\n銹色館,新北市板橋區,20€\n"
    data = text.encode("cp950")
    with pytest.raises(UnicodeDecodeError):
        data.decode("big5")

    job, resource = ingest_bytes(data)

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert version.encoding == "cp950"
    assert [r["col_1"] for r in rows_of(version)] == ["碁盤街", "銹色館"]
    assert [c["label"] for c in version.columns] == ["名稱", "地址", "金額"]
    assert types_of(version)["金額"] == "text"  # "20€" is not a number: nothing is lost


def test_cp950_checklist_of_marks_is_read_as_cp950():
    # Facilities marked ○ × ● ─: every byte is CP950, most characters are not ideographs.
    text = "名稱,無障礙坡道,哺乳室,停車場\n" + "".join(
        f"臺北市立圖書館分館{i},{'○' if i % 2 else '×'},{'●' if i % 3 else '─'},"
        f"{'○' if i % 5 else '×'}\n"
        for i in range(40)
    )

    job, resource = ingest_bytes(text.encode("cp950"))

    assert job.status == IngestJob.Status.SUCCEEDED, job.error  # was: could not tell
    version = resource.current_version
    assert version.encoding == "cp950"
    assert rows_of(version)[1] == {
        "col_1": "臺北市立圖書館分館1",
        "col_2": "○",
        "col_3": "●",
        "col_4": "○",
    }


@pytest.mark.parametrize(
    "text",
    [
        "檢定,統計量\nχ2檢定,3.2\nα值,0.05\nβ值,0.2\n",
        "名稱,標記\n甲,●\n乙,▲\n丙,■\n",
        "項目,等級\n甲,Ⅰ\n乙,Ⅱ\n",
    ],
    ids=["greek-letters", "shapes", "roman-numerals"],
)
def test_small_cp950_file_with_symbols_is_not_read_as_shift_jis(text):
    job, resource = ingest_bytes(text.encode("cp950"))

    # Shift-JIS turned each Chinese cell into half-width katakana ("ﾀﾋｩw"), with no error.
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert version.encoding == "cp950"
    lines = [line.split(",") for line in text.splitlines()]
    assert [c["label"] for c in version.columns] == lines[0]
    assert [row["col_1"] for row in rows_of(version)] == [cells[0] for cells in lines[1:]]


def test_utf8_bom_header_is_clean_and_thousands_separators_make_integers():
    data = '\ufeff區域,人口,面積\n中正區,"158,228",7.6\n大安區,"309,835",11.36\n'.encode()

    job, resource = ingest_bytes(data)

    version = resource.current_version
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert version.columns[0]["label"] == "區域"
    assert types_of(version) == {"區域": "text", "人口": "integer", "面積": "number"}
    assert [r["col_2"] for r in rows_of(version)] == [158228, 309835]


def test_utf16_tsv_is_read():
    data = "station\tcount\nTaipei Main\t12\nBanqiao\t7\n".encode("utf-16")

    job, resource = ingest_bytes(data, "counts.tsv")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert rows_of(resource.current_version) == [
        {"station": "Taipei Main", "count": 12},
        {"station": "Banqiao", "count": 7},
    ]


def test_windows_1250_semicolons_and_decimal_commas():
    data = "Město;Teplota;Srážky\nŘíčany;12,5;1.234,75\nŽďár;-3,25;0\n".encode("cp1250")

    job, resource = ingest_bytes(data)

    version = resource.current_version
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert version.encoding == "cp1250"
    assert [c["label"] for c in version.columns] == ["Město", "Teplota", "Srážky"]
    assert types_of(version)["Teplota"] == "number"
    rows = rows_of(version)
    assert rows[0]["m_sto"] == "Říčany"
    assert rows[0]["teplota"] == 12.5 and rows[1]["teplota"] == -3.25
    assert rows[0]["sr_ky"] == 1234.75


def test_roc_and_iso_dates_and_values_that_must_stay_text():
    data = (
        "日期,西元日期,代碼,狀態\n113/01/05,2024-01-05,007,N/A\n112/12/31,2023/12/31,010,是\n"
    ).encode()

    job, resource = ingest_bytes(data)

    version = resource.current_version
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert types_of(version) == {
        "日期": "date",
        "西元日期": "date",
        "代碼": "text",
        "狀態": "boolean",
    }
    rows = rows_of(version)
    assert [str(r["col_1"]) for r in rows] == ["2024-01-05", "2023-12-31"]
    assert [r["col_3"] for r in rows] == ["007", "010"]  # leading zeros are kept
    assert rows[0]["col_4"] is None  # N/A is a null token


def test_blank_and_duplicate_headers_are_repaired_with_warnings():
    data = b"name,,name,Name\na,b,c,d\n"

    job, resource = ingest_bytes(data)

    version = resource.current_version
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert [c["label"] for c in version.columns] == ["name", "field_2", "name_2", "Name"]
    assert [c["id"] for c in version.columns] == ["name", "field_2", "name_2", "name_3"]
    codes = {w["code"] for w in version.report["warnings"]}
    assert {"blank-label", "duplicate-label"} <= codes


def test_ragged_rows_missing_cells_warn_and_extra_values_fail_with_row_and_column():
    short = b"a,b,c\n1,2,3\n4,5\n"
    job, resource = ingest_bytes(short)
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert rows_of(resource.current_version)[1] == {"a": 4, "b": 5, "c": None}
    assert resource.current_version.report["totals"]["missing-cell"] == 1

    extra = b"a,b,c\n1,2,3\n4,5,6,oops\n"
    job, resource = ingest_bytes(extra)
    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "extra-cell"
    assert "Row 3" in job.error or "3" in job.error
    assert resource.current_version is None
    error = job.options["report"]["errors"][0]
    assert (error["row"], error["column"]) == (3, 4)


def test_classic_mac_line_ends_are_line_ends():
    # Excel for Mac's "CSV (Macintosh)": a carriage return alone ends each line.
    data = "名稱,人數\r中正區,1\r大同區,2\r萬華區,3".encode("cp950")

    job, resource = ingest_bytes(data, "mac.csv")

    # Was: "Row 1 cannot be read as delimited text: new-line character seen in unquoted field"
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert rows_of(resource.current_version) == [
        {"col_1": "中正區", "col_2": 1},
        {"col_1": "大同區", "col_2": 2},
        {"col_1": "萬華區", "col_2": 3},
    ]


def test_a_200_kb_field_is_loaded_whole():
    big = "字" * 200_000
    data = f'id,text\n1,"{big}"\n2,short\n'.encode()

    job, resource = ingest_bytes(data)

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert rows_of(resource.current_version)[0]["text"] == big


def test_file_changing_encoding_part_way_fails_with_the_row_number():
    data = "名稱,值\n臺北,1\n".encode() + "高雄,2\n".encode("cp950")

    job, resource = ingest_bytes(data)

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "encoding-error"
    assert "3" in job.error
    assert resource.current_version is None


def test_publisher_encoding_override_is_used(settings):
    settings.LANGUAGE_CODE = "en"
    data = "名稱,值\n臺北,1\n".encode("cp950")

    job, resource = ingest_bytes(data, ingest_options={"encoding": "big5"})

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert resource.current_version.encoding == "cp950"
