"""Server time of catalog searches over 10,000 datasets on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/catalog_search.py

Creates a throw-away database (`test_<name>`), fills it with 10,000 published bilingual
datasets across 20 agencies, themes and tags, with one to three files each (most with a
live version, one in ten of those replaced by a newer upload of another format, so the
Format facet counts the formats readers download), then times, in-process through Django's
test client (middleware, view, template/serializer, all SQL; no network):
  1. the catalog page with a text query and two facet filters, and with a query alone,
  2. the catalog page filtered by format alone,
  3. /api/v1/datasets/?q=... (with its facets).
Prints median and p95 in milliseconds.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from rest_framework.throttling import SimpleRateThrottle  # noqa: E402

N_DATASETS = int(os.environ.get("BENCH_DATASETS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "60"))

ZH_WORDS = ["公車", "捷運", "停車場", "空氣品質", "垃圾車", "資源回收", "醫院", "診所", "公園",
            "學校", "人口", "預算", "路燈", "自行車", "淹水", "噪音", "水質", "社會住宅", "用電",
            "食品", "疫苗", "路線", "站點", "統計", "即時", "每月", "各區", "監測"]  # fmt: skip
EN_WORDS = ["bus", "metro", "parking", "air", "quality", "garbage", "recycling", "hospital",
            "clinic", "park", "school", "population", "budget", "streetlight", "bicycle", "flood",
            "noise", "water", "housing", "electricity", "food", "vaccine", "routes", "stations",
            "statistics", "live", "monthly", "districts", "monitoring"]  # fmt: skip


# A city catalog has a few hundred distinct subjects; pad the real words above with
# made-up two-character words and English words so a common query ("公車", "bus") matches
# about 5-10% of the catalog, as on a real portal, rather than half of it.
_CHARS = "市民政府交通環境衛生教育文化觀光產業經濟財稅地政都發工務警消社福勞動"
_PAD_RNG = random.Random(7)
ZH_WORDS += sorted({"".join(_PAD_RNG.sample(_CHARS, 2)) for _ in range(200)})[:170]
EN_WORDS += [f"{w}{suffix}" for w in ("city", "data", "open", "civic") for suffix in
             ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q",
              "r", "s", "t", "u", "v", "w", "x", "y", "z", "aa", "ab", "ac", "ad", "ae", "af",
              "ag", "ah", "ai", "aj", "ak", "al", "am", "an")]  # fmt: skip


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def fill(rng):
    from datasets.models import Dataset, Resource, ResourceVersion, Tag, Theme
    from datasets.services.catalog import dataset_index
    from portal.models import Organization

    orgs = [
        Organization.objects.get_or_create(
            slug=f"agency-{i}",
            defaults={"name_zh_hant": f"機關{i}", "name_en": f"Agency {i}", "kind": "agency"},
        )[0]
        for i in range(20)
    ]
    themes = list(Theme.objects.all())
    tags = [Tag.objects.get_or_create(name=w)[0] for w in ZH_WORDS + EN_WORDS]
    datasets = []
    for i in range(N_DATASETS):
        zh = "".join(rng.sample(ZH_WORDS, 3))
        en = " ".join(rng.sample(EN_WORDS, 3)).capitalize()
        datasets.append(
            Dataset(
                name=f"dataset-{i}",
                title=f"臺北市{zh}",
                title_zh_hant=f"臺北市{zh}",
                title_en=f"Taipei {en}",
                summary=f"{zh}的說明，了解{rng.choice(ZH_WORDS)}。",
                summary_zh_hant=f"{zh}的說明，了解{rng.choice(ZH_WORDS)}。",
                summary_en=f"Plain summary of {en.lower()} for residents.",
                description_en=" ".join(rng.choices(EN_WORDS, k=12)),
                description_zh_hant="".join(rng.choices(ZH_WORDS, k=12)),
                organization=rng.choice(orgs),
                license_id="OGDL-Taiwan-1.0",
                status="published",
                view_count=rng.randint(0, 5000),
            )
        )
    Dataset.objects.bulk_create(datasets, batch_size=1000)
    theme_links, tag_links = [], []
    for dataset in datasets:
        for theme in rng.sample(themes, 2):
            theme_links.append(Dataset.themes.through(dataset_id=dataset.pk, theme_id=theme.pk))
        for tag in rng.sample(tags, 3):
            tag_links.append(Dataset.tags.through(dataset_id=dataset.pk, tag_id=tag.pk))
    Dataset.themes.through.objects.bulk_create(theme_links, batch_size=5000)
    Dataset.tags.through.objects.bulk_create(tag_links, batch_size=5000)
    resources, versions = [], []
    for dataset in datasets:
        for position in range(rng.randint(1, 3)):
            fmt = rng.choice(["CSV", "CSV", "XLSX", "JSON", "PDF"])
            resource = Resource(
                dataset=dataset,
                name=f"file {position}",
                name_zh_hant=f"檔案{position}",
                format=fmt,
                file=f"resources/2024/01/{dataset.pk.hex[:12]}{position}/data.{fmt.lower()}",
                position=position,
            )
            resources.append(resource)
            if fmt != "PDF":
                versions.append(
                    ResourceVersion(
                        resource=resource,
                        number=1,
                        table_name=f"bench_{dataset.pk.hex}_{position}",
                        sha256="0" * 64,
                        source_file=resource.file.name,
                        format=fmt,
                    )
                )
    Resource.objects.bulk_create(resources, batch_size=2000)
    ResourceVersion.objects.bulk_create(versions, batch_size=2000)
    for version in versions:
        resource = version.resource
        resource.current_version = version
        if rng.random() < 0.1:  # a newer upload, being read or failed
            resource.format = "XLSX" if version.format != "XLSX" else "CSV"
            resource.file = f"{resource.file.name}.{resource.format.lower()}"
    Resource.objects.bulk_update(
        [v.resource for v in versions], ["current_version", "format", "file"], batch_size=2000
    )
    for dataset in Dataset.objects.all():
        dataset_index(dataset=dataset)
    with connection.cursor() as cursor:
        # Steady state: autovacuum would have cleaned the rows the index updates left behind.
        cursor.execute("VACUUM ANALYZE")
    return orgs


def timed(client, path, params, cold=False):
    from django.core.cache import cache

    samples = []
    for run in range(RUNS + 5):
        if cold:
            cache.clear()  # facet counts recomputed, as after any catalog change
        start = time.perf_counter()
        response = client.get(path, params)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, response.status_code
        if run >= 5:  # warm-up runs are not counted
            samples.append(elapsed)
    return samples


def main():
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Set DATABASE_URL to a PostgreSQL server: figures on SQLite mean nothing.")
    setup_test_environment()
    settings.DEBUG = False
    SimpleRateThrottle.THROTTLE_RATES = {"anon": None, "user": None}
    old_name = connection.settings_dict["NAME"]
    keep = os.environ.get("BENCH_KEEP") == "1"  # reuse the filled database between runs
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    try:
        from datasets.models import Dataset
        from datasets.search import search_query

        if Dataset.objects.count() != N_DATASETS:
            Dataset.objects.all().delete()
            started = time.perf_counter()
            fill(random.Random(42))
            print(f"filled {N_DATASETS} datasets in {time.perf_counter() - started:.1f} s")
        client = Client()
        cases = [
            (
                "catalog page: q=公車 + theme + organization",
                "/datasets/",
                {"q": "公車", "theme": "transportation", "organization": "agency-3"},
            ),
            ("catalog page: q=bus routes, no facet", "/en/datasets/", {"q": "bus routes"}),
            ("catalog page: format=CSV, no query", "/datasets/", {"format": "CSV"}),
            ("API: /api/v1/datasets/?q=公車", "/api/v1/datasets/", {"q": "公車"}),
            ("API: /api/v1/datasets/?q=bus", "/api/v1/datasets/", {"q": "bus"}),
            ("API: /api/v1/datasets/ (no query)", "/api/v1/datasets/", {}),
        ]
        for word in ("公車", "bus"):
            matches = Dataset.objects.filter(search_vector=search_query(word)).count()
            print(f"'{word}' matches {matches} of {N_DATASETS} datasets")
        for cold in (True, False):
            print("facet counts:", "recomputed every request" if cold else "cached (anonymous)")
            for label, path, params in cases:
                samples = timed(client, path, params, cold=cold)
                print(
                    f"  {label:48s} median {statistics.median(samples):6.1f} ms"
                    f"   p95 {percentile(samples, 0.95):6.1f} ms   ({RUNS} runs)"
                )
    finally:
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
