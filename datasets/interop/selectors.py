"""Reads behind the CKAN Action API and the DCAT catalogs."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from datasets.interop.solr import SearchQueryError, solr_to_q
from datasets.models import Dataset, Resource, Tag, Theme
from portal import permissions
from portal.models import Membership

# CKAN facet name -> (Dataset lookup of the value, how the value is shown)
FACETS = {
    "organization": "organization__slug",
    "groups": "themes__slug",
    "tags": "tags__name",
    "res_format": "resources__format",
    "license_id": "license_id",
}

# CKAN sort field -> our field
SORT_FIELDS = {
    "metadata_modified": "metadata_modified",
    "metadata_created": "created_at",
    "name": "name",
    "title_string": "title",
    "title": "title",
    "views_recent": "view_count",
    "views_total": "view_count",
}


def ckan_datasets(*, user, include_private: bool = False) -> QuerySet[Dataset]:
    """What CKAN clients may search: public published (and archived) datasets, plus the
    private ones of the caller's organizations when they ask for them. Drafts and datasets
    in review never show in search, as in CKAN."""
    qs = Dataset.objects.visible_to(user).filter(
        status__in=[Dataset.Status.PUBLISHED, Dataset.Status.ARCHIVED]
    )
    if not include_private:
        qs = qs.filter(private=False)
    return qs


def with_ckan_relations(qs: QuerySet[Dataset]) -> QuerySet[Dataset]:
    """Everything a package dict needs, in a fixed number of queries."""
    return qs.select_related("organization", "license").prefetch_related(
        "tags",
        "themes",
        Prefetch("resources", queryset=Resource.objects.order_by("position", "created_at")),
    )


def _free_text(words: str) -> Q:
    # Until the catalog search lands: match titles, summaries, names and tags.
    term = words.strip("*")
    q = Q(name__icontains=term)
    for field in ("title_zh_hant", "title_en", "summary_zh_hant", "summary_en"):
        q |= Q(**{f"{field}__icontains": term})
    return q | Q(pk__in=Dataset.objects.filter(tags__name__iexact=term).values("pk"))


def package_search_queryset(
    *, user, q: str = "", fq: list[str] = (), include_private: bool = False
) -> QuerySet[Dataset]:
    qs = ckan_datasets(user=user, include_private=include_private)
    for query in [q, *fq]:
        if query and query.strip():
            qs = qs.filter(solr_to_q(query, free_text=_free_text))
    return qs


def parse_sort(sort: str) -> list[str]:
    """`metadata_modified desc, name asc` -> ["-metadata_modified", "name"]."""
    ordering = []
    for part in (sort or "").split(","):
        bits = part.split()
        if not bits:
            continue
        field, direction = bits[0], (bits[1].lower() if len(bits) > 1 else "asc")
        if field == "score":
            continue  # relevance: the free-text order is already the best we have
        if field not in SORT_FIELDS or direction not in ("asc", "desc") or len(bits) > 2:
            raise SearchQueryError(_("Cannot sort by '%(sort)s'") % {"sort": part.strip()})
        ordering.append(("-" if direction == "desc" else "") + SORT_FIELDS[field])
    return [*ordering, "-metadata_modified", "name"]


def facet_counts(
    qs: QuerySet[Dataset], fields: list[str], *, limit: int, mincount: int
) -> dict[str, list[tuple[str, int]]]:
    result = {}
    ids = qs.values("pk")
    for field in fields:
        lookup = FACETS.get(field)
        if lookup is None:
            raise SearchQueryError(_("Cannot facet on '%(field)s'") % {"field": field})
        rows = (
            Dataset.objects.filter(pk__in=ids)
            .exclude(**{f"{lookup}__isnull": True})
            .exclude(**{lookup: ""})
            .values(lookup)
            .annotate(count=Count("pk", distinct=True))
            .filter(count__gte=mincount)
            .order_by("-count", lookup)
        )
        if limit >= 0:
            rows = rows[:limit]
        result[field] = [(row[lookup], row["count"]) for row in rows]
    return result


def facet_display_names(field: str, values: list[str]) -> dict[str, str]:
    if field == "organization":
        from portal.models import Organization

        return {o.slug: o.name for o in Organization.objects.filter(slug__in=values)}
    if field == "groups":
        return {t.slug: t.name for t in Theme.objects.filter(slug__in=values)}
    return {}


def tag_names(*, user, query: str = "") -> list[str]:
    tags = Tag.objects.filter(datasets__in=ckan_datasets(user=user)).distinct()
    if query:
        tags = tags.filter(name__icontains=query)
    return list(tags.order_by("name").values_list("name", flat=True))


def member_of(user) -> list[int]:
    return permissions.organizations_where(user, Membership.Role.MEMBER)
