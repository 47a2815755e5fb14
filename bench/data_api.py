"""Data API server times on a 1,000,000-row version, against the same SQL run through psycopg.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dataapi_bench \
        .venv/bin/python bench/data_api.py [--rows 1000000] [--runs 50]

Builds (once; reused on later runs) a resource whose version table is loaded with the
ingest engineer's loader (datasets/datastore/load.py), then measures, in-process through
Django's full request stack (middleware, auth, throttling, view, JSON rendering):

  (a) equality filter on the category column + sort by _id + limit 100
  (b) a range filter on the date column
  (c) q= full text on the text column
  (d) a CSV export of the whole table (MB/s and peak RSS growth)

and prints p50/p95 of each next to the same SELECT (and COUNT) run directly through
psycopg, so the API's overhead shows as a ratio.
"""

import argparse
import datetime as dt
import os
import random
import resource as rusage
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402

CATEGORIES = ["交通", "環境", "教育", "社福", "觀光", "治安", "衛生", "文化", "產業", "財政"]
DISTRICTS = ["中正區", "大同區", "中山區", "松山區", "大安區", "萬華區", "信義區", "士林區"]
WORDS = ["公車", "捷運", "路燈", "公園", "垃圾", "停車", "噪音", "道路", "學校", "圖書館"]
COLUMNS = [
    {"id": "category", "type": "text", "label": "類別"},
    {"id": "district", "type": "text", "label": "行政區"},
    {"id": "reported_on", "type": "date", "label": "通報日期"},
    {"id": "amount", "type": "number", "label": "金額"},
    {"id": "cases", "type": "integer", "label": "件數"},
    {"id": "resolved", "type": "boolean", "label": "已結案"},
    {"id": "description", "type": "text", "label": "說明"},
    {"id": "lat", "type": "number", "label": "緯度"},
    {"id": "lon", "type": "number", "label": "經度"},
]


def rows(n):
    rnd = random.Random(42)
    start = dt.date(2015, 1, 1)
    for i in range(n):
        words = rnd.sample(WORDS, 3)
        yield (
            CATEGORIES[i % len(CATEGORIES)],
            rnd.choice(DISTRICTS),
            start + dt.timedelta(days=rnd.randrange(3650)),
            round(rnd.uniform(0, 100000), 2),
            rnd.randrange(1000),
            rnd.random() < 0.7,
            f"{rnd.choice(DISTRICTS)}{words[0]}與{words[1]}問題，民眾反映{words[2]}需要改善 #{i}",
            25.0 + rnd.random() * 0.1,
            121.5 + rnd.random() * 0.1,
        )


def ensure_version(n):
    from datasets.datastore import load
    from datasets.datastore.schema import table_name_for
    from datasets.models import Dataset, License, Resource, ResourceVersion
    from portal.models import Organization

    org, _ = Organization.objects.get_or_create(
        slug="bench-city", defaults={"name_zh_hant": "效能測試市", "name_en": "Bench City"}
    )
    dataset, _ = Dataset.objects.get_or_create(
        name="bench-data-api",
        defaults={
            "title": "Bench",
            "summary": "bench",
            "organization": org,
            "status": "published",
            "license": License.objects.first(),
        },
    )
    res, _ = Resource.objects.get_or_create(dataset=dataset, name="reports")
    version = res.versions.filter(row_count=n).first()
    if version:
        return res, version
    res.versions.all().delete()
    table = table_name_for(res.pk, 1)
    load.drop_version_table(table_name=table)
    started = time.perf_counter()
    load.create_version_table(table_name=table, columns=COLUMNS)
    loaded = load.load_rows(table_name=table, columns=COLUMNS, rows=rows(n))
    load.create_indexes(table_name=table, columns=COLUMNS)
    # Autovacuum does this soon after a big insert on a live server; without it the
    # visibility map is empty and every count must visit the heap instead of an index.
    connections["default"].ensure_connection()
    with connections["default"].cursor() as cursor:
        cursor.execute(f'VACUUM ANALYZE "{table}"')
    print(f"loaded {loaded:,} rows in {time.perf_counter() - started:.1f} s")
    version = ResourceVersion.objects.create(
        resource=res, number=1, table_name=table, row_count=loaded, sha256="0" * 64, columns=COLUMNS
    )
    res.current_version = version
    res.save(update_fields=["current_version"])
    return res, version


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def time_api(client, url, params, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, params, HTTP_USER_AGENT="bench")
        body = response.content
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, body[:300]
    return times, response.json()


def time_direct(version, params, runs):
    """The same SELECT + COUNT the API runs, straight through a psycopg connection."""
    import psycopg

    from datasets.datastore.query import _count, query_from_params, select_sql

    query = query_from_params(version=version, params=params)
    sql, args = select_sql(version=version, query=query)
    db = settings.DATABASES[settings.DATASTORE_DATABASE]
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"],
    )
    times = []
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        for _ in range(runs):
            started = time.perf_counter()
            cur.execute(sql, args)
            cur.fetchall()
            # The API's own counting strategy, run on the raw psycopg cursor.
            _count(cur, version=version, query=query, vendor="postgresql")
            times.append((time.perf_counter() - started) * 1000)
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    if connections["default"].vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database: SQLite figures would mean nothing.")
    settings.DATA_API_THROTTLE_ANON = "1000000/min"
    call_command("migrate", verbosity=0)
    res, version = ensure_version(args.rows)
    url = f"/api/v1/resources/{res.pk}/data/"
    client = Client()
    cases = [
        ("(a) category = + sort _id + limit 100", {"category": "教育", "sort": "_id"}, 20),
        (
            "(b) date range (one month)",
            {"reported_on__gte": "2020-03-01", "reported_on__lt": "2020-04-01"},
            20,
        ),
        ("(c) q= full text", {"q": "圖書館 停車"}, 150),
    ]
    print(f"rows: {version.row_count:,}  runs per case: {args.runs}  (times in ms)")
    print(
        f"{'case':42} {'api p50':>8} {'api p95':>8} {'sql p50':>8} {'sql p95':>8} {'ratio':>6}"
        "  goal"
    )
    for label, params, goal in cases:
        time_api(client, url, params, 3)  # warm caches and connections
        api, body = time_api(client, url, params, args.runs)
        direct = time_direct(version, params, args.runs)
        ratio = statistics.median(api) / max(statistics.median(direct), 0.001)
        print(
            f"{label:42} {statistics.median(api):8.1f} {percentile(api, 95):8.1f} "
            f"{statistics.median(direct):8.1f} {percentile(direct, 95):8.1f} {ratio:6.2f}  "
            f"p95<{goal}  total={body['total']:,}{'~' if body['total_was_estimated'] else ''}"
        )

    rss_before = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get(url, {"format": "csv"}, HTTP_USER_AGENT="bench")
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    seconds = time.perf_counter() - started
    rss_after = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss
    print(
        f"(d) CSV export: {size / 1e6:.1f} MB in {seconds:.2f} s = {size / 1e6 / seconds:.1f} MB/s "
        f"(goal >= 50), peak RSS grew {(rss_after - rss_before) / 1024:.1f} MB"
    )
    import psycopg

    db = settings.DATABASES["default"]
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"],
    )
    started = time.perf_counter()
    copied = 0
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        table = connections["default"].ops.quote_name(version.table_name)
        columns = ", ".join(["_id", *(c["id"] for c in COLUMNS)])
        with cur.copy(
            f"COPY (SELECT {columns} FROM {table} ORDER BY _id) TO STDOUT WITH CSV"
        ) as copy:
            for data in copy:
                copied += len(data)
    seconds_direct = time.perf_counter() - started
    print(
        f"    psycopg COPY TO STDOUT of the same rows: {copied / 1e6:.1f} MB in "
        f"{seconds_direct:.2f} s = {copied / 1e6 / seconds_direct:.1f} MB/s "
        f"(ratio {seconds / seconds_direct:.2f})"
    )


if __name__ == "__main__":
    main()
