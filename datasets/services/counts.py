"""View counters (downloads: datasets.services.catalog.resource_count_download).

Only totals are kept: no user, address or time per hit.
"""

from django.db import transaction
from django.db.models import F

from datasets.models import Dataset, Resource

# Crawlers would otherwise decide what "most viewed" means.
_BOT_MARKERS = ("bot", "crawl", "spider", "slurp", "preview", "headless")


def is_probably_bot(user_agent: str) -> bool:
    agent = (user_agent or "").lower()
    return not agent or any(marker in agent for marker in _BOT_MARKERS)


@transaction.atomic
def dataset_view_record(*, dataset: Dataset) -> None:
    # F() so concurrent requests each add one instead of overwriting each other's count.
    Dataset.objects.filter(pk=dataset.pk).update(view_count=F("view_count") + 1)


@transaction.atomic
def resource_view_record(*, resource: Resource) -> None:
    Resource.objects.filter(pk=resource.pk).update(view_count=F("view_count") + 1)
