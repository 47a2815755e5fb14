"""The row API over a file that went through the real ingestion pipeline."""

import csv
import io

from tests.datasets.ingest_helpers import ingest_bytes

# A Big5 file from an agency: ROC dates, Chinese text, yes/no flags, numbers.
FILE = (
    "站名,行政區,啟用日期,營運中,車位數,使用率\n"
    "捷運大安站,大安區,113/01/05,是,120,0.85\n"
    "市府轉運站,信義區,112/12/31,是,300,0.92\n"
    "舊公車站,萬華區,89/07/01,否,40,0.10\n"
    "圖書館停車場,大安區,113/03/15,是,80,\n"
).encode("cp950")


def test_rows_of_an_ingested_big5_file_filter_by_roc_dates_and_chinese_text(api_client, db):
    job, resource = ingest_bytes(FILE)
    assert job.status == "succeeded", job.error
    url = f"/api/v1/resources/{resource.pk}/data/"
    fields = {f["label"]: f for f in api_client.get(url).json()["fields"]}
    date, district = fields["啟用日期"]["id"], fields["行政區"]["id"]
    open_, spaces = fields["營運中"]["id"], fields["車位數"]["id"]
    name = fields["站名"]["id"]
    assert fields["啟用日期"]["type"] == "date"

    body = api_client.get(url, {f"{date}__gte": "2024-01-01", "sort": f"-{date}"}).json()
    assert [r[name] for r in body["records"]] == ["圖書館停車場", "捷運大安站"]
    assert body["records"][1][date] == "2024-01-05"  # 113/01/05 read as a ROC date

    body = api_client.get(url, {district: "大安區", f"{spaces}__gt": "100"}).json()
    assert [r[name] for r in body["records"]] == ["捷運大安站"]

    assert fields["營運中"]["type"] == "boolean"  # 是/否
    body = api_client.get(url, {open_: "false"}).json()
    assert [r[name] for r in body["records"]] == ["舊公車站"]

    body = api_client.get(url, {"q": "停車"}).json()
    assert [r[name] for r in body["records"]] == ["圖書館停車場"]

    response = api_client.get(url, {"format": "csv", f"{date}__lt": "2001-01-01"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][1:3] == ["舊公車站", "萬華區"]
    assert rows[1][3] == "2000-07-01"
