"""Reads behind the CKAN Action API and the DCAT catalogs."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from datasets.interop.solr import SearchQueryError, free_text_only, solr_to_q
from datasets.models import Dataset, Resource, Tag, Theme
from datasets.permissions import can_edit_dataset
from datasets.selectors import dataset_search, resources_held_back_states
from portal import permissions
from portal.models import Membership

# CKAN facet name -> the lookup of its values on Dataset
FACETS = {
    "organization": "organization__slug",
    "groups": "themes__slug",
    "tags": "tags__name",
    "res_format": "public_format",  # on Resource.objects.with_public_format()
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
    """What CKAN clients may search: public published datasets, plus the private ones of
    the caller's organizations when they ask for them. Drafts, datasets in review and
    archived ones stay out of search and lists, as in CKAN and on our catalog page."""
    qs = Dataset.objects.visible_to(user).filter(status=Dataset.Status.PUBLISHED)
    if not include_private:
        qs = qs.filter(private=False)
    return qs


def with_ckan_relations(qs: QuerySet[Dataset]) -> QuerySet[Dataset]:
    """Everything a package dict needs, in a fixed number of queries."""
    return qs.select_related("organization", "license").prefetch_related(
        "tags",
        "themes",
        Prefetch(
            "resources",
            queryset=Resource.objects.select_related("current_version").order_by(
                "position", "created_at"
            ),
        ),
    )


def _free_text(user):
    """Free-text terms go through the catalog's own search (same index, same language
    handling as the search page)."""

    def build(words: str) -> Q:
        found = dataset_search(user=user, q=words.strip("*"), with_facets=False).datasets
        return Q(pk__in=found.order_by().values("pk"))

    return build


def package_search_queryset(
    *, user, q: str = "", fq: list[str] = (), include_private: bool = False, sort: str = ""
) -> QuerySet[Dataset]:
    """Datasets matching CKAN's `q` and `fq`s, in the order `sort` asks for. With the default
    `score desc` and a plain-words `q`, the catalog search's relevance order is kept."""
    qs = ckan_datasets(user=user, include_private=include_private)
    for query in [q, *fq]:
        if query and query.strip():
            qs = qs.filter(solr_to_q(query, free_text=_free_text(user)))
    ordering = parse_sort(sort)
    words = free_text_only(q) if q else None
    if words and ordering[0] == "score":
        ranked = dataset_search(user=user, q=words, sort="relevance", with_facets=False)
        # Its prefetches are for the search page; the package dicts bring their own.
        return ranked.datasets.prefetch_related(None).filter(pk__in=qs.order_by().values("pk"))
    return qs.order_by(*[field for field in ordering if field != "score"])


def parse_sort(sort: str) -> list[str]:
    """`metadata_modified desc, name asc` -> ["-metadata_modified", "name"]; relevance
    (`score desc`) stays as "score" for the caller to honour."""
    ordering = []
    for part in (sort or "").split(","):
        bits = part.split()
        if not bits:
            continue
        field, direction = bits[0], (bits[1].lower() if len(bits) > 1 else "asc")
        if field == "score":
            ordering.append("score")
            continue
        if field not in SORT_FIELDS or direction not in ("asc", "desc") or len(bits) > 2:
            raise SearchQueryError(_("Cannot sort by '%(sort)s'") % {"sort": part.strip()})
        ordering.append(("-" if direction == "desc" else "") + SORT_FIELDS[field])
    return [*ordering, "-metadata_modified", "name"]


def facet_counts(
    qs: QuerySet[Dataset], fields: list[str], *, limit: int, mincount: int
) -> dict[str, list[tuple[str, int]]]:
    result = {}
    ids = qs.order_by().values("pk")
    for field in fields:
        lookup = FACETS.get(field)
        if lookup is None:
            raise SearchQueryError(_("Cannot facet on '%(field)s'") % {"field": field})
        if field == "res_format":
            # Of the file each resource's download gives (Resource.public_file), not of a
            # newer upload still being read or that failed.
            rows = Resource.objects.with_public_format().filter(dataset__in=ids)
            count = Count("dataset_id", distinct=True)
        else:
            rows, count = Dataset.objects.filter(pk__in=ids), Count("pk", distinct=True)
        rows = (
            rows.exclude(**{f"{lookup}__isnull": True})
            .exclude(**{lookup: ""})
            .values(lookup)
            .annotate(count=count)
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


def files_held_back(*, user, datasets) -> set:
    """Ids of the resources of `datasets` (with their resources prefetched) whose files
    `user` may not fetch yet: the newest upload waits for its publishers' decision on
    personal data (datasets.selectors.resources_held_back). One query for all of them."""
    owner = {r.pk: d for d in datasets for r in d.resources.all()}
    flagged = resources_held_back_states(resources=Resource.objects.filter(pk__in=owner))
    return {pk for pk in flagged if not can_edit_dataset(user, owner[pk])}
