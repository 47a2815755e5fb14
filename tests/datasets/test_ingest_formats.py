"""Spreadsheets, JSON, GeoJSON and archives, including hostile ones."""

import io
import json
import zipfile

import openpyxl
import pytest

from datasets.models import IngestJob
from tests.datasets.ingest_helpers import ingest_bytes, rows_of, types_of

pytestmark = pytest.mark.django_db


def xlsx_bytes(rows, sheets=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "說明"
    if sheets:
        for name, sheet_rows in sheets.items():
            extra = book.create_sheet(name)
            for row in sheet_rows:
                extra.append(row)
    data_sheet = book.create_sheet("資料")
    for row in rows:
        data_sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_title_rows_are_skipped_and_the_first_sheet_with_data_is_used():
    data = xlsx_bytes(
        [
            ["臺北市各區人口統計（113年）"],
            [],
            ["區域", "人口", "統計日期"],
            ["中正區", 158228, "113/01/05"],
            ["大安區", 309835, "113/02/05"],
        ]
    )

    job, resource = ingest_bytes(data, "population.xlsx")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert version.report["sheet"] == "資料" and version.report["header_row"] == 3
    assert types_of(version) == {"區域": "text", "人口": "integer", "統計日期": "date"}
    assert [r["col_2"] for r in rows_of(version)] == [158228, 309835]


def test_xlsx_sheet_and_header_row_chosen_by_the_publisher():
    data = xlsx_bytes([["x"], ["1"]], sheets={"其他": [["note"], ["a", "b"], ["1", "2"]]})

    job, resource = ingest_bytes(
        data, "book.xlsx", ingest_options={"sheet": "其他", "header_row": 2}
    )

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert [c["label"] for c in resource.current_version.columns] == ["a", "b"]


def test_xlsx_billion_laughs_is_refused_without_expanding():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    ).replace('"&lol0;', '"&lol;')
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["a"], [1]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = bomb.encode()
            target.writestr(item, content)

    job, resource = ingest_bytes(out.getvalue(), "lol.xlsx")

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "format-error"
    assert "billion laughs" in job.error
    assert resource.current_version is None


def test_json_array_and_json_lines():
    records = [{"name": "臺北", "count": 3, "tags": ["a"]}, {"name": "高雄", "count": None}]
    job, resource = ingest_bytes(json.dumps(records, ensure_ascii=False).encode(), "x.json")
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert rows_of(resource.current_version) == [
        {"name": "臺北", "count": 3, "tags": '["a"]'},
        {"name": "高雄", "count": None, "tags": None},
    ]

    lines = b'{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n'
    job, resource = ingest_bytes(lines, "x.jsonl")
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert [r["a"] for r in rows_of(resource.current_version)] == [1, 2]


def test_json_nested_100000_deep_fails_cleanly():
    data = b"[" * 100_000 + b"]" * 100_000

    job, _resource = ingest_bytes(data, "deep.json")

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "format-error"
    assert "nested" in job.error or "JSON" in job.error


def _feature(coordinates, kind="Polygon", **properties):
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": kind, "coordinates": coordinates},
    }


def test_geojson_features_become_rows_with_a_geometry_column():
    square = [[[121.5, 25.0], [121.6, 25.0], [121.6, 25.1], [121.5, 25.0]]]
    data = {
        "type": "FeatureCollection",
        "features": [
            _feature(square, name="公園"),
            _feature([121.5, 25.03], kind="Point", name="站"),
        ],
    }

    job, resource = ingest_bytes(json.dumps(data).encode(), "parks.geojson")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert types_of(version)["geometry"] == "geometry"
    rows = rows_of(version)
    assert json.loads(rows[1]["geometry"]) == {"type": "Point", "coordinates": [121.5, 25.03]}


def test_geojson_with_an_open_ring_fails_naming_row_and_column():
    open_ring = [[[121.5, 25.0], [121.6, 25.0], [121.6, 25.1], [121.55, 25.2]]]
    closed = [[[121.5, 25.0], [121.6, 25.0], [121.6, 25.1], [121.5, 25.0]]]
    data = {"type": "FeatureCollection", "features": [_feature(closed), _feature(open_ring)]}

    job, resource = ingest_bytes(json.dumps(data).encode(), "bad.geojson")

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "type-error"
    error = job.options["report"]["errors"][0]
    assert error["row"] == 2 and error["field"] == "geometry"
    assert resource.current_version is None


def zip_of(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_zip_holding_one_csv_is_ingested():
    job, resource = ingest_bytes(zip_of({"data/人口.csv": b"a,b\n1,2\n"}), "x.zip")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert rows_of(resource.current_version) == [{"a": 1, "b": 2}]


def test_zip_bomb_is_refused_before_extracting():
    job, resource = ingest_bytes(zip_of({"big.csv": b"0" * 20_000_000}), "bomb.zip")

    assert job.status == IngestJob.Status.FAILED
    assert "ZIP" in job.error
    assert resource.current_version is None


def test_zip_with_path_traversal_is_refused():
    job, _resource = ingest_bytes(zip_of({"../../etc/evil.csv": b"a\n1\n"}), "evil.zip")

    assert job.status == IngestJob.Status.FAILED
    assert "evil.csv" in job.error


def test_other_formats_are_stored_but_explained_as_not_ingested():
    job, resource = ingest_bytes(b"%PDF-1.4 binary\x00\x01", "report.pdf")

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "format-error"
    assert resource.file  # still downloadable


def test_ods_spreadsheet_is_ingested():
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    sheet = Table(name="資料")
    for row in (["區域", "人口"], ["中正區", 158228], ["大安區", 309835]):
        table_row = TableRow()
        for value in row:
            if isinstance(value, int):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            table_row.addElement(cell)
        sheet.addElement(table_row)
    document.spreadsheet.addElement(sheet)
    out = io.BytesIO()
    document.write(out)

    job, resource = ingest_bytes(out.getvalue(), "population.ods")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert [r["col_2"] for r in rows_of(resource.current_version)] == [158228, 309835]


def test_legacy_xls_with_a_title_row_dates_and_booleans_is_ingested():
    import datetime

    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("空白")  # an empty first sheet: the first sheet with data is used
    sheet = book.add_sheet("資料")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    sheet.write(0, 0, "臺北市公有停車場（113年）")
    for column, label in enumerate(["名稱", "格位", "啟用日", "收費"]):
        sheet.write(2, column, label)
    rows = [("府前", 120, datetime.date(2024, 1, 5), True), ("市民", 80.5, None, False)]
    for number, (name, spaces, opened, paid) in enumerate(rows, start=3):
        sheet.write(number, 0, name)
        sheet.write(number, 1, spaces)
        if opened:
            sheet.write(number, 2, opened, dates)
        sheet.write(number, 3, paid)
    out = io.BytesIO()
    book.save(out)

    job, resource = ingest_bytes(out.getvalue(), "parking.xls")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert version.report["sheet"] == "資料" and version.report["header_row"] == 3
    assert types_of(version) == {
        "名稱": "text",
        "格位": "number",
        "啟用日": "date",
        "收費": "boolean",
    }
    assert [(r["col_1"], r["col_2"]) for r in rows_of(version)] == [("府前", 120.0), ("市民", 80.5)]
    assert str(rows_of(version)[0]["col_3"]) == "2024-01-05"
