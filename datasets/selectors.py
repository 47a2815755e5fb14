"""Reads: the catalog search with its facets, single datasets and resources, activity."""

import hashlib
import json
from dataclasses import dataclass, field
from itertools import chain

from django.conf import settings
from django.contrib.postgres.search import SearchRank, TrigramWordSimilarity
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from datasets.models import (
    Dataset,
    IngestJob,
    License,
    Resource,
    ResourceVersion,
    Tag,
    Theme,
)
from datasets.permissions import can_edit_dataset, can_view_dataset
from datasets.search import query_terms, search_query
from portal import permissions
from portal.models import Membership, Organization

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
    # The label's language where it is not the page's (a tag written in English on the
    # Chinese pages), for the lang attribute screen readers read it with.
    lang: str = ""


def _written_in_chinese(text: str) -> bool:
    """Whether `text` holds Han characters or Bopomofo: how a tag, which is kept in the one
    language it was written in, tells which of the site's languages that is."""
    return any(
        "\u3100" <= ch <= "\u312f"  # Bopomofo
        or "\u3400" <= ch <= "\u9fff"  # CJK Unified Ideographs and Extension A
        or "\uf900" <= ch <= "\ufaff"  # CJK Compatibility Ideographs
        or "\U00020000" <= ch <= "\U0003134f"  # Extensions B to G (rare characters)
        for ch in text
    )


def tag_language(name: str) -> str:
    """The site language a tag is written in: "zh-hant" or "en"."""
    return "zh-hant" if _written_in_chinese(name) else "en"


def _page_language() -> str:
    return "zh-hant" if (get_language() or "zh-hant").startswith("zh") else "en"


def _foreign_lang(name: str, language: str) -> str:
    """The HTML lang of a tag not in the page's `language` ("" for one that is)."""
    if tag_language(name) == language:
        return ""
    return "zh-Hant" if language == "en" else "en"


def tags_for_reader(*, tags) -> list[Tag]:
    """`tags` with those in the page's language first, each with `lang`: the HTML language
    of a tag in the other one ("" for the page's own)."""
    language = _page_language()
    for tag in tags:
        tag.lang = _foreign_lang(tag.name, language)
    return sorted(tags, key=lambda tag: (bool(tag.lang), tag.name))


@dataclass
class CatalogSearch:
    datasets: QuerySet
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    query: str = ""
    sort: str = "relevance"
    filters: dict[str, list[str]] = field(default_factory=dict)
    typo_corrected: bool = False
    # Number of results, counted with the facets (None when facets were not asked for).
    total: int | None = None


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
    if any("\x00" in value for values in filters.values() for value in values):
        # No name holds a NUL character, and PostgreSQL refuses one even in a query.
        return qs.filter(pk__isnull=True)
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
    for value in filters.get("format", []):  # the format readers download (public_file)
        qs = qs.filter(
            pk__in=Resource.objects.with_public_format()
            .filter(public_format__iexact=value)
            .values("dataset_id")
        )
    return qs


# One statement counts every facet: the filtered datasets are computed once (the CTE), so
# the full-text match runs once however many facets there are. Formats are those readers
# download: {formats} is Resource.objects.with_public_format()'s SQL.
_FACET_SQL = """
WITH m AS ({matches})
SELECT 'total', '', COUNT(*) FROM m
UNION ALL SELECT 'organization', CAST(organization_id AS TEXT), COUNT(*) FROM m
    GROUP BY organization_id
UNION ALL SELECT 'license', license_id, COUNT(*) FROM m WHERE license_id IS NOT NULL
    GROUP BY license_id
UNION ALL SELECT 'frequency', update_frequency, COUNT(*) FROM m GROUP BY update_frequency
UNION ALL SELECT 'theme', CAST(t.theme_id AS TEXT), COUNT(*) FROM {themes} t
    JOIN m ON m.id = t.dataset_id GROUP BY t.theme_id
UNION ALL SELECT 'tag', g.name, COUNT(*) FROM {tags} t
    JOIN m ON m.id = t.dataset_id JOIN {tag_names} g ON g.id = t.tag_id GROUP BY g.name
UNION ALL SELECT 'format', UPPER(r.public_format), COUNT(DISTINCT r.dataset_id)
    FROM ({formats}) r JOIN m ON m.id = r.dataset_id WHERE r.public_format <> ''
    GROUP BY UPPER(r.public_format)
"""


def _facets(qs: QuerySet, filters: dict[str, list[str]]) -> tuple[int, dict[str, list[FacetValue]]]:
    """The number of results and the counts per facet value, over exactly those results."""
    matches, params = (
        qs.order_by().values_list("id", "organization_id", "license_id", "update_frequency")
    ).query.sql_with_params()
    formats, format_params = (
        Resource.objects.with_public_format()
        .order_by()
        .values_list("dataset_id", "public_format")
        .query.sql_with_params()
    )
    sql = _FACET_SQL.format(
        matches=matches,
        themes=connection.ops.quote_name(Dataset.themes.through._meta.db_table),
        tags=connection.ops.quote_name(Dataset.tags.through._meta.db_table),
        tag_names=connection.ops.quote_name(Tag._meta.db_table),
        formats=formats,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, *format_params))
        rows = cursor.fetchall()
    counts: dict[str, dict[str, int]] = {key: {} for key in (*FACETS, "total")}
    for key, value, count in rows:
        counts[key][str(value)] = count
    total = next(iter(counts.pop("total").values()), 0)

    # Tags are kept in the language they were written in: each page lists those in its
    # own language first (and gives them the first places of the FACET_LIMIT), then the
    # others, rather than one mixed list on both.
    language = _page_language()

    def foreign(key, value) -> str:  # the lang of a tag in the other language, else ""
        return _foreign_lang(str(value), language) if key == "tag" else ""

    def top(key) -> dict[str, int]:
        ranked = sorted(
            counts[key].items(),
            key=lambda item: (bool(foreign(key, item[0])), -item[1], item[0]),
        )
        return dict(ranked[:FACET_LIMIT])

    def build(key, labels: dict[str, tuple[str, str]]) -> list[FacetValue]:
        chosen = filters.get(key, [])
        values = [(*labels[raw], n) for raw, n in top(key).items() if raw in labels]
        # A value picked stays listed, at 0 when it leaves no results (two themes no
        # dataset has both of) or names nothing: else it could not be clicked away, and
        # the search form would keep sending it, unseen.
        shown = {str(v[0]) for v in values}
        by_value = {str(value): label for value, label in labels.values()}
        values += [(v, by_value.get(v, v), 0) for v in dict.fromkeys(chosen) if v not in shown]
        values.sort(
            key=lambda v: (bool(foreign(key, v[0])), -v[2], str(v[1]).casefold(), str(v[1]))
        )
        return [
            FacetValue(str(v), str(label), n, str(v) in chosen, foreign(key, v))
            for v, label, n in values
        ]

    def ids(key):
        return [int(raw) for raw in top(key)]

    def picked(key):  # to look up by name: no name holds a NUL, which PostgreSQL refuses
        return [value for value in filters.get(key, []) if "\x00" not in value]

    frequency_labels = dict(Dataset.Frequency.choices)
    return total, {
        "organization": build(
            "organization",
            {
                str(o.pk): (o.slug, o.name)
                for o in Organization.objects.filter(
                    Q(pk__in=ids("organization")) | Q(slug__in=picked("organization"))
                )
            },
        ),
        "theme": build(
            "theme",
            {
                str(t.pk): (t.slug, t.name)
                for t in Theme.objects.filter(Q(pk__in=ids("theme")) | Q(slug__in=picked("theme")))
            },
        ),
        "tag": build("tag", {name: (name, name) for name in top("tag")}),
        "format": build("format", {raw: (raw, raw) for raw in counts["format"]}),
        "license": build(
            "license",
            {
                lic.pk: (lic.pk, lic.title)
                for lic in License.objects.filter(pk__in=[*top("license"), *picked("license")])
            },
        ),
        "frequency": build(
            "frequency",
            {
                raw: (raw, frequency_labels.get(raw, raw))
                for raw in [*counts["frequency"], *picked("frequency")]
            },
        ),
    }


# Public facet counts are the same for every anonymous visitor: cache them under a version
# that every catalog write bumps (datasets.services.catalog.catalog_changed), so a cached
# count never disagrees with the results. The TTL only bounds writes made outside services.
CATALOG_VERSION_KEY = "datasets:catalog-version"
FACET_CACHE_SECONDS = 300


def catalog_version() -> int:
    return cache.get_or_set(CATALOG_VERSION_KEY, 1, timeout=None)


def _cached_facets(user, qs, q: str, filters: dict[str, list[str]]):
    if user is not None and user.is_authenticated:
        # Members see their organization's drafts: their counts are their own.
        return _facets(qs, filters)
    raw = json.dumps([q, sorted((k, sorted(v)) for k, v in filters.items()), get_language()])
    key = f"datasets:facets:{catalog_version()}:{hashlib.sha256(raw.encode()).hexdigest()}"
    cached = cache.get(key)
    if cached is None:
        cached = _facets(qs, filters)
        cache.set(key, cached, FACET_CACHE_SECONDS)
    return cached


def _localized_title():
    """The title in the active language, falling back to the default language's."""
    language = (get_language() or "zh-hant").replace("-", "_")
    field_name = f"title_{language}" if language in ("zh_hant", "en") else "title_zh_hant"
    return Coalesce(NullIf(field_name, Value("")), "title_zh_hant", "title")


def _catalog_base(user) -> QuerySet:
    """Datasets the catalog lists for `user`: the visible ones minus archived ones, which
    keep their pages but leave the catalog (as on CKAN)."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return Dataset.objects.exclude(status=Dataset.Status.ARCHIVED)
    org_ids = permissions.organizations_where(user, Membership.Role.MEMBER)
    if not org_ids:
        # Plain equality keeps the (status, private, -metadata_modified) index usable.
        return Dataset.objects.published()
    return Dataset.objects.filter(
        Q(status=Dataset.Status.PUBLISHED, private=False)
        | (Q(organization_id__in=org_ids) & ~Q(status=Dataset.Status.ARCHIVED))
    )


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
    if filters.get("format"):  # matched whatever the case, listed in capitals
        filters["format"] = list(dict.fromkeys(v.upper() for v in filters["format"]))
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
    # The search columns are large and never shown.
    ordered = ordered.defer("search_vector", "search_text")
    ordered = ordered.select_related("organization", "license").prefetch_related(
        "themes",
        "tags",
        # The formats readers download, in order, so the results list shows each once
        # ({% ifchanged %}), not "CSV XLSX CSV" for files added in that order.
        Prefetch(
            "resources",
            queryset=Resource.objects.with_public_format()
            .only("id", "dataset_id")
            .order_by("public_format"),
        ),
    )
    total, facets = _cached_facets(user, qs, q, filters) if with_facets else (None, {})
    return CatalogSearch(ordered, facets, q, sort, filters, typo_corrected, total)


class CatalogPaginator(Paginator):
    """A paginator that reuses the result count the facet query already made."""

    def __init__(self, object_list, per_page, *, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # pre-fills the cached_property


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


# Formats the ingestion reads as tables: a failed job on any other file (a PDF, a
# picture) only means the file is kept for download, which is no problem.
TABLE_FORMATS = frozenset(
    {"CSV", "TSV", "TXT", "XLSX", "XLS", "ODS", "JSON", "JSONL", "NDJSON", "GEOJSON", "ZIP", "GZ"}
)
# File states that need an editor's attention before the dataset goes to review.
FILE_STATES_TO_RESOLVE = ("failed", "awaiting_decision")


def dataset_resources_with_state(*, dataset: Dataset) -> list[Resource]:
    """The dataset's resources for its editors, each with `file_state`: "processing",
    "failed", "awaiting_decision" (personal data found, an editor must decide),
    "kept_unpublished", "ready", "stored" (not a table, kept for download), or "" when
    the file was never ingested. Two queries, whatever the number of files."""
    latest_job = (
        IngestJob.objects.filter(resource=OuterRef("pk")).order_by("-created_at", "-pk")
    ).values("pk")[:1]
    newest = (ResourceVersion.objects.filter(resource=OuterRef("pk")).order_by("-number")).values(
        "personal_data"
    )[:1]
    resources = list(
        dataset_resources(dataset=dataset).annotate(
            latest_job_id=Subquery(latest_job), newest_personal_data=Subquery(newest)
        )
    )
    jobs = IngestJob.objects.only("status").in_bulk(
        [r.latest_job_id for r in resources if r.latest_job_id]
    )
    for resource in resources:
        job = jobs.get(resource.latest_job_id)
        if job is not None and job.status in IngestJob.ACTIVE:
            state = "processing"
        elif job is not None and job.status == IngestJob.Status.FAILED:
            state = "failed" if resource.format.upper() in TABLE_FORMATS else "stored"
        elif resource.newest_personal_data == ResourceVersion.PersonalData.FLAGGED:
            state = "awaiting_decision"
        elif resource.newest_personal_data == ResourceVersion.PersonalData.PERSONAL:
            state = "kept_unpublished"
        else:
            state = "ready" if resource.current_version_id else ""
        resource.file_state = state
    return resources


def files_to_resolve(resources: list[Resource]) -> list[Resource]:
    """Those of `dataset_resources_with_state`'s resources an editor should look at before
    the dataset goes to review (FILE_STATES_TO_RESOLVE)."""
    return [r for r in resources if getattr(r, "file_state", "") in FILE_STATES_TO_RESOLVE]


def resource_versions_visible(*, user, resource: Resource) -> list[ResourceVersion]:
    """The versions of `resource` still kept (queryable), newest first; one held back for
    personal data only for the dataset's editors, as its rows are."""
    versions = resource.versions.filter(dropped_at__isnull=True).select_related("created_by")
    if not can_edit_dataset(user, resource.dataset):
        versions = versions.exclude(personal_data__in=ResourceVersion.HELD_BACK)
    versions = list(versions.order_by("-number"))
    live = resource.current_version
    for version in versions:  # a held-back one older than the live one waits for nothing
        version.superseded = live is not None and version.number < live.number
    return versions


def resource_get_visible(*, user, name: str, resource_id) -> Resource:
    dataset = dataset_get_visible(user=user, name=name)
    try:
        resource = dataset.resources.select_related("current_version").get(pk=resource_id)
    except Resource.DoesNotExist as exc:
        raise Http404 from exc
    resource.dataset = dataset
    return resource


def resources_held_back(*, user, dataset, of: Resource | None = None) -> dict:
    """{resource id: why} for the dataset's resources (or just `of`) whose newest upload
    only its publishers may download, as only they see its rows: personal data was found
    in it and waits for their decision (FLAGGED), or they kept it unpublished (PERSONAL)."""
    if can_edit_dataset(user, dataset):
        return {}
    resources = dataset.resources.filter(pk=of.pk) if of is not None else dataset.resources.all()
    return resources_held_back_states(resources=resources)


def resources_held_back_states(*, resources: QuerySet) -> dict:
    """{id: personal_data state} for those among `resources` whose newest version is held
    back for personal data, whether the decision is still awaited or was to keep it
    unpublished, and no earlier version is live: held back from everyone but the dataset's
    editors (see above). With a live version, readers get its rows and its file."""
    newest = (
        ResourceVersion.objects.filter(resource=OuterRef("pk"))
        .order_by("-number")
        .values("personal_data")[:1]
    )
    return dict(
        resources.filter(current_version__isnull=True)
        .annotate(newest=Subquery(newest))
        .filter(newest__in=ResourceVersion.HELD_BACK)
        .values_list("pk", "newest")
    )


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
    """The organization's datasets its page lists: those the catalog shows `user` under
    ?organization=<slug>, so the page's count is the catalog's."""
    return (
        _catalog_base(user)
        .filter(organization=organization)
        .select_related("license")
        .order_by("-metadata_modified")
    )


def organization_archived_datasets(*, user, organization: Organization) -> QuerySet:
    """Its archived datasets `user` may open: the catalog leaves them out, but their pages
    stay, and its page lists them apart."""
    return (
        Dataset.objects.visible_to(user)
        .filter(organization=organization, status=Dataset.Status.ARCHIVED)
        .order_by("-metadata_modified")
    )


def workspace_datasets(*, user) -> QuerySet:
    """Every dataset of the organizations `user` belongs to, newest first: members see
    them too (read-only), as they may open each of them."""
    org_ids = permissions.organizations_where(user, Membership.Role.MEMBER)
    return (
        Dataset.objects.filter(organization_id__in=org_ids)
        .select_related("organization")
        .order_by("status", "-metadata_modified")
    )


# What the activity page says changed, in this order; the fields of both languages of a
# translated one are told apart. The values of the short ones are shown too ("status:
# Draft → Published"); a text only by its name. Bookkeeping (counts, search columns, the
# stored file's size and hash) is left out.
_DATASET_CHANGES = (
    "status", "private", "title", "summary", "description", "license", "update_frequency",
    "temporal_start", "temporal_end", "spatial", "language", "contact_name", "contact_email",
    "contact_phone", "source", "organization",
)  # fmt: skip
_RESOURCE_CHANGES = ("name", "description", "file", "url", "format", "schema", "current_version")
_TRANSLATED = {"title", "summary", "description", "name"}
_LABELS = {"current_version": _("version online")}
LANGUAGE_NAMES = (("zh-hant", _("Traditional Chinese")), ("en", _("English")))
_VALUES_SHOWN = {
    "status", "private", "license", "update_frequency", "temporal_start", "temporal_end",
    "language", "format", "current_version",
}  # fmt: skip


@dataclass(frozen=True)
class Change:
    """One field of a recorded change: its label, and its values where they are short."""

    label: str
    old: str = ""
    new: str = ""


def _fields(names) -> dict[str, tuple[str, str | None]]:
    """{history field: (model field, its language or None)}, in the order of `names`."""
    return {
        (f"{name}_{lang.replace('-', '_')}" if lang else name): (name, lang)
        for name in names
        for lang in (
            [code for code, _name in settings.LANGUAGES] if name in _TRANSLATED else [None]
        )
    }


def _changes(record, previous, names, model) -> list[Change]:
    """What `record` changed from `previous` (the object's record before it)."""
    if previous is None or record.history_type != "~":
        return []
    fields = _fields(names)
    order = list(fields)
    delta = record.diff_against(previous, included_fields=order)
    language_names = dict(LANGUAGE_NAMES)
    changes = []
    for change in sorted(delta.changes, key=lambda c: order.index(c.field)):
        if change.old in (None, "") and change.new in (None, ""):
            continue  # an empty text saved by a form where there was none: no change
        name, lang = fields[change.field]
        field = model._meta.get_field(name)
        label = capfirst(_LABELS.get(name, field.verbose_name))
        if lang:
            label = _("%(field)s (%(language)s)") % {
                "field": label,
                "language": language_names[lang],
            }
        if name in _VALUES_SHOWN:
            changes.append(Change(label, _shown(field, change.old), _shown(field, change.new)))
        else:
            changes.append(Change(label))
    return changes


def _shown(field, value) -> str:
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if field.name == "license":
        return str(License.objects.filter(pk=value).first() or value)
    if field.name == "current_version":
        number = ResourceVersion.objects.filter(pk=value).values_list("number", flat=True)
        return str(_("version %(number)s") % {"number": number[0]}) if number else "—"
    return str(value)


def dataset_activity(*, dataset: Dataset, limit: int = 50) -> list:
    """Recorded changes to the dataset and its resources, newest first, each with the
    fields it changed (`record.changes`: a list of `Change`)."""
    dataset_history = list(dataset.history.select_related("history_user")[: limit + 1])
    resource_history = list(
        Resource.history.filter(dataset_id=dataset.pk).select_related("history_user")[:limit]
    )
    for record, previous in zip(
        dataset_history[:limit], [*dataset_history[1:], None], strict=False
    ):
        if previous is None and record.history_type == "~":
            previous = record.prev_record
        record.changes = _changes(record, previous, _DATASET_CHANGES, Dataset)
    seen: dict = {}  # a resource's next older record in the list, if any
    for record in reversed(resource_history):
        previous = seen.get(record.id)
        seen[record.id] = record
        if previous is None and record.history_type == "~":
            previous = record.prev_record
        record.changes = _changes(record, previous, _RESOURCE_CHANGES, Resource)
    return sorted(
        chain(dataset_history[:limit], resource_history),
        key=lambda h: h.history_date,
        reverse=True,
    )[:limit]
