"""CKAN Action API (read actions) so ckanapi, harvesters and CKAN-aware tools work unchanged.

Served at /api/3/action/{name} and /api/action/{name}, GET or POST (JSON or form body),
without redirects or CSRF. Every answer has CKAN's envelope
`{"help": url, "success": bool, "result" | "error"}` and CKAN's status codes.
"""

from __future__ import annotations

import csv
import io
import json
import math
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf_exceptions

from datasets.datastore.query import MAX_LIMIT, MAX_ROWS
from datasets.interop import selectors
from datasets.interop.links import dataset_page_url, resource_download_url
from datasets.interop.solr import SearchQueryError
from datasets.models import Dataset, License, Resource, Theme
from datasets.permissions import can_view_dataset
from portal.auth import TokenAuthentication
from portal.models import Organization

CKAN_VERSION = "2.10.4"
ACTIONS: dict[str, Callable[[HttpRequest, dict], Any]] = {}


class ActionError(Exception):
    """An error answer. The English prefix is CKAN's (clients match on it); the
    explanation after it is in the caller's language."""

    status = 400
    type = "Bad Request"
    prefix = "Bad request: "

    def __init__(self, message: str = "", fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def as_dict(self) -> dict:
        return {"__type": self.type, "message": self.prefix + self.message, **self.fields}


class NotFound(ActionError):
    status = 404
    type = "Not Found Error"
    prefix = "Not found: "


class NotAuthorized(ActionError):
    status = 403
    type = "Authorization Error"
    prefix = "Access denied: "


class ValidationError(ActionError):
    status = 409
    type = "Validation Error"

    def as_dict(self) -> dict:
        return {"__type": self.type, **self.fields}


class Throttled(ActionError):
    status = 429
    type = "Throttled"
    prefix = "Too many requests: "

    def __init__(self, message: str, *, wait: float):
        super().__init__(message)
        # Whole seconds, at least one, as DRF's throttled answers say it.
        self.retry_after = max(1, math.ceil(wait))


class QueryError(ActionError):
    type = "Search Query Error"
    prefix = "Search Query is invalid: "


def action(func):
    ACTIONS[func.__name__] = func
    return func


# --- request plumbing ---------------------------------------------------------------------


def _params(request: HttpRequest) -> dict:
    params: dict[str, Any] = {}
    for key in request.GET:
        values = request.GET.getlist(key)
        params[key] = values if len(values) > 1 else values[0]
    if request.method == "POST":
        if request.content_type == "application/json" or (
            request.body[:1] in (b"{",) and request.content_type != "multipart/form-data"
        ):
            try:
                body = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError) as exc:
                raise ActionError(_("JSON Error: %(error)s") % {"error": exc}) from exc
            if not isinstance(body, dict):
                raise ActionError(_("JSON Error: the body must be an object"))
            params.update(body)
        else:
            for key in request.POST:
                values = request.POST.getlist(key)
                params[key] = values if len(values) > 1 else values[0]
    return params


def _user(request: HttpRequest):
    """The caller: an API key as CKAN clients send it (the raw key in `Authorization` or
    `X-CKAN-API-Key`), `Token <key>` as our own API takes it, or the signed-in session."""
    header = request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key") or ""
    key = header.strip()
    if key.lower().startswith(("token ", "bearer ")):
        key = key.split(None, 1)[1].strip()
    if key:
        try:
            user, _token = TokenAuthentication().authenticate_credentials(key.encode())
        except drf_exceptions.AuthenticationFailed as exc:
            raise NotAuthorized(_("the API key is not valid.")) from exc
        return user
    return request.user if request.user.is_authenticated else None


def _envelope(request: HttpRequest, name: str, **body) -> dict:
    help_url = request.build_absolute_uri(f"/api/3/action/help_show?name={name}")
    return {"help": help_url, **body}


@csrf_exempt
def action_view(request: HttpRequest, name: str) -> JsonResponse:
    # These paths have no language prefix; API clients choose with Accept-Language.
    with translation.override(translation.get_language_from_request(request)):
        return _dispatch(request, name)


def _dispatch(request: HttpRequest, name: str) -> JsonResponse:
    if request.method not in ("GET", "POST"):
        error = ActionError(_("only GET and POST are accepted"))
        return _error_response(request, name, error, status=405)
    func = ACTIONS.get(name)
    try:
        if func is None:
            # Word for word what CKAN answers: clients and tests compare the text.
            raise ActionError(f"Action name not known: {name}")
        params = _params(request)
        _refuse_nul(params)
        request.ckan_user = _user(request)
        result = func(request, params)
    except SearchQueryError as exc:
        return _error_response(
            request,
            name,
            QueryError(str(exc)),
        )
    except Throttled as exc:
        response = _error_response(request, name, exc)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except ActionError as exc:
        return _error_response(request, name, exc)
    return JsonResponse(
        _envelope(request, name, success=True, result=result),
        json_dumps_params={"ensure_ascii": False},
    )


def _error_response(request, name, error: ActionError, status: int | None = None):
    return JsonResponse(
        _envelope(request, name, success=False, error=error.as_dict()),
        status=status or error.status,
        json_dumps_params={"ensure_ascii": False},
    )


def api_version(request: HttpRequest) -> JsonResponse:
    """`GET /api/3`: clients probe it to learn the API version, as on CKAN."""
    return JsonResponse({"version": 3})


# --- parameter helpers --------------------------------------------------------------------


def _int(params: dict, key: str, default: int, *, minimum: int = 0, maximum: int | None = None):
    value = params.get(key, default)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(fields={key: [_("Invalid integer")]}) from exc
    if number < minimum:
        raise ValidationError(
            fields={key: [_("Must be %(minimum)s or more") % {"minimum": minimum}]}
        )
    if maximum is not None:  # CKAN cuts a page size down to its maximum, however large
        return min(number, maximum)
    if number > MAX_ROWS:  # past what a database takes
        raise ValidationError(
            fields={key: [_("Must be %(maximum)s or less") % {"maximum": MAX_ROWS}]}
        )
    return number


def _nul_in(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_nul_in(k) or _nul_in(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_nul_in(v) for v in value)
    return False


def _refuse_nul(params: dict) -> None:
    """No database stores the NUL character in text; PostgreSQL refuses it outright."""
    for key, value in params.items():
        if _nul_in(key) or _nul_in(value):
            raise ValidationError(fields={key: [_("Must not contain the NUL character")]})


def _bool(params: dict, key: str, default: bool = False) -> bool:
    value = params.get(key, default)
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("true", "1", "yes", "on")


def _json_list(params: dict, key: str) -> list:
    value = params.get(key)
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return value
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = [value]
    if not isinstance(parsed, list):
        raise ValidationError(fields={key: [_("Must be a JSON list")]})
    return parsed


def _text(params: dict, key: str, default: str = "") -> str:
    """One text value: a repeated parameter or a JSON list or object is the caller's
    mistake, not something to stringify (or to fail on further down)."""
    value = params.get(key)
    if value in (None, ""):
        return default
    if isinstance(value, list | dict):
        raise ValidationError(fields={key: [_("Must be a single text value")]})
    return str(value)


def _required(params: dict, key: str) -> str:
    value = params.get(key)
    if value in (None, ""):
        raise ValidationError(fields={key: [_("Missing value")]})
    return str(value)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _timestamp(value: datetime | None) -> str | None:
    """CKAN's timestamps: ISO 8601 in UTC without an offset."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat()


# --- dictionaries -------------------------------------------------------------------------


def organization_dict(request, org: Organization, *, package_count: int | None = None) -> dict:
    data = {
        "id": str(org.pk),
        "name": org.slug,
        "title": org.name,
        "display_name": org.name,
        "description": org.description,
        "image_url": request.build_absolute_uri(org.logo.url) if org.logo else "",
        "created": _timestamp(org.created_at),
        "type": "organization",
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


def group_dict(theme: Theme, *, package_count: int | None = None) -> dict:
    data = {
        "id": str(theme.pk),
        "name": theme.slug,
        "title": theme.name,
        "display_name": theme.name,
        "description": theme.description,
        "image_url": "",
        "type": "group",
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


def resource_dict(request, resource: Resource, held_back: bool = False) -> dict:
    """`held_back`: the file waits for a personal-data decision the caller may not see
    (selectors.files_held_back), so no address is given until then."""
    public = resource.public_file  # what `url` gives, and not a newer file being read
    return {
        "id": str(resource.pk),
        "package_id": str(resource.dataset_id),
        "url": "" if held_back else resource_download_url(request, resource),
        "name": resource.name,
        "description": resource.description,
        "format": public.format,
        "hash": public.sha256,
        "mimetype": public.mimetype or None,
        "size": public.size,
        "created": _timestamp(resource.created_at),
        "last_modified": _timestamp(resource.last_modified),
        "position": resource.position,
        "url_type": "upload" if resource.url_type == Resource.UrlType.UPLOAD else None,
        "datastore_active": resource.current_version_id is not None,
        "state": "active",
    }


def _state(dataset: Dataset) -> str:
    # CKAN knows active/draft/deleted; archived datasets keep their page, so "active".
    visible = dataset.status in (Dataset.Status.PUBLISHED, Dataset.Status.ARCHIVED)
    return "active" if visible else "draft"


def package_dicts(request, datasets) -> list[dict]:
    datasets = list(datasets)
    held_back = selectors.files_held_back(user=request.ckan_user, datasets=datasets)
    return [package_dict(request, d, held_back) for d in datasets]


def package_dict(request, dataset: Dataset, held_back: set) -> dict:
    """A dataset in CKAN's shape. The plain-language summary leads `notes` (CKAN has one
    description); both languages of title and summary, and our fields CKAN lacks, go into
    `extras` so a harvester keeps them. `held_back`: ids of resources given without an
    address (see resource_dict); package_dicts works them out."""
    notes = dataset.summary + (f"\n\n{dataset.description}" if dataset.description else "")
    extras = {
        "title_zh_hant": dataset.title_zh_hant or "",
        "title_en": dataset.title_en or "",
        "summary_zh_hant": dataset.summary_zh_hant or "",
        "summary_en": dataset.summary_en or "",
        "status": dataset.status,
        "update_frequency": dataset.update_frequency,
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else "",
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else "",
        "spatial_text": dataset.spatial,
        "contact_phone": dataset.contact_phone,
        "language": dataset.language,
        "source": dataset.source,
    }
    tags = list(dataset.tags.all())
    resources = list(dataset.resources.all())
    license_ = dataset.license
    return {
        "id": str(dataset.pk),
        "name": dataset.name,
        "title": dataset.title,
        "notes": notes,
        "author": dataset.organization.name,
        "author_email": dataset.organization.email or None,
        "maintainer": dataset.contact_name or None,
        "maintainer_email": dataset.contact_email or None,
        "license_id": license_.pk if license_ else None,
        "license_title": license_.title if license_ else None,
        "license_url": (license_.url or None) if license_ else None,
        "isopen": bool(license_ and license_.is_open),
        "url": dataset_page_url(request, dataset),
        "version": None,
        "state": _state(dataset),
        "type": "dataset",
        "owner_org": str(dataset.organization_id),
        "organization": organization_dict(request, dataset.organization),
        "private": dataset.private,
        "metadata_created": _timestamp(dataset.created_at),
        "metadata_modified": _timestamp(dataset.metadata_modified),
        "num_resources": len(resources),
        "num_tags": len(tags),
        "tags": [
            {
                "id": str(t.pk),
                "name": t.name,
                "display_name": t.name,
                "state": "active",
                "vocabulary_id": None,
            }
            for t in tags
        ],
        "groups": [group_dict(theme) for theme in dataset.themes.all()],
        "extras": [{"key": k, "value": v} for k, v in extras.items() if v],
        "resources": [resource_dict(request, r, r.pk in held_back) for r in resources],
    }


# --- actions ------------------------------------------------------------------------------


@action
def status_show(request, params):
    from django.conf import settings

    return {
        "ckan_version": CKAN_VERSION,
        "site_title": str(getattr(settings, "SITE_NAME", "")),
        "site_description": "",
        "site_url": request.build_absolute_uri("/").rstrip("/"),
        "locale_default": translation.to_locale(settings.LANGUAGE_CODE),
        "extensions": ["datastore", "dcat"],
    }


@action
def package_list(request, params):
    limit = _int(params, "limit", 0)
    offset = _int(params, "offset", 0)
    names = (
        selectors.ckan_datasets(user=request.ckan_user)
        .order_by("name")
        .values_list("name", flat=True)
    )
    return list(names[offset : offset + limit] if limit else names[offset:])


def _package(request, params) -> Dataset:
    ref = _required(params, "id") if "name_or_id" not in params else params["name_or_id"]
    qs = selectors.with_ckan_relations(Dataset.objects.all())
    dataset = qs.filter(name=ref).first()
    if dataset is None:
        dataset = qs.filter(pk=ref_uuid).first() if (ref_uuid := _uuid(ref)) else None
    if dataset is None or not can_view_dataset(request.ckan_user, dataset):
        # Hidden datasets look exactly like missing ones: no existence leak.
        raise NotFound(_("Dataset was not found"))
    return dataset


@action
def package_show(request, params):
    (package,) = package_dicts(request, [_package(request, params)])
    return package


@action
def package_search(request, params):
    rows = _int(params, "rows", 10, maximum=1000)
    start = _int(params, "start", 0)
    fq_list = _json_list(params, "fq_list")
    fq = params.get("fq") or []
    fq_list = [*fq_list, *(fq if isinstance(fq, list) else [fq])]
    sort = _text(params, "sort", "score desc, metadata_modified desc")
    include_private = _bool(params, "include_private") and request.ckan_user is not None
    qs = selectors.package_search_queryset(
        user=request.ckan_user,
        q=_text(params, "q"),
        fq=[str(f) for f in fq_list],
        include_private=include_private,
        sort=sort,
    )
    facet_fields = [str(f) for f in _json_list(params, "facet.field")]
    facets: dict = {}
    search_facets: dict = {}
    if _bool(params, "facet", True) and facet_fields:
        counts = selectors.facet_counts(
            qs,
            facet_fields,
            limit=_int(params, "facet.limit", 50, minimum=-1),
            mincount=_int(params, "facet.mincount", 1),
        )
        for field, items in counts.items():
            names = selectors.facet_display_names(field, [value for value, _c in items])
            facets[field] = {value: count for value, count in items}
            search_facets[field] = {
                "title": field,
                "items": [
                    {"name": v, "display_name": names.get(v, v), "count": c} for v, c in items
                ],
            }
    count = qs.count()
    page = selectors.with_ckan_relations(qs)[start : start + rows]
    return {
        "count": count,
        "sort": sort,
        "results": package_dicts(request, page),
        "facets": facets,
        "search_facets": search_facets,
    }


@action
def resource_show(request, params):
    ref = _required(params, "id")
    ref_uuid = _uuid(ref)
    resource = (
        Resource.objects.select_related("dataset", "current_version").filter(pk=ref_uuid).first()
        if ref_uuid
        else None
    )
    if resource is None or not can_view_dataset(request.ckan_user, resource.dataset):
        raise NotFound(_("Resource was not found"))
    held_back = selectors.files_held_back(user=request.ckan_user, datasets=[resource.dataset])
    return resource_dict(request, resource, resource.pk in held_back)


@action
def organization_list(request, params):
    counts = dict(
        selectors.ckan_datasets(user=None)
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    publishers = [Organization.Kind.CITY, Organization.Kind.AGENCY]
    orgs = Organization.objects.filter(Q(kind__in=publishers) | Q(pk__in=list(counts)))
    orgs = orgs.order_by("slug")
    limit = _int(params, "limit", 1000, maximum=1000)
    offset = _int(params, "offset", 0)
    orgs = orgs[offset : offset + limit]
    if _bool(params, "all_fields"):
        return [organization_dict(request, o, package_count=counts.get(o.pk, 0)) for o in orgs]
    return [o.slug for o in orgs]


def _organization(params) -> Organization:
    ref = _required(params, "id")
    org = Organization.objects.filter(slug=ref).first()
    if org is None and ref.isdigit():
        org = Organization.objects.filter(pk=int(ref)).first()
    if org is None:
        raise NotFound(_("Organization was not found"))
    return org


@action
def organization_show(request, params):
    org = _organization(params)
    datasets = selectors.ckan_datasets(user=request.ckan_user).filter(organization=org)
    data = organization_dict(request, org, package_count=datasets.count())
    if _bool(params, "include_datasets"):
        page = selectors.with_ckan_relations(datasets.order_by("name"))[:1000]
        data["packages"] = package_dicts(request, page)
    return data


@action
def group_list(request, params):
    public = selectors.ckan_datasets(user=None)
    themes = Theme.objects.annotate(
        n=Count("datasets", filter=Q(datasets__in=public), distinct=True)
    )
    limit = _int(params, "limit", 1000, maximum=1000)
    offset = _int(params, "offset", 0)
    themes = list(themes[offset : offset + limit])
    if _bool(params, "all_fields"):
        return [group_dict(t, package_count=t.n) for t in themes]
    return [t.slug for t in themes]


@action
def group_show(request, params):
    ref = _required(params, "id")
    theme = Theme.objects.filter(slug=ref).first()
    if theme is None and ref.isdigit():
        theme = Theme.objects.filter(pk=int(ref)).first()
    if theme is None:
        raise NotFound(_("Group was not found"))
    datasets = selectors.ckan_datasets(user=request.ckan_user).filter(themes=theme)
    data = group_dict(theme, package_count=datasets.count())
    if _bool(params, "include_datasets"):
        page = selectors.with_ckan_relations(datasets.order_by("name"))[:1000]
        data["packages"] = package_dicts(request, page)
    return data


@action
def tag_list(request, params):
    names = selectors.tag_names(user=request.ckan_user, query=str(params.get("query") or ""))
    if _bool(params, "all_fields"):
        return [{"id": n, "name": n, "display_name": n, "vocabulary_id": None} for n in names]
    return names


@action
def license_list(request, params):
    return [
        {
            "id": lic.pk,
            "title": lic.title,
            "url": lic.url,
            "od_conformance": "approved" if lic.is_open else "not reviewed",
            "osd_conformance": "not reviewed",
            "domain_content": True,
            "domain_data": True,
            "domain_software": False,
            "status": "active",
            "maintainer": "",
            "family": "",
            "is_generic": lic.pk.startswith("other"),
            "is_okd_compliant": lic.is_open,
            "is_osi_compliant": False,
        }
        for lic in License.objects.all()
    ]


@action
def help_show(request, params):
    name = _required(params, "name")
    func = ACTIONS.get(name)
    if func is None:
        raise NotFound(_("Action was not found"))
    return (func.__doc__ or name).strip()


# --- datastore_search -----------------------------------------------------------------------

# Our column types -> the PostgreSQL type names CKAN's datastore reports.
CKAN_TYPES = {
    "integer": "int",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
    "text": "text",
    "geometry": "text",
}


def _datastore_field(column: dict) -> dict:
    return {
        "id": column["id"],
        "type": CKAN_TYPES.get(column["type"], "text"),
        "info": {"label": column["label"]},
    }


def _datastore_sort(sort) -> list[str]:
    """CKAN's `"a, b desc"` (or a list of those) -> the query layer's ["a", "-b"]."""
    items = sort if isinstance(sort, list) else str(sort or "").split(",")
    ordering = []
    for item in items:
        bits = str(item).split()
        if not bits:
            continue
        direction = bits[1].lower() if len(bits) > 1 else "asc"
        if direction not in ("asc", "desc") or len(bits) > 2:
            raise ValidationError(fields={"sort": [_("Use “column” or “column desc”.")]})
        name = bits[0].strip('"')
        ordering.append(("-" if direction == "desc" else "") + name)
    return ordering


def _datastore_filters(params: dict) -> list[tuple[str, str, Any]]:
    raw = params.get("filters") or {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ValidationError(fields={"filters": [_("Must be a JSON object")]}) from exc
    if not isinstance(raw, dict):
        raise ValidationError(fields={"filters": [_("Must be a JSON object")]})
    filters = []
    for column, value in raw.items():
        if isinstance(value, list):
            filters.append((column, "in", [str(v) for v in value]))
        elif value is None:  # {"col": null}: the rows without a value there
            filters.append((column, "isnull", True))
        else:
            filters.append((column, "eq", str(value)))
    _text, by_column = _datastore_q(params)
    return filters + [(column, "contains", str(words)) for column, words in by_column.items()]


def _datastore_q(params: dict) -> tuple[str, dict]:
    """CKAN's `q`: words for the full-text search, or {"column": "words"} to match within
    columns (as JSON text in a GET)."""
    q = params.get("q") or ""
    if isinstance(q, str) and q.lstrip().startswith("{"):
        try:
            q = json.loads(q)
        except ValueError as exc:
            raise ValidationError(fields={"q": [_("Must be text or a JSON object")]}) from exc
    if isinstance(q, dict):
        return "", q
    return str(q), {}


def _records_as(records: list[dict], names: list[str], records_format: str):
    if records_format == "objects":
        return records
    rows = [[record[name] for name in names] for record in records]
    if records_format == "lists":
        return rows
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t" if records_format == "tsv" else ",")
    writer.writerows(rows)
    return buffer.getvalue()


def _throttle_wait(request) -> float | None:
    """The row API's throttles, applied to the CKAN caller: None when the call may go on,
    else the seconds to wait (a client retrying sooner is refused again)."""
    from datasets.data_api import DataAnonThrottle, DataUserThrottle

    caller = SimpleNamespace(user=request.ckan_user or AnonymousUser(), META=request.META)
    refused = [
        throttle
        for throttle in (DataAnonThrottle(), DataUserThrottle())
        if not throttle.allow_request(caller, None)
    ]
    return max((throttle.wait() or 0) for throttle in refused) if refused else None


def _link_value(key: str, value):
    """A parameter as `_links` carry it, to be read back from a GET: lists of columns or
    sort orders comma-separated (as JSON text they read as one odd column name), objects
    (`filters`, a per-column `q`) as JSON."""
    if isinstance(value, list) and key in ("fields", "sort"):
        return ",".join(map(str, value))
    return json.dumps(value) if isinstance(value, dict | list) else value


@action
def datastore_info(request, params):
    """The columns of a resource's live table and its row count, as CKAN's datastore_info
    gives them (`fields` without `_id`, and the older `schema` of column types)."""
    from datasets.data_api import resource_version_for_data
    from datasets.datastore.query import version_columns

    resource_id = str(params.get("id") or params.get("resource_id") or "")
    if not resource_id:
        raise ValidationError(fields={"id": [_("Missing value")]})
    try:
        version = resource_version_for_data(
            user=request.ckan_user, resource_id=_uuid(resource_id), number=None
        )
    except Http404 as exc:
        raise NotFound(_("Resource was not found")) from exc
    columns = version_columns(version)[1:]
    return {
        "meta": {
            "id": resource_id,
            "count": version.row_count,
            "table_type": "BASE TABLE",
            "aliases": [],
        },
        "fields": [_datastore_field(c) for c in columns],
        "schema": {c["id"]: CKAN_TYPES.get(c["type"], "text") for c in columns},
    }


@action
def datastore_search(request, params):
    """Rows of a resource's live table, through the same query layer as the row API."""
    from datasets.data_api import resource_version_for_data
    from datasets.datastore.query import QueryError, QueryTimeout, query_build, query_rows

    resource_id = str(params.get("resource_id") or params.get("id") or "")
    if not resource_id:
        raise ValidationError(fields={"resource_id": [_("Missing value")]})
    records_format = str(params.get("records_format") or "objects")
    if records_format not in ("objects", "lists", "csv", "tsv"):
        raise ValidationError(fields={"records_format": [_("Use objects, lists, csv or tsv.")]})
    if (wait := _throttle_wait(request)) is not None:
        raise Throttled(_("Too many requests. Wait a minute or use an API key."), wait=wait)
    fields = params.get("fields") or []
    if isinstance(fields, str):
        fields = [f.strip() for f in fields.split(",") if f.strip()]
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise ValidationError(fields={"fields": [_("Must be a list of column names")]})
    include_total = _bool(params, "include_total", True)
    # As CKAN does past its rows_max: the page is cut down, and `_links` page on from it.
    limit = _int(params, "limit", 100, maximum=MAX_LIMIT)
    offset = _int(params, "offset", 0)
    try:
        version = resource_version_for_data(
            user=request.ckan_user, resource_id=_uuid(resource_id), number=None
        )
        query = query_build(
            version=version,
            fields=fields or None,
            filters=_datastore_filters(params),
            sort=_datastore_sort(params.get("sort")),
            q=_datastore_q(params)[0],
            limit=limit,
            offset=offset,
            distinct=_bool(params, "distinct"),
        )
        page = query_rows(version=version, query=query, count=include_total)
    except Http404 as exc:
        raise NotFound(_("Resource was not found")) from exc
    except QueryError as exc:
        param = exc.param if exc.param in ("fields", "sort", "limit", "offset", "q") else "filters"
        raise ValidationError(fields={param: [exc.message]}) from exc
    except QueryTimeout as exc:
        raise ValidationError(fields={"query": [str(exc)]}) from exc

    names = [column["id"] for column in page.fields]
    base = f"/api/3/action/datastore_search?resource_id={resource_id}"
    extra = {k: v for k, v in params.items() if k not in ("resource_id", "id", "offset")}
    query_string = urlencode({k: _link_value(k, v) for k, v in extra.items()})
    start_link = base + (f"&{query_string}" if query_string else "")
    result = {
        "resource_id": resource_id,
        "fields": [_datastore_field(c) for c in page.fields],
        "records": _records_as(page.records, names, records_format),
        "limit": page.limit,
        "offset": page.offset,
        "records_format": records_format,
        "include_total": include_total,
        "_links": {"start": start_link, "next": f"{start_link}&offset={offset + limit}"},
    }
    if include_total:
        result["total"] = page.total
        result["total_was_estimated"] = page.total_was_estimated
    return result
