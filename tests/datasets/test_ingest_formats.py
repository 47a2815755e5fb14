"""Spreadsheets, JSON, GeoJSON and archives, including hostile ones."""

import codecs
import io
import json
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest

from datasets.ingest import columnar, read
from datasets.models import IngestJob
from tests.datasets.ingest_helpers import (
    ingest,
    ingest_bytes,
    resource_with_file,
    rows_of,
    types_of,
)

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


def _billion_laughs() -> bytes:
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
    return out.getvalue()


def test_xlsx_billion_laughs_is_refused_without_expanding():
    job, resource = ingest_bytes(_billion_laughs(), "lol.xlsx")

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
    assert job.error == "The JSON is nested too deeply."


def test_json_rows_inside_an_object_with_a_bom_and_nested_values():
    # Portals wrap their rows ({"success": true, "result": {...}, "records": [...]}).
    document = {
        "success": True,
        "fields": {"name": "站名"},
        "records": [
            {"name": "市政府", "bikes": 180, "ratio": 1.0, "where": {"lat": 25.04, "lon": 121.56}},
            {"name": "101", "bikes": 12.5, "tags": [["a", "b"], {"c": None}]},
        ],
    }
    data = codecs.BOM_UTF8 + json.dumps(document, ensure_ascii=False).encode()

    job, resource = ingest_bytes(data, "stations.json")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert rows_of(resource.current_version) == [
        {"name": "市政府", "bikes": 180.0, "ratio": 1.0, "where": '{"lat": 25.04, "lon": 121.56}',
         "tags": None},
        {"name": "101", "bikes": 12.5, "ratio": None, "where": None,
         "tags": '[["a", "b"], {"c": null}]'},
    ]  # fmt: skip
    assert types_of(resource.current_version)["bikes"] == "number"


STATIONS = [{"站名": "市政府", "車位": 180}, {"站名": "臺北101", "車位": 60}]
# How portals describe their columns beside the rows (CKAN's datastore_search).
FIELDS = [
    {"id": "_id", "type": "int"},
    {"id": "站名", "type": "text"},
    {"id": "車位", "type": "int"},
]


@pytest.mark.parametrize(
    ("document", "rows_at"),
    [
        # CKAN datastore_search's result saved as a file: the field list comes first.
        ({"resource_id": "abc", "fields": FIELDS, "records": STATIONS, "total": 2}, "records"),
        # data.taipei's API (/api/v1/dataset/{id}?scope=resourceAquire).
        ({"result": {"limit": 1000, "offset": 0, "count": 2, "results": STATIONS}},
         "result.results"),
        # CKAN's whole response: more fields than records, the records still win.
        ({"help": "…", "success": True, "result": {"fields": FIELDS, "records": STATIONS}},
         "result.records"),
        # No key says where the rows are: the longest list of objects, not the first.
        ({"links": [{"rel": "self"}], "stations": STATIONS}, "stations"),
        # A column list longer than the rows, under keys that say neither: still not rows.
        ({"columns": FIELDS, "list": STATIONS}, "list"),
    ],
    ids=["ckan-file", "data-taipei", "ckan-response", "longest-list", "columns-list"],
)  # fmt: skip
def test_json_rows_are_found_where_a_portals_response_keeps_them(document, rows_at):
    job, resource = ingest_bytes(json.dumps(document, ensure_ascii=False).encode(), "api.json")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert [c["label"] for c in version.columns] == ["站名", "車位"]
    assert rows_of(version) == [
        {"col_1": "市政府", "col_2": 180},
        {"col_1": "臺北101", "col_2": 60},
    ]
    assert version.report["rows_at"] == rows_at


def test_a_json_row_that_is_not_an_object_is_named():
    rows = [{"站名": f"站{i}", "車位": i} for i in range(1, 40)]
    rows.insert(36, None)  # a stray null: row 37

    job, _resource = ingest_bytes(json.dumps(rows, ensure_ascii=False).encode(), "x.json")

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "format-error"
    assert job.error_translations["en"] == (
        "Row 37 is not a JSON object. "
        "Only a JSON array of objects (one object per row) can be ingested."
    )
    assert job.error_translations["zh-hant"] == (
        "第 37 筆不是 JSON 物件。只能匯入由物件組成的 JSON 陣列（每列一個物件）。"
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'[{"a": 1}, {"a": ', "The file is not valid JSON near row 2"),
        (b'[{"a": 1}, 2]', "Row 2 is not a JSON object."),
        (b'{"tags": ["a", "b"], "total": 2}', "Only a JSON array of objects"),
        (b'{"result": {"result": {"records": [{"a": 1}]}}}', "Only a JSON array of objects"),
        (b'{"total": 2}', "Only a JSON array of objects"),
        (b"[" * 65 + b"]" * 65, "nested too deeply"),
    ],
    ids=["truncated", "not-an-object", "list-of-values", "too-deep-for-rows", "no-list", "65-deep"],
)
def test_json_that_is_not_a_table_is_refused_with_the_reason(data, expected):
    job, resource = ingest_bytes(data, "bad.json")

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "format-error"
    assert expected in job.error
    assert resource.current_version is None


@pytest.mark.parametrize(
    ("data", "english", "chinese"),
    [
        (
            b'[{"a": 1},\n {"a": 2}\n {"a": 3}]',
            "near row 2: a comma, colon, quote or bracket is missing or out of place. "
            'Near: [{"a": 1}, {"a": 2} {"a": 3}]',
            "在第 2 筆附近不是有效的 JSON：缺少逗號、冒號、引號或括號，或位置不對。",
        ),
        (
            b'{"records": [{"a": 1}, {"a": 2}, {"a": tru}]}',
            "near row 3: a value is not a number, a text in double quotes, true, false or null.",
            "在第 3 筆附近不是有效的 JSON：有個值不是數字、雙引號括起的文字、true、false 或 null。",
        ),
        (
            b'[{"a": 1}, {"a": 2}, {"a": 3',
            "near row 3: the file ends in the middle of the data (was it cut short?).",
            "檔案在資料中途就結束了（是否被截斷？）",
        ),
        (
            b'[{"a": 1}] xx',
            "The file is not valid JSON: there is more text after the end of the data.",
            "資料結束後還有其他文字",
        ),
    ],
    ids=["missing-comma", "bad-value", "cut-short", "trailing-text"],
)
def test_broken_json_is_explained_with_the_row_and_the_text_near_the_fault(data, english, chinese):
    job, resource = ingest_bytes(data, "bad.json")

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "format-error"
    assert english in job.error_translations["en"]
    assert chinese in job.error_translations["zh-hant"]
    assert "right here" not in job.error_translations["en"]  # yajl's pointer line is gone
    assert resource.current_version is None


def test_a_broken_json_line_is_named_with_the_character_where_it_breaks():
    job, _resource = ingest_bytes(b'{"a": 1}\n{"a": 2,, "b": 3}\n', "bad.jsonl")

    assert job.status == IngestJob.Status.FAILED
    assert job.error_translations["en"] == "Line 2 is not valid JSON from character 9."
    assert job.error_translations["zh-hant"] == "第 2 行從第 9 個字元起不是有效的 JSON。"


def _priced_workbook(saved_results: bool) -> bytes:
    """Prices and totals: the totals formulas, as a program writes them (no results), or
    with their results saved, as Excel saves them. Sheet 2 is the table; sheet 1 a cover."""
    book = openpyxl.Workbook()
    book.active.title = "說明"
    book.active.append(["本資料由財政局提供"])
    sheet = book.create_sheet("價格")
    sheet.append(["品項", "單價", "數量", "小計"])
    for row in range(2, 6):
        sheet.append([f"品項{row}", row * 10, 2, f"=B{row}*C{row}"])
    sheet["D6"] = "=SUM(D2:D5)"
    buffer = io.BytesIO()
    book.save(buffer)
    if not saved_results:
        return buffer.getvalue()
    # Excel keeps a formula's last result in <v>: write those in as it would.
    source, out = zipfile.ZipFile(buffer), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                for row in range(2, 6):
                    data = data.replace(
                        f"<f>B{row}*C{row}</f><v />".encode(),
                        f"<f>B{row}*C{row}</f><v>{row * 20}</v>".encode(),
                    )
            target.writestr(item, data)
    return out.getvalue()


def test_formulas_saved_without_results_are_named_with_their_column_and_row():
    job, resource = ingest_bytes(_priced_workbook(saved_results=False), "prices.xlsx")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    [warning] = [
        w for w in resource.current_version.report["warnings"]
        if w["code"] == "formula-without-value"
    ]  # fmt: skip
    assert (warning["row"], warning["column"], warning["field"]) == (2, 4, "小計")
    assert warning["translations"]["en"].startswith(
        "Column 4 (小計) has 5 formulas whose results were not saved in the workbook, the "
        "first in row 2: those cells are empty."
    )
    assert warning["translations"]["zh-hant"].startswith("第 4 欄（小計）有 5 個公式")


def test_formulas_with_their_results_saved_are_read_as_values():
    job, resource = ingest_bytes(_priced_workbook(saved_results=True), "prices.xlsx")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    total = next(c["id"] for c in resource.current_version.columns if c["label"] == "小計")
    rows = rows_of(resource.current_version)
    assert [r[total] for r in rows[:4]] == [40, 60, 80, 100]
    warnings = resource.current_version.report["warnings"]
    # The total in row 6 is still a formula without its result.
    assert [(w["row"], w["column"]) for w in warnings if w["code"] == "formula-without-value"] == [
        (6, 4)
    ]


FILES = Path(__file__).parent / "files"


def test_a_password_protected_workbook_is_refused_with_what_to_do():
    # Encrypted the way Excel encrypts a workbook (made with msoffcrypto-tool, password
    # "secret"): an OLE compound file holding the encrypted package.
    data = (FILES / "password-protected.xlsx").read_bytes()

    job, resource = ingest_bytes(data, "stations.xlsx")

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "format-error"
    assert job.error_translations["en"].startswith("The workbook is protected with a password")
    assert job.error_translations["zh-hant"].startswith("這個活頁簿設有密碼保護")
    assert resource.current_version is None


def _workbook_with(workbook_xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", workbook_xml)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (_workbook_with(b"<workbook><sheets>"), "damaged.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000, "damaged.xls"),
    ],
    ids=["xlsx", "xls"],
)
def test_a_damaged_workbook_is_refused_in_the_publishers_words(data, name):
    job, _resource = ingest_bytes(data, name)

    assert job.status == IngestJob.Status.FAILED
    assert job.error_translations["en"] == (
        "The spreadsheet cannot be read: the file is damaged or is not a spreadsheet. Save it "
        "again from Excel or LibreOffice and upload it again."
    )
    assert job.error_translations["zh-hant"].startswith("無法讀取試算表：檔案已損壞")


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


def test_geojson_feature_ids_are_kept_as_a_column():
    # OSM and ArcGIS exports give each feature an id beside its properties.
    data = {
        "type": "FeatureCollection",
        "features": [
            {**_feature([121.565, 25.041], kind="Point", name="市政府站"), "id": "A01"},
            {**_feature([121.576, 25.041], kind="Point", name="永春站"), "id": "A02"},
        ],
    }

    job, resource = ingest_bytes(json.dumps(data, ensure_ascii=False).encode(), "s.geojson")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert types_of(version) == {"id": "text", "name": "text", "geometry": "geometry"}
    assert [(r["id"], r["name"]) for r in rows_of(version)] == [
        ("A01", "市政府站"),
        ("A02", "永春站"),
    ]
    assert version.report["warnings"] == []


def _clashing_features(geometries) -> bytes:
    """Features whose properties are named as our columns are: 'id' and 'geometry'."""
    features = [
        {**_feature(g, kind="Point", id=f"P{i}", geometry=f"舊座標 {i}", name=f"站 {i}"), "id": i}
        for i, g in enumerate(geometries, start=1)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def test_geojson_properties_named_id_or_geometry_are_kept_under_other_labels():
    job, resource = ingest_bytes(_clashing_features([[121.5, 25.0], [121.6, 25.1]]), "s.geojson")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert types_of(version) == {
        "id_2": "integer", "id": "text", "geometry_2": "text", "name": "text",
        "geometry": "geometry",
    }  # fmt: skip
    [row, _second] = rows_of(version)
    assert (row["id_2"], row["id"], row["geometry_2"]) == (1, "P1", "舊座標 1")
    assert json.loads(row["geometry"]) == {"type": "Point", "coordinates": [121.5, 25.0]}
    warnings = version.report["warnings"]
    assert [(w["code"], w["column"], w["field"]) for w in warnings] == [
        ("duplicate-label", 1, "id_2"),
        ("duplicate-label", 3, "geometry_2"),
    ]
    assert [w["translations"]["en"] for w in warnings] == [
        "Column 1 holds the features' ids, named 'id_2': a property is named 'id'.",
        "Column 3 is the features' property 'geometry', renamed 'geometry_2': the column "
        "'geometry' holds their geometries.",
    ]
    assert warnings[1]["translations"]["zh-hant"] == (
        "第 3 欄是圖徵的屬性「geometry」，已改名為「geometry_2」：「geometry」欄存放圖徵的幾何。"
    )


def test_clashing_geojson_properties_keep_their_values_when_read_without_a_csv_copy():
    # An open ring stops the CSV copy; a dictionary taking the geometry as text keeps the
    # file ingestible, so the objects themselves are read, row by row.
    open_ring = [[[121.5, 25.0], [121.6, 25.0], [121.6, 25.1], [121.55, 25.2]]]
    data = json.loads(_clashing_features([[121.5, 25.0], [121.6, 25.1]]))
    data["features"][1]["geometry"] = {"type": "Polygon", "coordinates": open_ring}
    schema = {"fields": [{"name": "geometry", "type": "string"}]}

    job, resource = ingest_bytes(json.dumps(data).encode(), "s.geojson", schema=schema)

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    rows = rows_of(resource.current_version)
    assert [(r["id_2"], r["id"], r["geometry_2"]) for r in rows] == [
        (1, "P1", "舊座標 1"),
        (2, "P2", "舊座標 2"),
    ]
    assert json.loads(rows[1]["geometry"])["type"] == "Polygon"


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


@pytest.mark.parametrize(
    "coordinates",
    [["121.5", "25.0"], [121.5], [121.5, True], [[121.5, 25.0]]],
    ids=["text", "one-number", "boolean", "too-deep"],
)
def test_geojson_coordinates_that_are_not_positions_fail_naming_row_and_column(coordinates):
    point = {"type": "Point", "coordinates": [121.5, 25.0]}
    bad = {"type": "Point", "coordinates": coordinates}
    features = [{"type": "Feature", "geometry": g, "properties": {"n": 1}} for g in (point, bad)]
    data = {"type": "FeatureCollection", "features": features}

    job, resource = ingest_bytes(json.dumps(data).encode(), "bad.geojson")

    assert job.status == IngestJob.Status.FAILED
    error = job.options["report"]["errors"][0]
    assert error["row"] == 2 and error["field"] == "geometry"
    assert resource.current_version is None


@pytest.mark.parametrize("properties", [["n", 1], "n=1", 5])
def test_geojson_properties_that_are_not_an_object_fail_naming_the_feature(properties):
    point = {"type": "Point", "coordinates": [121.5, 25.0]}
    features = [{"type": "Feature", "geometry": point, "properties": p} for p in ({}, properties)]
    data = {"type": "FeatureCollection", "features": features}

    job, resource = ingest_bytes(json.dumps(data).encode(), "bad.geojson")

    assert job.status == IngestJob.Status.FAILED and job.error_code == "format-error"
    assert "The properties of feature 2 are not an object." in job.error
    assert resource.current_version is None


def test_wkt_spellings_only_python_reads_as_numbers_leave_the_column_text():
    for odd in ("POINT (nan 25)", "POINT (1_21.5 25)", "POINT (121.5 1e999)"):
        job, resource = ingest_bytes(f"名稱,位置\nA,POINT (121.5 25.0)\nB,{odd}\n".encode())

        assert job.status == IngestJob.Status.SUCCEEDED, job.error
        assert types_of(resource.current_version)["位置"] == "text", odd
        assert rows_of(resource.current_version)[1]["col_2"] == odd


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


def test_zip_holding_the_data_and_a_text_file_describing_it_reads_the_data():
    members = {"說明.txt": "欄位說明：a 為代碼".encode(), "data/人口.csv": b"a,b\n1,2\n"}

    job, resource = ingest_bytes(zip_of(members), "x.zip")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert rows_of(resource.current_version) == [{"a": 1, "b": 2}]


def test_zip_holding_several_tables_names_them():
    members = {"2023.csv": b"a\n1\n", "2024.csv": b"a\n2\n", "readme.txt": b"x"}

    job, resource = ingest_bytes(zip_of(members), "x.zip")

    assert job.status == IngestJob.Status.FAILED
    assert "this one holds 2: 2023.csv, 2024.csv." in job.error
    assert resource.current_version is None


def test_zip_bomb_is_refused_before_extracting():
    job, resource = ingest_bytes(zip_of({"big.csv": b"0" * 20_000_000}), "bomb.zip")

    assert job.status == IngestJob.Status.FAILED
    assert "ZIP" in job.error
    assert resource.current_version is None


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/evil.csv",
        "..\\..\\etc\\evil.csv",
        "data\\..\\..\\evil.csv",
        "/etc/evil.csv",
        "\\evil.csv",
        "C:\\Windows\\evil.csv",
        "C:evil.csv",
        "\\\\server\\share\\evil.csv",
    ],
    ids=["climbs", "climbs-backslashes", "climbs-from-a-folder", "absolute", "root-backslash",
         "drive", "drive-relative", "network-share"],
)  # fmt: skip
def test_zip_with_path_traversal_is_refused(name):
    job, _resource = ingest_bytes(zip_of({name: b"a\n1\n"}), "evil.zip")

    assert job.status == IngestJob.Status.FAILED
    assert job.error == f"The ZIP archive contains an unsafe path: {name}"


def test_zip_made_by_windows_powershell_with_backslashes_is_ingested():
    # PowerShell 5's Compress-Archive writes folder separators as backslashes.
    members = {
        "資料\\說明.txt": "欄位說明".encode(),
        "資料\\停車場.csv": "名稱,格位\n府前,120\n".encode(),
    }

    job, resource = ingest_bytes(zip_of(members), "parking.zip")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert rows_of(resource.current_version) == [{"col_1": "府前", "col_2": 120}]


def test_other_formats_are_stored_but_explained_as_not_ingested():
    job, resource = ingest_bytes(b"%PDF-1.4 binary\x00\x01", "report.pdf")

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "format-error"
    assert resource.file  # still downloadable


MAINTENANCE_PAGE = (
    '\ufeff<!DOCTYPE html>\n<html lang="zh-Hant"><head><title>系統維護中</title></head>'
    "<body><p>系統維護中，請稍後再試。</p></body></html>\n"
).encode()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (MAINTENANCE_PAGE, "stations.csv", "this file is a web page (HTML), not a data table"),
        (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"></html>',
         "stations.csv", "this file is a web page (HTML), not a data table"),
        (b'<?xml version="1.0"?>\n<stations><station id="1"/></stations>', "stations.csv",
         "this file is not a table we can read"),
    ],
    ids=["html", "xhtml", "xml"],
)  # fmt: skip
def test_a_web_page_or_xml_named_as_data_is_not_read_as_a_table(content, name, expected):
    job, resource = ingest_bytes(content, name)

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "format-error"
    assert expected in job.error
    assert resource.current_version is None


def test_a_csv_whose_first_label_starts_with_a_bracket_is_still_a_table():
    job, resource = ingest_bytes("<5歲,5-9歲\n12,30\n".encode(), "ages.csv")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert [c["label"] for c in resource.current_version.columns] == ["<5歲", "5-9歲"]


def test_ods_spreadsheet_is_ingested():
    data = _ods({"資料": [["區域", "人口"], ["中正區", 158228], ["大安區", 309835]]})

    job, resource = ingest_bytes(data, "population.ods")

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


def _rich_workbook() -> bytes:
    """Typed cells as agencies' workbooks hold them, with data starting at C3 below a
    title, a hidden empty sheet first, merged title cells and a cell with a line break."""
    book = openpyxl.Workbook()
    book.active.title = "封面"
    book.active.sheet_state = "hidden"
    sheet = book.create_sheet("統計")
    sheet["C1"] = "臺北市公共自行車站點（113年）"
    sheet.merge_cells("C1:F1")
    rows = [
        ["站名", "車位", "比率", "啟用日", "更新時間", "營運中", "備註"],
        ["市政府", 180, 0.25, date(2024, 1, 5), datetime(2024, 1, 5, 8, 30), True, None],
        ["捷運\n市府站", 60, 1.0, date(2023, 12, 31), datetime(2024, 1, 5), False, "多行"],
        ["101", -3, 1e20, None, datetime(2024, 2, 29, 23, 59, 59), None, ""],
        ["信義廣場", 12.5, 0.1 + 0.2, date(1999, 1, 1), time(6, 0), True, "=不是公式"],
    ]
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values, start=3):
            sheet.cell(row=r, column=c, value=value)
    sheet["J4"] = "=SUM(D4:D5)"  # written without a cached value: read as empty
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read_both_ways(monkeypatch, tmp_path, data: bytes, options=None, name="book.xlsx"):
    """The table calamine reads, and the one openpyxl (or odfpy) reads."""
    path = tmp_path / name
    path.write_bytes(data)
    tables = {}
    for reader in ("calamine", "other"):
        if reader == "other":
            monkeypatch.setattr(read, "_sheet_xml", lambda _path: None)
        workdir = tmp_path / reader
        workdir.mkdir()
        _fmt, table = read.open_table(path, name, options or {}, workdir)
        tables[reader] = (table.labels, table.header_row, table.sheet, list(table.rows()))
    return tables["calamine"], tables["other"]


def test_calamine_reads_a_workbook_exactly_as_openpyxl_does(monkeypatch, tmp_path):
    calamine, openpyxl_table = _read_both_ways(monkeypatch, tmp_path, _rich_workbook())

    assert calamine == openpyxl_table
    labels, header_row, sheet, rows = calamine
    assert (sheet, header_row) == ("統計", 3)
    assert labels[2:] == ["站名", "車位", "比率", "啟用日", "更新時間", "營運中", "備註"]
    assert rows[0] == (4, [*["", ""], "市政府", "180", "0.25", "2024-01-05",
                           "2024-01-05T08:30:00", "true", ""])  # fmt: skip
    assert rows[1][1][2] == "捷運\n市府站" and rows[1][1][6] == "2024-01-05"  # midnight
    assert [number for number, _cells in rows] == [4, 5, 6, 7]


def test_a_chosen_sheet_and_header_row_read_the_same_either_way(monkeypatch, tmp_path):
    data = xlsx_bytes([["x"], ["1"]], sheets={"其他": [["note"], ["a", "b"], ["1", "2"]]})

    calamine, openpyxl_table = _read_both_ways(
        monkeypatch, tmp_path, data, {"sheet": "其他", "header_row": 2}
    )

    assert calamine == openpyxl_table
    assert calamine[0] == ["a", "b"]


def test_formatted_empty_rows_and_columns_past_the_data_are_not_data(monkeypatch):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["站名", "車位"], ["市政府", 180], [], ["捷運站", 60]):
        sheet.append(row)
    for cell in ("A10", "C2", "F40"):  # formatted, never filled: readers pad to them
        sheet[cell].number_format = "0.00"
    out = io.BytesIO()
    book.save(out)
    staged = []
    stage = columnar.stage
    monkeypatch.setattr(columnar, "stage", lambda **kw: staged.append(stage(**kw)) or staged[-1])

    for name in ("calamine", "openpyxl"):
        if name == "openpyxl":
            monkeypatch.setattr(read, "CALAMINE_MAX_XML", -1)
        job, resource = ingest_bytes(out.getvalue(), "stations.xlsx")
        assert job.status == IngestJob.Status.SUCCEEDED, job.error
        version = resource.current_version
        assert rows_of(version) == [
            {"col_1": "市政府", "col_2": 180},
            {"col_1": "捷運站", "col_2": 60},
        ]
        # Only the blank row between rows with data is reported.
        assert [w["row"] for w in version.report["warnings"]] == [3], name


def test_large_sheets_and_declared_dtds_are_left_to_openpyxl(monkeypatch, tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(_rich_workbook())
    assert 1000 < read._sheet_xml(path) < read.CALAMINE_MAX_XML
    (tmp_path / "lol.xlsx").write_bytes(_billion_laughs())
    assert read._sheet_xml(tmp_path / "lol.xlsx") is None

    calls = []
    monkeypatch.setattr(read, "_read_calamine", lambda *args: calls.append(args))
    monkeypatch.setattr(read, "CALAMINE_MAX_XML", 1000)
    job, resource = ingest_bytes(_rich_workbook(), "book.xlsx")
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert resource.current_version.row_count == 4
    assert calls == []


def test_a_workbook_calamine_fails_on_is_read_by_the_python_reader(monkeypatch):
    def broken(*args):
        raise ValueError("calamine: unexpected element")

    monkeypatch.setattr(read, "_read_calamine", broken)
    for name, data, rows in (("book.xlsx", _rich_workbook(), 4), ("x.ods", _ods(ODS_SHEETS), 2)):
        job, resource = ingest_bytes(data, name)
        assert job.status == IngestJob.Status.SUCCEEDED, job.error
        assert resource.current_version.row_count == rows, name


def _ods(sheets: dict, styles=(), hidden=()) -> bytes:
    """An ODS workbook of {sheet name: rows}; the sheets named in `hidden` take the first
    of `styles` (automatic styles to add)."""
    from odf.opendocument import OpenDocumentSpreadsheet

    document = OpenDocumentSpreadsheet()
    for style in styles:
        document.automaticstyles.addElement(style)
    for name, rows in sheets.items():
        document.spreadsheet.addElement(
            _ods_sheet(name, rows, styles[0] if name in hidden else None)
        )
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def _ods_sheet(name: str, rows, style=None):
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    sheet = Table(name=name, stylename=style)
    for row in rows:
        table_row = TableRow()
        for value in row:
            if value is None:
                cell = TableCell()
            elif isinstance(value, bool):
                cell = TableCell(valuetype="boolean", booleanvalue=str(value).lower())
                cell.addElement(P(text=str(value).upper()))
            elif isinstance(value, int | float):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
            elif isinstance(value, date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
                cell.addElement(P(text=value.isoformat()))
            elif isinstance(value, tuple):  # a percentage
                cell = TableCell(valuetype="percentage", value=value[0])
                cell.addElement(P(text=f"{value[0]:.0%}"))
            else:
                cell = TableCell(valuetype="string")
                for line in value.split("\n"):
                    cell.addElement(P(text=line))
            table_row.addElement(cell)
        sheet.addElement(table_row)
    return sheet


ODS_SHEETS = {
    "說明": [],  # a cover sheet with nothing in it: the first sheet with data is used
    "人口": [
        ["臺北市各區人口（113年）"],
        [],
        ["區域", "人口", "比率", "統計日", "更新", "直轄市", "備註"],
        ["中正區", 158228, (0.06,), date(2024, 1, 5), datetime(2024, 1, 5, 8, 30), True, None],
        [],
        [
            "大安區",
            309835,
            (0.125,),
            date(2024, 2, 5),
            datetime(2024, 2, 5),
            False,
            "第一行\n第二行",
        ],
        [None, None],
    ],
}


def test_calamine_reads_an_ods_file_exactly_as_odfpy_does(monkeypatch, tmp_path):
    calamine, odfpy = _read_both_ways(monkeypatch, tmp_path, _ods(ODS_SHEETS), name="x.ods")

    assert calamine == odfpy
    labels, header_row, sheet, rows = calamine
    assert (sheet, header_row, labels[0]) == ("人口", 3, "區域")
    assert rows == [
        (4, ["中正區", "158228", "0.06", "2024-01-05", "2024-01-05T08:30:00", "true", ""]),
        (5, [""] * 7),
        (6, ["大安區", "309835", "0.125", "2024-02-05", "2024-02-05", "false", "第一行\n第二行"]),
    ]


def test_an_ods_file_too_large_for_memory_is_refused_with_the_way_out(monkeypatch):
    monkeypatch.setattr(read, "ODS_MAX_XML", 1000)

    job, resource = ingest_bytes(_ods(ODS_SHEETS), "x.ods")

    assert job.status == IngestJob.Status.FAILED
    assert "too large to read here" in job.error and "Save it as CSV or XLSX" in job.error
    assert resource.current_version is None


def test_a_clean_workbook_takes_the_columnar_path_and_keeps_its_row_numbers(monkeypatch):
    staged = []
    stage = columnar.stage
    monkeypatch.setattr(columnar, "stage", lambda **kw: staged.append(stage(**kw)) or staged[-1])
    rows = [["臺北市公車站牌"], [], ["站名", "路線數", "設站日", "備註"]]
    rows += [
        [f"站{i}", i % 7, date(2020, 1, 1) + timedelta(days=i), "夜間停駛" if i % 50 else None]
        for i in range(1, 301)
    ]

    job, resource = ingest_bytes(xlsx_bytes(rows), "stops.xlsx")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert staged and staged[0] is not None
    version = resource.current_version
    assert types_of(version) == {
        "站名": "text",
        "路線數": "integer",
        "設站日": "date",
        "備註": "text",
    }
    assert version.row_count == 300 and version.encoding == ""
    assert (version.report["sheet"], version.report["header_row"]) == ("資料", 3)
    assert version.report["encoding"] == version.report["delimiter"] == ""

    # A declared type one cell breaks: the report names the sheet's row, not the CSV's
    # line, even below a cell holding a line break.
    rows[5][0] = "站\n名"
    rows[8][2] = "明天"
    schema = {"fields": [{"name": "設站日", "type": "date"}]}
    job, _resource = ingest_bytes(xlsx_bytes(rows), "stops.xlsx", schema=schema)
    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "type-error"
    assert "Row 9, column 3 (設站日): '明天' is not a valid date" in job.error


def test_a_lone_geojson_feature_is_one_row_and_a_geojson_without_features_is_refused():
    feature = _feature([121.5, 25.03], kind="Point", name="市政府站")

    job, resource = ingest_bytes(json.dumps(feature).encode(), "station.geojson")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    [row] = rows_of(resource.current_version)
    assert row["name"] == "市政府站"
    assert json.loads(row["geometry"]) == {"type": "Point", "coordinates": [121.5, 25.03]}

    job, _resource = ingest_bytes(b'{"type": "FeatureCollection"}', "empty.geojson")
    assert job.status == IngestJob.Status.FAILED
    assert job.error == "The GeoJSON has no list of features."


def test_a_cover_sheet_of_notes_is_passed_over_for_the_sheet_that_looks_like_a_table():
    book = openpyxl.Workbook()
    book.active.title = "說明"
    book.active.append(["本資料由臺北市政府交通局提供"])
    book.active.append(["更新頻率：每月"])
    data_sheet = book.create_sheet("資料")
    for row in (["站名", "車位"], ["市政府", 180], ["101", 60]):
        data_sheet.append(row)
    out = io.BytesIO()
    book.save(out)

    job, resource = ingest_bytes(out.getvalue(), "stations.xlsx")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert resource.current_version.report["sheet"] == "資料"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The sheet '說明' has a header but no rows of data. The file's other sheets: "
               "資料, 附表. Choose the sheet to read under 'Read the file differently'"),
        ("zh-hant", "工作表「說明」只有標題列，沒有資料列。此檔案的其他工作表：資料、附表。"),
    ],
)  # fmt: skip
def test_a_sheet_without_rows_names_the_other_sheets_to_choose(language, expected):
    book = openpyxl.Workbook()
    book.active.title = "說明"
    book.active.append(["備註", "本資料由交通局提供"])  # looks like a header row, no rows
    book.create_sheet("資料").append(["站名"])
    book.create_sheet("附表").append(["區"])
    out = io.BytesIO()
    book.save(out)
    resource = resource_with_file(out.getvalue(), "stations.xlsx")

    job = ingest(resource, options={"language": language})

    assert job.status == IngestJob.Status.FAILED
    assert expected in job.error


def test_rows_written_to_the_csv_copy_are_counted_as_they_go(tmp_path):
    # The status line shows them while a large workbook or JSON file is converted.
    records = [{"id": i, "name": f"站 {i}"} for i in range(1, 25_001)]
    (tmp_path / "rows.json").write_text(json.dumps(records, ensure_ascii=False))
    (tmp_path / "rows.xlsx").write_bytes(
        xlsx_bytes([["id", "name"], *[[i, f"站 {i}"] for i in range(1, 25_001)]])
    )

    for name in ("rows.json", "rows.xlsx"):
        told = []
        workdir = tmp_path / name.split(".")[1]
        workdir.mkdir()
        _fmt, table = read.open_table(tmp_path / name, name, {}, workdir, on_rows=told.append)
        assert told == [10_000, 20_000], name
        assert sum(1 for _row in table.rows()) == 25_000


@pytest.mark.parametrize("reader", ["xlsx", "csv"])
def test_a_title_above_a_two_column_table_is_not_taken_for_its_header(reader):
    rows = [["臺北市公車站牌數（113年）"], [], ["區", "站牌數"], ["中正區", 180], ["大安區", 210]]
    if reader == "xlsx":
        data, name = xlsx_bytes(rows), "stops.xlsx"
    else:
        data = "\n".join(",".join(str(c) for c in row) for row in rows).encode() + b"\n"
        name = "stops.csv"

    job, resource = ingest_bytes(data, name)

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert version.report["header_row"] == 3
    assert types_of(version) == {"區": "text", "站牌數": "integer"}


LOOKUP = [["代碼", "名稱"], ["01", "中正區"], ["02", "大同區"]]
DATA = [["區", "人數"], ["中正區", 100], ["大同區", 200]]


def _hidden_lookup_then_data(name: str) -> bytes:
    """A workbook whose first sheet, hidden, holds the lists behind the data sheet's
    drop-downs, as agencies' templates do."""
    out = io.BytesIO()
    if name.endswith(".xlsx"):
        book = openpyxl.Workbook()
        book.active.title = "代碼表"
        book.active.sheet_state = "hidden"
        for row in LOOKUP:
            book.active.append(row)
        data_sheet = book.create_sheet("資料")
        for row in DATA:
            data_sheet.append(row)
        book.active = 1
        book.save(out)
    elif name.endswith(".xls"):
        import xlwt

        book = xlwt.Workbook(encoding="utf-8")
        for sheet_name, rows in (("代碼表", LOOKUP), ("資料", DATA)):
            sheet = book.add_sheet(sheet_name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    sheet.write(r, c, value)
        book.get_sheet(0).visibility = 1  # hidden
        book.save(out)
    else:
        from odf.style import Style, TableProperties

        hidden = Style(name="ta2", family="table")
        hidden.addElement(TableProperties(display="false"))
        out.write(_ods({"代碼表": LOOKUP, "資料": DATA}, styles=[hidden], hidden={"代碼表"}))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "route"),
    [
        ("codes.xlsx", "calamine"),
        ("codes.xlsx", "python"),
        ("codes.xls", "xlrd"),
        ("codes.ods", "calamine"),
        ("codes.ods", "python"),
    ],
)
def test_a_hidden_lookup_sheet_is_passed_over_for_the_visible_data_sheet(monkeypatch, name, route):
    if route == "python":  # openpyxl for large XLSX sheets, odfpy when calamine fails
        monkeypatch.setattr(read, "_sheet_xml", lambda _path: None)
    data = _hidden_lookup_then_data(name)

    job, resource = ingest_bytes(data, name)

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    assert version.report["sheet"] == "資料"
    assert rows_of(version) == [
        {"col_1": "中正區", "col_2": 100},
        {"col_1": "大同區", "col_2": 200},
    ]

    # The publisher can still choose the hidden sheet by its name.
    job, resource = ingest_bytes(data, name, ingest_options={"sheet": "代碼表"})
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert [r["col_2"] for r in rows_of(resource.current_version)] == ["中正區", "大同區"]


def test_xls_times_of_day_read_as_the_same_sheet_saved_as_xlsx():
    import xlwt

    rows = [("A", time(15, 30), datetime(2024, 1, 5, 6, 45)), ("B", time(8, 15), None)]
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("班表")
    formats = [
        xlwt.Style.default_style,
        xlwt.easyxf(num_format_str="hh:mm"),
        xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm"),
    ]
    for column, label in enumerate(["班次", "發車時間", "首班"]):
        sheet.write(0, column, label)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value, formats[c])
    out = io.BytesIO()
    book.save(out)
    xlsx = openpyxl.Workbook()
    xlsx.active.title = "班表"
    for row in [("班次", "發車時間", "首班"), *rows]:
        xlsx.active.append(row)
    xlsx_out = io.BytesIO()
    xlsx.save(xlsx_out)

    job, resource = ingest_bytes(out.getvalue(), "bus.xls")
    xlsx_job, xlsx_resource = ingest_bytes(xlsx_out.getvalue(), "bus.xlsx")

    assert job.status == xlsx_job.status == IngestJob.Status.SUCCEEDED, job.error
    version = resource.current_version
    # Not datetimes on 1899-12-31: the times of day as Excel shows them.
    assert [r["col_2"] for r in rows_of(version)] == ["15:30:00", "08:15:00"]
    assert types_of(version) == types_of(xlsx_resource.current_version)
    assert types_of(version)["首班"] == "datetime"


@pytest.mark.parametrize(
    ("name", "route"), [("hours.xlsx", "calamine"), ("hours.xlsx", "python"), ("hours.xls", "xlrd")]
)
def test_durations_are_written_in_hours_as_excel_shows_them(monkeypatch, name, route):
    # Volunteer hours under [h]:mm: 36:15 is a day and a half, shown in hours.
    hours = [("A", timedelta(hours=36, minutes=15)), ("B", timedelta(minutes=90))]
    out = io.BytesIO()
    if name.endswith(".xls"):
        import xlwt

        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("時數")
        elapsed = xlwt.easyxf(num_format_str="[h]:mm")
        sheet.write(0, 0, "志工")
        sheet.write(0, 1, "服務時數")
        for r, (person, spent) in enumerate(hours, start=1):
            sheet.write(r, 0, person)
            sheet.write(r, 1, spent / timedelta(days=1), elapsed)
    else:
        book = openpyxl.Workbook()
        book.active.append(["志工", "服務時數"])
        for r, row in enumerate(hours, start=2):
            book.active.append(row)
            book.active[f"B{r}"].number_format = "[h]:mm"
    book.save(out)
    if route == "python":
        monkeypatch.setattr(read, "CALAMINE_MAX_XML", -1)

    job, resource = ingest_bytes(out.getvalue(), name)

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert [r["col_2"] for r in rows_of(resource.current_version)] == ["36:15:00", "1:30:00"]


@pytest.mark.parametrize("reader", ["calamine", "odfpy"])
def test_ods_durations_read_as_the_same_hours_saved_as_xlsx(monkeypatch, reader):
    from odf.table import TableCell, TableRow
    from odf.text import P

    sheet = _ods_sheet("時數", [["志工", "服務時數"]])
    for person, spent in [("A", "PT36H15M00S"), ("B", "PT01H30M00S"), ("C", "PT15H30M00.5S")]:
        row = TableRow()
        name = TableCell(valuetype="string")
        name.addElement(P(text=person))
        hours = TableCell(valuetype="time", timevalue=spent)
        hours.addElement(P(text=spent))
        row.addElement(name)
        row.addElement(hours)
        sheet.addElement(row)
    from odf.opendocument import OpenDocumentSpreadsheet

    document = OpenDocumentSpreadsheet()
    document.spreadsheet.addElement(sheet)
    out = io.BytesIO()
    document.write(out)
    if reader == "odfpy":
        monkeypatch.setattr(read, "_read_calamine", _calamine_fails)

    job, resource = ingest_bytes(out.getvalue(), "hours.ods")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    # A day and a half in hours, not PT36H15M00S; under a day, the time calamine gives.
    assert [r["col_2"] for r in rows_of(resource.current_version)] == [
        "36:15:00",
        "01:30:00",
        "15:30:00.500000",
    ]


def _calamine_fails(*args):
    raise RuntimeError("calamine cannot read it")


def test_large_workbooks_read_by_openpyxl_give_what_calamine_gives(monkeypatch):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["地址", "比率"])
    sheet.append(["臺北市_x000D_\n中正區", 1.5])  # how Excel stores a carriage return
    sheet.append(["臺北市大同區", "#DIV/0!"])
    sheet["B3"].data_type = "e"  # an error cell, as Excel saves a formula's error
    sheet.append(["臺北市信義區", 2.5])
    out = io.BytesIO()
    book.save(out)

    versions = []
    for route in ("calamine", "openpyxl"):
        if route == "openpyxl":  # as for sheets past 128 MB of XML
            monkeypatch.setattr(read, "CALAMINE_MAX_XML", -1)
        job, resource = ingest_bytes(out.getvalue(), "rates.xlsx")
        assert job.status == IngestJob.Status.SUCCEEDED, job.error
        versions.append(resource.current_version)

    for version in versions:
        assert types_of(version) == {"地址": "text", "比率": "number"}
        assert rows_of(version) == [
            {"col_1": "臺北市\r\n中正區", "col_2": 1.5},
            {"col_1": "臺北市大同區", "col_2": None},
            {"col_1": "臺北市信義區", "col_2": 2.5},
        ]
        # The empty cell was an error in the workbook: the report says so, where.
        (warning,) = [w for w in version.report["warnings"] if w["code"] == "error-cell"]
        assert (warning["row"], warning["column"]) == (3, 2)
        assert (
            "cells showing an error (1, such as #DIV/0!), the first in row 3" in warning["message"]
        )


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"PK\x03\x04cut short" * 50, "stations.xlsx", "the file is damaged"),
        (b"PK\x03\x04cut short" * 50, "stations.ods", "the file is damaged"),
        (b"\x00\x01\x02binary" * 50, "stations.xlsx", "the file is damaged"),
        (b"PK\x03\x04cut short" * 50, "stations.zip", "The ZIP archive is damaged."),
    ],
)
def test_a_workbook_or_archive_that_cannot_be_opened_is_said_to_be_damaged(data, name, expected):
    job, resource = ingest_bytes(data, name)

    assert job.status == IngestJob.Status.FAILED
    assert expected in job.error
    assert "not a table we can read" not in job.error
    assert resource.current_version is None
