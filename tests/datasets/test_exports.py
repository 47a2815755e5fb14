"""Whole-result downloads: every format round-trips the rows; formulas are neutralised."""

import csv
import io
import json
from urllib.parse import unquote

import pyarrow.parquet as pq
import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.datasets.datastore_tables import make_version
from tests.factories import ResourceFactory


def download(api_client, resource, **params):
    response = api_client.get(
        f"/api/v1/resources/{resource.pk}/data/", params, HTTP_USER_AGENT="Firefox"
    )
    assert response.status_code == 200, response.content
    return response, b"".join(response.streaming_content)


def test_csv_is_utf8_with_bom_and_round_trips(api_client, facilities):
    response, body = download(api_client, facilities, format="csv", district="大安區")
    assert response["Content-Type"].startswith("text/csv")
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["大安森林公園", "臺北市立圖書館總館"]
    assert rows[0]["visitors"] == "1200"
    assert rows[0]["opened"] == "1994-03-29"
    assert rows[0]["open_24h"] == "true"
    assert rows[1]["open_24h"] == "false"


def test_csv_escapes_formulas_but_not_negative_numbers(api_client, db):
    resource = ResourceFactory()
    make_version(
        resource,
        [("note", "text", "note"), ("delta", "integer", "delta")],
        [
            ('=HYPERLINK("http://evil")', -5),
            ("+1 phone", 3),
            ("@SUM(A1)", 0),
            ("-12.5", 1),
            ("fine", 1),
        ],
    )
    _response, body = download(api_client, resource, format="csv")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["note"] for r in rows] == [
        '\'=HYPERLINK("http://evil")',
        "'+1 phone",
        "'@SUM(A1)",
        "-12.5",  # a number written as text is left as it is
        "fine",
    ]
    assert rows[0]["delta"] == "-5"


def test_filename_names_dataset_resource_and_date(api_client, facilities):
    response, _body = download(api_client, facilities, format="csv")
    disposition = unquote(response["Content-Disposition"])
    today = timezone.localdate().isoformat()
    assert disposition == f"attachment; filename*=utf-8''city-facilities_公共設施_v1_{today}.csv"


def test_json_download_has_every_row_past_the_page_cap(api_client, db, settings):
    resource = ResourceFactory()
    make_version(resource, [("n", "integer", "n")], [(i,) for i in range(150)])
    _response, body = download(api_client, resource, format="json", n__gte="20")
    data = json.loads(body)
    assert [r["n"] for r in data["records"]] == list(range(20, 150))
    assert data["fields"][1]["id"] == "n"


def test_xlsx_round_trips_and_keeps_formulas_as_text(api_client, facilities):
    response, body = download(api_client, facilities, format="xlsx", sort="_id")
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("_id", "name", "district")
    assert rows[1][1] == "大安森林公園"
    assert rows[1][3] == 1200
    assert rows[4][1] == '=HYPERLINK("http://evil")'  # a plain string, not a formula
    assert len(rows) == 7


def test_xlsx_leaves_out_what_xml_cannot_hold_and_keeps_large_integers_exact(api_client, db):
    resource = ResourceFactory()
    make_version(
        resource,
        [("t", "text", "t"), ("n", "integer", "n")],
        [("a\x0bb", 9007199254740993), ("plain", -(2**53) - 1), ("=1+1", 5)],
    )

    _response, body = download(api_client, resource, format="xlsx", sort="_id")

    rows = list(load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True))
    assert rows[1:] == [
        (1, "ab", "9007199254740993"),
        (2, "plain", "-9007199254740993"),
        (3, "=1+1", 5),
    ]


def test_geojson_from_latitude_longitude_columns(api_client, facilities):
    _response, body = download(api_client, facilities, format="geojson", district="松山區")
    data = json.loads(body)
    assert data["type"] == "FeatureCollection"
    (feature,) = data["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [121.5525, 25.0694]}
    assert feature["properties"]["name"] == "松山機場"


def test_geojson_from_a_geometry_column(api_client, db):
    resource = ResourceFactory()
    line = {"type": "LineString", "coordinates": [[121.5, 25.0], [121.6, 25.1]]}
    make_version(
        resource,
        [("route", "text", "route"), ("shape", "geometry", "shape")],
        [("紅線", json.dumps(line))],
    )
    _response, body = download(api_client, resource, format="geojson")
    feature = json.loads(body)["features"][0]
    assert feature["geometry"] == line
    assert feature["properties"] == {"_id": 1, "route": "紅線"}


def test_geojson_without_coordinates_is_a_400(api_client, db):
    resource = ResourceFactory()
    make_version(resource, [("n", "integer", "n")], [(1,)])
    response = api_client.get(f"/api/v1/resources/{resource.pk}/data/", {"format": "geojson"})
    assert response.status_code == 400
    assert response.json()["param"] == "format"


def test_parquet_round_trips_with_types(api_client, facilities):
    _response, body = download(api_client, facilities, format="parquet", sort="_id")
    table = pq.read_table(io.BytesIO(body))
    assert table.schema.field("visitors").type == "int64"
    assert str(table.schema.field("opened").type) == "date32[day]"
    rows = table.to_pylist()
    assert rows[0]["name"] == "大安森林公園"
    assert rows[0]["opened"].isoformat() == "1994-03-29"
    assert rows[0]["open_24h"] is True
    assert rows[3]["visitors"] is None
    assert len(rows) == 6


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "parquet"])
def test_every_download_counts_for_resource_and_dataset(api_client, facilities, fmt):
    download(api_client, facilities, format=fmt)
    facilities.refresh_from_db()
    facilities.dataset.refresh_from_db()
    assert facilities.download_count == 1
    assert facilities.dataset.download_count == 1


def test_empty_result_still_downloads_headers(api_client, facilities):
    _response, body = download(api_client, facilities, format="csv", district="nowhere")
    assert body.decode("utf-8-sig").strip().startswith("_id,name,district")
    _response, body = download(api_client, facilities, format="parquet", district="nowhere")
    assert pq.read_table(io.BytesIO(body)).num_rows == 0


def test_header_labels_name_the_columns_as_the_file_did(api_client, facilities):
    """The versions table and the preview's downloads ask for the names people know (人次),
    not the ids the Data API filters by (visitors)."""
    _response, body = download(
        api_client, facilities, format="csv", header="labels", fields="name,visitors"
    )
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0] == "名稱,人次"
    assert lines[1] == "大安森林公園,1200"
    _response, body = download(api_client, facilities, format="xlsx", header="labels")
    sheet = load_workbook(io.BytesIO(body)).active
    assert [c.value for c in next(sheet.iter_rows())][:4] == ["_id", "名稱", "行政區", "人次"]
    _response, body = download(api_client, facilities, format="csv")
    assert body.decode("utf-8-sig").splitlines()[0].startswith("_id,name,district,visitors")


def test_a_label_that_reads_as_a_formula_is_neutralised(api_client, db):
    resource = ResourceFactory()
    make_version(resource, [("total", "integer", "=SUM(A1:A9)")], [(1,)])
    _response, body = download(api_client, resource, format="csv", header="labels")
    assert body.decode("utf-8-sig").splitlines()[0] == "_id,'=SUM(A1:A9)"


@pytest.mark.parametrize(
    "language, words", [("en", "header must be"), ("zh-hant", "header 必須是")]
)
def test_an_unknown_header_is_refused_naming_the_parameter(api_client, facilities, language, words):
    response = api_client.get(
        f"/api/v1/resources/{facilities.pk}/data/",
        {"format": "csv", "header": "names"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response.json()["param"] == "header"
    assert words in response.json()["detail"] and "names" in response.json()["detail"]


def test_times_come_out_in_the_citys_time_as_the_file_wrote_them(api_client, db, settings):
    """A file's 2025-03-01 08:00 (Taipei) is stored as an instant; every output gives it
    back as 08:00+08:00, not as the same instant in UTC (00:00+00:00), which readers took
    for a different time."""
    from tests.datasets.ingest_helpers import ingest_bytes

    settings.TIME_ZONE = "Asia/Taipei"
    _job, resource = ingest_bytes("測站,時間\n中山,2025-03-01 08:00\n".encode(), "air.csv")
    column = next(c["id"] for c in resource.current_version.columns if c["label"] == "時間")
    local = "2025-03-01T08:00:00+08:00"

    page = api_client.get(f"/api/v1/resources/{resource.pk}/data/").json()
    assert page["records"][0][column] == local
    _response, body = download(api_client, resource, format="csv", header="labels")
    assert body.decode("utf-8-sig").splitlines()[1].endswith(local)
    _response, body = download(api_client, resource, format="json")
    assert json.loads(body)["records"][0][column] == local
    # Parquet keeps the instant and says the zone: readers showed 00:00 UTC.
    _response, body = download(api_client, resource, format="parquet")
    table = pq.read_table(io.BytesIO(body))
    assert table.schema.field(column).type.tz == "Asia/Taipei"
    assert table.to_pylist()[0][column].isoformat() == local
    from django.core.files.storage import default_storage

    from datasets.ingest.downloads import version_downloads_write

    written = version_downloads_write(version=resource.current_version)
    with default_storage.open(written["csv"]) as f:
        assert f.read().decode("utf-8-sig").splitlines()[1] == f"中山,{local}"
