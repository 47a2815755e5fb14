"""CKAN Action API and DCAT catalog server times on a catalog of many datasets.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/interop_bench \
        .venv/bin/python bench/ckan_api.py [--datasets 5000] [--runs 30]

Needs PostgreSQL (a database of its own, not the demo's). Builds the catalog once (reused
on later runs): N public datasets, each with 3 tags, a theme and 2 resources, spread over
20 organizations. Then measures, in-process
through Django's full request stack, p50/p95 of:

  package_search: default page, fq on organization+tags, three facets, rows=1000, q=word
  package_show, /catalog.jsonld (page 1 of 100), /data.json (every dataset)
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from datasets.models import Dataset, Resource, Tag, Theme  # noqa: E402
from datasets.services.catalog import dataset_index  # noqa: E402
from portal.models import Organization  # noqa: E402

WORDS = ["bus", "water", "school", "park", "noise", "parking", "road", "library", "tree", "air"]


def build(n: int) -> None:
    if Dataset.objects.filter(name__startswith="bench-").count() >= n:
        return
    Dataset.objects.filter(name__startswith="bench-").delete()
    orgs = [
        Organization.objects.get_or_create(
            slug=f"bench-org-{i}", defaults={"name": f"Bench agency {i}", "kind": "agency"}
        )[0]
        for i in range(20)
    ]
    tags = [Tag.objects.get_or_create(name=w)[0] for w in WORDS]
    themes = list(Theme.objects.all())
    datasets = Dataset.objects.bulk_create(
        Dataset(
            name=f"bench-{i:06d}",
            title_zh_hant=f"測試資料集 {i}",
            title_en=f"Bench dataset {i} about {WORDS[i % 10]}",
            summary_zh_hant="一份用來量測效能的資料集。",
            summary_en="A dataset for measuring speed.",
            organization=orgs[i % 20],
            license_id="CC-BY-4.0",
            status="published",
        )
        for i in range(n)
    )
    tag_links, theme_links, resources = [], [], []
    for i, d in enumerate(datasets):
        tag_links += [
            Dataset.tags.through(dataset_id=d.pk, tag_id=tags[(i + k) % 10].pk) for k in range(3)
        ]
        theme_links.append(Dataset.themes.through(dataset_id=d.pk, theme_id=themes[i % 19].pk))
        resources += [
            Resource(
                dataset=d,
                name=f"file {k}",
                format=("CSV", "JSON")[k],
                url_type="link",
                url=f"https://files.example.org/{d.name}/{k}",
                position=k,
            )
            for k in range(2)
        ]
    Dataset.tags.through.objects.bulk_create(tag_links)
    Dataset.themes.through.objects.bulk_create(theme_links)
    Resource.objects.bulk_create(resources)
    for dataset in Dataset.objects.filter(name__startswith="bench-").prefetch_related("tags"):
        dataset_index(dataset=dataset)  # what the catalog services do on every save


def measure(client: Client, label: str, url: str, params: dict, runs: int) -> None:
    times = []
    size = 0
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (label, response.status_code, response.content[:300])
        size = len(response.content)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(
        f"{label:45s} p50 {statistics.median(times):8.1f} ms  p95 {p95:8.1f} ms"
        f"  {size / 1024:9.1f} KB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database: SQLite figures would mean nothing.")
    call_command("migrate", verbosity=0)
    build(args.datasets)
    total = Dataset.objects.published().count()
    print(f"{connection.vendor}, {total} public datasets, {args.runs} runs each")
    client = Client()
    action = "/api/3/action/"
    facets = '["organization","tags","res_format"]'
    measure(client, "package_search (default, rows=10)", action + "package_search", {}, args.runs)
    measure(client, "package_search fq org+tag", action + "package_search",
            {"fq": "organization:bench-org-3 AND tags:noise"}, args.runs)  # fmt: skip
    measure(client, "package_search 3 facets", action + "package_search",
            {"facet.field": facets, "rows": 0}, args.runs)  # fmt: skip
    measure(client, "package_search rows=1000", action + "package_search",
            {"rows": 1000}, max(3, args.runs // 5))  # fmt: skip
    measure(client, "package_search q=library", action + "package_search",
            {"q": "library"}, args.runs)  # fmt: skip
    measure(client, "package_show", action + "package_show", {"id": "bench-000042"}, args.runs)
    measure(client, "/catalog.jsonld page 1 (100 datasets)", "/catalog.jsonld", {}, args.runs)
    measure(client, f"/data.json ({total} datasets)", "/data.json", {}, max(3, args.runs // 10))


if __name__ == "__main__":
    main()
