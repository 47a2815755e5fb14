"""Statistical tables as agencies publish them: a header over two or three rows (group
labels above the column labels, a row of units), notes below the table."""

import io

import openpyxl
import pytest

from datasets.models import IngestJob
from tests.datasets.ingest_helpers import ingest, ingest_bytes, rows_of, types_of

pytestmark = pytest.mark.django_db

POPULATION = [
    ["臺北市各行政區人口數"],
    [None, None, None, None, "單位：人"],
    ["行政區", "107年", None, "108年", None],
    [None, "男", "女", "男", "女"],
    ["中正區", 76000, 81000, 75500, 80900],
    ["大同區", 62000, 64000, 61800, 63900],
    ["總計", 138000, 145000, 137300, 144800],
]
NOTES = [[], ["資料來源：臺北市政府民政局"], ["說明：人口數以年底戶籍登記為準。"]]
COMBINED = ["行政區", "107年 男", "107年 女", "108年 男", "108年 女"]


def workbook(rows, merges=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "人口"
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows) -> bytes:
    lines = [",".join("" if c is None else str(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def labels(version) -> list[str]:
    return [c["label"] for c in version.columns]


@pytest.mark.parametrize("merged", [True, False], ids=["merged", "written-once"])
def test_group_labels_above_the_column_labels_are_combined_and_the_notes_left_out(merged):
    merges = ("A1:E1", "A3:A4", "B3:C3", "D3:E3") if merged else ()

    job, resource = ingest_bytes(workbook(POPULATION + NOTES, merges), "population.xlsx")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert labels(version) == COMBINED
    assert set(types_of(version).values()) == {"text", "integer"}
    assert [r["col_1"] for r in rows_of(version)] == ["中正區", "大同區", "總計"]
    assert (version.report["header_row"], version.report["header_rows"]) == (4, 2)
    assert version.report["totals"] == {"note-rows": 1, "total-row": 1}
    [note] = [w for w in version.report["warnings"] if w["code"] == "note-rows"]
    assert note["row"] == 9
    assert note["message"] == (
        "Rows 9 to 10, below the table, read as notes and were left out: "
        "資料來源：臺北市政府民政局 / 說明：人口數以年底戶籍登記為準。"
    )
    assert note["translations"]["zh-hant"].startswith("第 9 到 10 列在表格下方，看來是附註")


def test_a_total_row_is_pointed_out_and_kept():
    job, resource = ingest_bytes(csv_bytes(POPULATION[2:]), "population.csv")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert [r["col_1"] for r in rows_of(version)][-1] == "總計"
    [total] = [w for w in version.report["warnings"] if w["code"] == "total-row"]
    assert (total["column"], total["field"]) == (1, "行政區")
    assert total["message"].startswith("Rows with 總計 in 行政區 look like totals of other rows")
    assert total["translations"]["zh-hant"].startswith("「行政區」為 總計 的列看來是其他列的合計")

    english = [["District", "Population"], ["Zhongzheng", 158228], ["Total", 158228]]
    job, resource = ingest_bytes(csv_bytes(english), "english.csv")
    [total] = resource.current_version.report["warnings"]
    assert total["message"].startswith("Rows with Total in District look like totals")

    words = [["項目", "說明"], ["總計", "全部"], ["合計", "部分"]]  # no numbers to add up
    job, resource = ingest_bytes(csv_bytes(words), "words.csv")
    assert "total-row" not in resource.current_version.report["totals"]


def test_a_csv_export_of_the_same_table_reads_the_same():
    job, resource = ingest_bytes(csv_bytes(POPULATION[2:]), "population.csv")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert labels(version) == COMBINED
    assert rows_of(version)[0] == {
        "col_1": "中正區", "c_107": 76000, "c_107_2": 81000, "c_108": 75500, "c_108_2": 80900
    }  # fmt: skip
    assert (version.report["header_row"], version.report["header_rows"]) == (2, 2)


def test_three_header_rows_and_a_group_row_narrower_than_the_table():
    rows = [
        ["區", "107年", None, None, None],
        [None, "男", None, "女", None],
        [None, "0-14歲", "15歲以上", "0-14歲", "15歲以上"],
        ["中正區", 9000, 67000, 8800, 72200],
        ["大同區", 7500, 54500, 7200, 56800],
    ]

    job, resource = ingest_bytes(workbook(rows), "ages.xlsx")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert labels(version) == [
        "區", "107年 男 0-14歲", "107年 男 15歲以上", "107年 女 0-14歲", "107年 女 15歲以上"
    ]  # fmt: skip
    assert len(rows_of(version)) == 2
    assert version.report["header_rows"] == 3


def test_a_middle_label_under_one_group_does_not_carry_into_the_next():
    rows = [
        ["區", "107年", None, "108年", None],
        [None, "人口", None, None, None],
        [None, "男", "女", "男", "女"],
        ["中正區", 76000, 81000, 75500, 80900],
    ]

    job, resource = ingest_bytes(csv_bytes(rows), "population.csv")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert labels(resource.current_version) == [
        "區", "107年 人口 男", "107年 人口 女", "108年 男", "108年 女"
    ]  # fmt: skip


def test_merged_group_labels_cover_only_their_merged_columns():
    rows = [[*row, None] for row in POPULATION[2:]]
    rows[1][5] = "備註"  # a column labelled on the lower row only

    job, resource = ingest_bytes(workbook(rows, ["A1:A2", "B1:C1", "D1:E1"]), "population.xlsx")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert labels(resource.current_version) == [*COMBINED, "備註"]


@pytest.mark.parametrize(("width", "right"), [(3, "單位：人"), (5, "單位：人"), (5, "113年底")])
def test_a_title_right_above_the_header_is_not_part_of_it(width, right):
    rows = [
        ["臺北市各區人口", *[None] * (width - 2), right],
        ["區", *[f"{year}年" for year in range(107, 107 + width - 1)]],
        ["中正區", *range(1, width)],
        ["大同區", *range(2, width + 1)],
    ]

    job, resource = ingest_bytes(csv_bytes(rows), "population.csv")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert labels(version) == rows[1]
    assert (version.report["header_row"], version.report["header_rows"]) == (2, 1)


def test_a_header_with_unnamed_columns_over_the_data_is_the_header():
    # Half the columns unnamed: narrow enough to pass for a title, but it stands over data.
    rows = [["名稱", "數量", None, None, "備註", None], *(["A", 1, "x", "y", "z", "w"],) * 3]

    job, resource = ingest_bytes(csv_bytes(rows), "sparse-header.csv")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert version.row_count == 3 and version.report["header_row"] == 1
    assert labels(version)[:2] == ["名稱", "數量"] and labels(version)[2] == "field_3"


def test_a_header_with_a_unit_in_a_label_is_still_the_header():
    rows = [["品項", "單位：元"], ["便當", 100], ["飲料", 35]]

    job, resource = ingest_bytes(csv_bytes(rows), "prices.csv")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert types_of(resource.current_version) == {"品項": "text", "單位：元": "integer"}


def test_years_over_the_column_labels_are_group_labels_too():
    rows = [
        [None, 2023, None, 2024, None],
        ["區", "男", "女", "男", "女"],
        ["中正區", 76000, 81000, 75500, 80900],
    ]

    job, resource = ingest_bytes(csv_bytes(rows), "population.csv")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert labels(resource.current_version) == ["區", "2023 男", "2023 女", "2024 男", "2024 女"]


def test_a_row_of_units_under_the_labels_joins_them():
    rows = [["年別", "人口", "面積"], [None, "人", "平方公里"], [107, 2668572, 271.8]]

    job, resource = ingest_bytes(csv_bytes(rows), "area.csv")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert labels(version) == ["年別", "人口 人", "面積 平方公里"]
    assert types_of(version) == {"年別": "integer", "人口 人": "integer", "面積 平方公里": "number"}


@pytest.mark.parametrize(
    "rows",
    [
        # A blank label and a first data row of text: the row is data.
        [["id", "name", None, "note"], ["A1", "Bob", "x", "hi"], ["A2", "Al", "y", "ho"]],
        # Text under every label and text below it too: nothing says it is a header.
        [
            ["機關", "聯絡方式", None, "備註"],
            [None, "電話", "地址", None],
            ["民政局", "02-2720", "市府路1號", "無"],
        ],
        # A first data row with a number in it.
        [["區", "人口", None], ["中正區", 158228, None], ["大安區", 309835, None]],
    ],
    ids=["blank-label", "all-text", "numbers"],
)
def test_a_first_data_row_is_not_taken_for_part_of_the_header(rows):
    job, resource = ingest_bytes(csv_bytes(rows), "data.csv")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert version.report["header_rows"] == 1
    assert version.row_count == 2


def test_a_group_label_over_the_last_columns_names_them():
    rows = [["機關", "聯絡方式", None], [None, "電話", "地址"], ["民政局", "02-2720", "市府路1號"]]

    job, resource = ingest_bytes(csv_bytes(rows), "contacts.csv")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert labels(resource.current_version) == ["機關", "聯絡方式 電話", "聯絡方式 地址"]
    assert resource.current_version.row_count == 1


def test_merged_cells_make_a_header_of_text_only_columns():
    rows = [
        ["機關", "聯絡方式", None, "備註"],
        [None, "電話", "地址", None],
        ["民政局", "02-2720", "市府路1號", "無"],
    ]

    job, resource = ingest_bytes(workbook(rows, ["A1:A2", "B1:C1", "D1:D2"]), "contacts.xlsx")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert labels(resource.current_version) == ["機關", "聯絡方式 電話", "聯絡方式 地址", "備註"]
    assert resource.current_version.row_count == 1


def test_the_publisher_says_how_many_rows_the_header_takes():
    units = [["年別", "人口", "面積"], [None, "人", "平方公里"], [107, 2668572, 271.8]]
    job, resource = ingest_bytes(csv_bytes(units), "area.csv", ingest_options={"header_rows": "1"})
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert labels(resource.current_version) == ["年別", "人口", "面積"]
    assert resource.current_version.row_count == 2  # the row of units is data

    rows = [
        ["機關", "聯絡方式", None, "備註"],
        [None, "電話", "地址", None],
        ["民政局", "02-2720", "市府路1號", "無"],
    ]
    resource.file.save("contacts.csv", io.BytesIO(csv_bytes(rows)))
    resource.ingest_options = {"header_rows": "2"}
    resource.save()
    job = ingest(resource)
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert labels(resource.current_version) == ["機關", "聯絡方式 電話", "聯絡方式 地址", "備註"]


def test_rows_after_the_table_are_data_unless_they_read_as_notes():
    table = [["區", "站牌數", "備註"], ["中正區", 180, "含臨時站"], ["大安區", None, None]]
    # One filled cell right under the table: a row of data with blanks.
    job, resource = ingest_bytes(workbook(table), "stops.xlsx")
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert [r["col_1"] for r in rows_of(resource.current_version)] == ["中正區", "大安區"]
    assert "note-rows" not in resource.current_version.report["totals"]

    # Saying what it is, with no blank row: a note.
    job, resource = ingest_bytes(workbook([*table, ["註：大安區資料待補。"]]), "stops.xlsx")
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert resource.current_version.row_count == 2
    [note] = resource.current_version.report["warnings"]
    assert note["message"] == (
        "Row 4, below the table, reads as a note and was left out: 註：大安區資料待補。"
    )

    # After a blank row, but with more of the table after it: data again.
    more = [*table, [], ["信義區"], ["南港區", 95, None]]
    job, resource = ingest_bytes(workbook(more), "stops.xlsx")
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert [r["col_1"] for r in rows_of(resource.current_version)] == [
        "中正區", "大安區", "信義區", "南港區"
    ]  # fmt: skip
    assert resource.current_version.report["totals"] == {"blank-row": 1}


def test_a_one_column_table_has_no_notes():
    rows = [["站名"], ["市政府"], [], ["市府站"]]

    job, resource = ingest_bytes(workbook(rows), "names.xlsx")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert [r["col_1"] for r in rows_of(resource.current_version)] == ["市政府", "市府站"]


YEARS = "年別,人口,面積\n107,2668572,271.8\n108,2645041,271.8\n"


@pytest.mark.parametrize(
    ("data", "notes"),
    [
        (
            (YEARS + "\n資料來源：臺北市政府民政局,,\n說明：人口以年底為準。,,\n").encode(),
            (5, "Rows 5 to 6", "資料來源：臺北市政府民政局 / 說明：人口以年底為準。"),
        ),
        # CP950, Windows line ends, no line end after the last; the note says what it is.
        (
            (YEARS + "註：面積含水域。,,").replace("\n", "\r\n").encode("cp950"),
            (4, "Row 4", "註：面積含水域。"),
        ),
        # A value over two lines in the data; a quoted note.
        (
            (
                '年別,人口,備註\n107,2668572,"含\n水域"\n108,2645041,\n'
                '\n"資料來源：民政局, 戶政司",,\n'
            ).encode(),
            (6, "Row 6", "資料來源：民政局, 戶政司"),
        ),
    ],
    ids=["blank-row-above", "cp950-crlf-marker", "quoted"],
)
def test_notes_below_a_csv_table_are_left_out_either_way(monkeypatch, data, notes):
    from tests.datasets.test_ingest_columnar import _both_ways

    staged, fast, slow = _both_ways(monkeypatch, data, "population.csv")

    assert staged[0] is not None  # the columnar path read it
    for version in (fast, slow):
        assert list(types_of(version).values())[:2] == ["integer", "integer"]
        assert [r["col_1"] for r in rows_of(version)] == [107, 108]
        [note] = version.report["warnings"]
        row, rows, text = notes
        assert note["row"] == row
        assert note["message"].startswith(rows) and note["message"].endswith(f"left out: {text}")
    assert fast.report == slow.report


def test_a_last_row_of_one_cell_is_data_in_a_csv_too():
    job, resource = ingest_bytes((YEARS + "合計,,\n").encode(), "population.csv")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert [r["col_1"] for r in rows_of(version)] == ["107", "108", "合計"]
    assert version.report["totals"] == {"total-row": 1}  # kept as data, pointed out


def test_a_quoted_value_ending_the_file_is_not_taken_for_notes(monkeypatch):
    from tests.datasets.test_ingest_columnar import _both_ways

    data = '年別,人口,備註\n107,2668572,\n108,2645041,"含水域\n\n說明：以年底為準"\n'.encode()

    _staged, fast, slow = _both_ways(monkeypatch, data, "population.csv")

    for version in (fast, slow):
        assert rows_of(version)[-1]["col_3"] == "含水域\n\n說明：以年底為準"
        assert "note-rows" not in version.report["totals"]


def ods_bytes(rows, spans: dict) -> bytes:
    """An ODS sheet of `rows`; spans: {(row, column): (columns, rows)} merged from there."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="聯絡")
    covered = {
        (r + dr, c + dc)
        for (r, c), (across, down) in spans.items()
        for dr in range(down)
        for dc in range(across)
        if dr or dc
    }
    for r, values in enumerate(rows):
        row = TableRow()
        for c, value in enumerate(values):
            if (r, c) in covered:
                row.addElement(CoveredTableCell())
                continue
            across, down = spans.get((r, c), (1, 1))
            extra = {"numbercolumnsspanned": across} if across > 1 else {}
            extra |= {"numberrowsspanned": down} if down > 1 else {}
            cell = TableCell(valuetype="string", **extra)
            if value is not None:
                cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xls_bytes(rows, spans: dict) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("聯絡")
    covered = set()
    for (r, c), (across, down) in spans.items():
        sheet.write_merge(r, r + down - 1, c, c + across - 1, rows[r][c])
        covered |= {(r + dr, c + dc) for dr in range(down) for dc in range(across)}
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if (r, c) not in covered and value is not None:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("reader", ["ods-calamine", "ods-odfpy", "xls"])
def test_merged_cells_of_ods_and_xls_workbooks_make_the_header_too(monkeypatch, reader):
    from datasets.ingest import read

    rows = [
        ["機關", "聯絡方式", None, "備註"],
        [None, "電話", "地址", None],
        ["民政局", "02-2720", "市府路1號", "無"],
    ]
    spans = {(0, 0): (1, 2), (0, 1): (2, 1), (0, 3): (1, 2)}
    if reader == "ods-odfpy":
        monkeypatch.setattr(read, "_sheet_xml", lambda _path: None)
    if reader == "xls":
        data, name = xls_bytes(rows, spans), "contacts.xls"
    else:
        data, name = ods_bytes(rows, spans), "contacts.ods"

    job, resource = ingest_bytes(data, name)

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert labels(resource.current_version) == ["機關", "聯絡方式 電話", "聯絡方式 地址", "備註"]
    assert resource.current_version.row_count == 1


@pytest.mark.parametrize("reader", ["xlsx", "ods-calamine", "ods-odfpy", "xls"])
def test_a_value_merged_down_over_data_rows_is_each_rows_value(monkeypatch, reader):
    from datasets.ingest import read

    rows = [
        ["行政區", "里", "男", "女"],
        ["中正區", "黎明里", "100", "110"],
        [None, "光復里", "200", "210"],
        [None, "梅花里", "300", "310"],
        ["大同區", "建明里", "未調查", None],  # merged across 男 and 女: not copied
        [None, None, None, None],
        ["資料來源：民政局", None, None, None],  # a note merged down two rows
        [None, None, None, None],
    ]
    spans = {(1, 0): (1, 3), (4, 2): (2, 1), (6, 0): (4, 2)}
    if reader == "ods-odfpy":
        monkeypatch.setattr(read, "_sheet_xml", lambda _path: None)
    if reader == "xls":
        data, name = xls_bytes(rows, spans), "villages.xls"
    elif reader == "xlsx":
        merges = ("A2:A4", "C5:D5", "A7:D8")
        data, name = workbook(rows, merges), "villages.xlsx"
    else:
        data, name = ods_bytes(rows, spans), "villages.ods"

    job, resource = ingest_bytes(data, name)

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert [(r["col_1"], r["col_2"], r["col_4"]) for r in rows_of(version)] == [
        ("中正區", "黎明里", 110),
        ("中正區", "光復里", 210),
        ("中正區", "梅花里", 310),
        ("大同區", "建明里", None),
    ]
    assert types_of(version)["女"] == "integer"
    # The note merged down two rows is quoted once, not filled into a row of its own.
    [note] = [w for w in version.report["warnings"] if w["code"] == "note-rows"]
    assert note["message"].startswith("Row 7, below the table, reads as a note")


@pytest.mark.parametrize("reader", ["ods-calamine", "ods-odfpy"])
def test_an_ods_value_merged_down_far_below_the_header_is_each_rows_value(monkeypatch, reader):
    from datasets.ingest import read

    rows = [["行政區", "里"]] + [[f"區{i}", f"里{i}"] for i in range(1, 41)]
    rows[31][0] = rows[32][0] = None  # 區30 merged down over rows 31 to 33
    if reader == "ods-odfpy":
        monkeypatch.setattr(read, "_sheet_xml", lambda _path: None)

    job, resource = ingest_bytes(ods_bytes(rows, {(30, 0): (1, 3)}), "villages.ods")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert [r["col_1"] for r in rows_of(resource.current_version)][29:33] == [
        "區30",
        "區30",
        "區30",
        "區33",
    ]
