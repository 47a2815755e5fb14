"""Reads: the catalog search with its facets, single datasets and resources, activity."""

from dataclasses import dataclass, field
from itertools import chain

from django.contrib.postgres.search import SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from datasets.models import Dataset, License, Resource, Tag, Theme
from datasets.permissions import can_view_dataset
from datasets.search import query_terms, search_query
from portal.models import Organization

# Query-string keys of the facets, in the order pages show them.
FACETS = ("organization", "theme", "tag", "format", "license", "frequency")
FACET_LABELS = {
    "organization": _("Publisher"),
    "theme": _("Theme"),
    "tag": _("Tag"),
    "format": _("Format"),
    "license": _("License"),
    "frequency": _("Update frequency"),
}
SORTS = {
    "relevance": _("Relevance"),
    "updated": _("Recently updated"),
    "name": _("Name"),
    "views": _("Most viewed"),
}
FACET_LIMIT = 20
# Short Latin queries that find nothing are retried with trigram similarity (typos).
TYPO_MAX_LENGTH = 12
TYPO_THRESHOLD = 0.45


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class CatalogSearch:
    datasets: QuerySet
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    query: str = ""
    sort: str = "relevance"
    filters: dict[str, list[str]] = field(default_factory=dict)
    typo_corrected: bool = False


def _text_filter(qs: QuerySet, q: str) -> tuple[QuerySet, object]:
    if connection.vendor == "postgresql":
        query = search_query(q)
        if query is None:
            return qs, None
        return qs.filter(search_vector=query), query
    for term in query_terms(q):
        qs = qs.filter(search_text__contains=term)
    return qs, None


def _facet_filter(qs: QuerySet, filters: dict[str, list[str]]) -> QuerySet:
    if values := filters.get("organization"):
        qs = qs.filter(organization__slug__in=values)
    if values := filters.get("license"):
        qs = qs.filter(license_id__in=values)
    if values := filters.get("frequency"):
        qs = qs.filter(update_frequency__in=values)
    # Multi-valued facets narrow with every value picked (CKAN's behaviour): sub-selects
    # keep one row per dataset, so counts and pagination stay right.
    for value in filters.get("theme", []):
        qs = qs.filter(
            pk__in=Dataset.themes.through.objects.filter(theme__slug=value).values("dataset_id")
        )
    for value in filters.get("tag", []):
        qs = qs.filter(
            pk__in=Dataset.tags.through.objects.filter(tag__name=value).values("dataset_id")
        )
    for value in filters.get("format", []):
        qs = qs.filter(pk__in=Resource.objects.filter(format__iexact=value).values("dataset_id"))
    return qs


def _facets(ids, filters: dict[str, list[str]]) -> dict[str, list[FacetValue]]:
    """Counts per facet value over exactly the filtered results (`ids` is a sub-select)."""

    def build(key, rows):
        chosen = set(filters.get(key, []))
        rows = sorted(rows, key=lambda r: (-r[2], str(r[1])))[:FACET_LIMIT]
        return [FacetValue(str(v), str(label), n, str(v) in chosen) for v, label, n in rows]

    orgs = Organization.objects.filter(datasets__in=ids).annotate(n=Count("datasets"))
    themes = Theme.objects.filter(datasets__in=ids).annotate(n=Count("datasets"))
    tags = (
        Tag.objects.filter(datasets__in=ids)
        .annotate(n=Count("datasets"))
        .order_by("-n", "name")[:FACET_LIMIT]
    )
    licenses = License.objects.filter(dataset__in=ids).annotate(n=Count("dataset"))
    formats = (
        Resource.objects.filter(dataset__in=ids)
        .exclude(format="")
        .annotate(fmt=Lower("format"))
        .values("fmt")
        .annotate(n=Count("dataset", distinct=True))
        .order_by()
    )
    frequencies = (
        Dataset.objects.filter(pk__in=ids)
        .values("update_frequency")
        .annotate(n=Count("pk"))
        .order_by()
    )
    labels = dict(Dataset.Frequency.choices)
    return {
        "organization": build("organization", [(o.slug, o.name, o.n) for o in orgs]),
        "theme": build("theme", [(t.slug, t.name, t.n) for t in themes]),
        "tag": build("tag", [(t.name, t.name, t.n) for t in tags]),
        "format": build("format", [(f["fmt"].upper(), f["fmt"].upper(), f["n"]) for f in formats]),
        "license": build("license", [(lic.id, lic.title, lic.n) for lic in licenses]),
        "frequency": build(
            "frequency",
            [
                (f["update_frequency"], labels.get(f["update_frequency"], ""), f["n"])
                for f in frequencies
            ],
        ),
    }


def _localized_title():
    """The title in the active language, falling back to the default language's."""
    language = (get_language() or "zh-hant").replace("-", "_")
    field_name = f"title_{language}" if language in ("zh_hant", "en") else "title_zh_hant"
    return Coalesce(NullIf(field_name, Value("")), "title_zh_hant", "title")


def _catalog_base(user) -> QuerySet:
    # Archived datasets keep their pages but leave the catalog, as on CKAN.
    return Dataset.objects.visible_to(user).exclude(status=Dataset.Status.ARCHIVED)


def dataset_search(
    *,
    user,
    q: str = "",
    filters: dict[str, list[str]] | None = None,
    sort: str = "",
    with_facets: bool = True,
) -> CatalogSearch:
    """The catalog: visible datasets matching `q` and the facet filters, plus facet counts.

    Facets and results come from the same filtered query, so a facet count is always the
    number of results that clicking it would leave.
    """
    filters = {key: [v for v in filters.get(key, []) if v] for key in FACETS} if filters else {}
    q = (q or "").strip()[:200]
    base = _facet_filter(_catalog_base(user), filters)
    qs, tsquery = _text_filter(base, q)
    typo_corrected = False
    if tsquery is not None and len(q) <= TYPO_MAX_LENGTH and q.isascii() and not qs.exists():
        qs = base.annotate(similarity=TrigramWordSimilarity(q.lower(), Lower("title_en"))).filter(
            similarity__gte=TYPO_THRESHOLD
        )
        tsquery, typo_corrected = None, True
    sort = sort if sort in SORTS else ("relevance" if q else "updated")
    if sort == "relevance" and tsquery is not None:
        ordered = qs.annotate(rank=SearchRank(F("search_vector"), tsquery)).order_by(
            "-rank", "-metadata_modified"
        )
    elif sort == "relevance" and typo_corrected:
        ordered = qs.order_by("-similarity", "-metadata_modified")
    elif sort == "name":
        ordered = qs.order_by(Lower(_localized_title()), "name")
    elif sort == "views":
        ordered = qs.order_by("-view_count", "-metadata_modified")
    else:
        ordered = qs.order_by("-metadata_modified")
    ordered = ordered.select_related("organization", "license").prefetch_related(
        "themes",
        "tags",
        Prefetch("resources", queryset=Resource.objects.only("id", "dataset_id", "format")),
    )
    facets = _facets(qs.order_by().values("pk"), filters) if with_facets else {}
    return CatalogSearch(ordered, facets, q, sort, filters, typo_corrected)


def dataset_get_visible(*, user, name: str) -> Dataset:
    """The dataset at /datasets/<name>/, or 404 for anyone who may not see it."""
    try:
        dataset = (
            Dataset.objects.select_related("organization", "license", "created_by")
            .prefetch_related("themes", "tags")
            .get(name=name)
        )
    except Dataset.DoesNotExist as exc:
        raise Http404 from exc
    if not can_view_dataset(user, dataset):
        # Same answer as a missing dataset: a draft's existence is not public either.
        raise Http404
    return dataset


def dataset_resources(*, dataset: Dataset) -> QuerySet:
    return dataset.resources.select_related("current_version").order_by("position", "created_at")


def resource_get_visible(*, user, name: str, resource_id) -> Resource:
    dataset = dataset_get_visible(user=user, name=name)
    try:
        resource = dataset.resources.select_related("current_version").get(pk=resource_id)
    except Resource.DoesNotExist as exc:
        raise Http404 from exc
    resource.dataset = dataset
    return resource


def datasets_recent(*, user, limit: int = 6) -> QuerySet:
    return (
        _catalog_base(user)
        .filter(status=Dataset.Status.PUBLISHED)
        .select_related("organization")
        .order_by("-metadata_modified")[:limit]
    )


def datasets_most_viewed(*, user, limit: int = 6) -> QuerySet:
    return (
        _catalog_base(user)
        .filter(status=Dataset.Status.PUBLISHED)
        .select_related("organization")
        .order_by("-view_count", "-metadata_modified")[:limit]
    )


def themes_with_counts(*, user) -> QuerySet:
    visible = _catalog_base(user).filter(status=Dataset.Status.PUBLISHED).values("pk")
    return Theme.objects.annotate(n=Count("datasets", filter=Q(datasets__in=visible)))


def organization_datasets(*, user, organization: Organization) -> QuerySet:
    return (
        Dataset.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("license")
        .order_by("-metadata_modified")
    )


def workspace_datasets(*, user) -> QuerySet:
    """Every dataset of the organizations where `user` edits or administers, newest first."""
    from portal import permissions

    org_ids = permissions.organizations_where(user, "editor")
    return (
        Dataset.objects.filter(organization_id__in=org_ids)
        .select_related("organization")
        .order_by("status", "-metadata_modified")
    )


def dataset_activity(*, dataset: Dataset, limit: int = 50) -> list:
    """Recorded changes to the dataset and its resources, newest first."""
    dataset_history = dataset.history.select_related("history_user")[:limit]
    resource_history = Resource.history.filter(dataset_id=dataset.pk).select_related(
        "history_user"
    )[:limit]
    return sorted(
        chain(dataset_history, resource_history), key=lambda h: h.history_date, reverse=True
    )[:limit]
