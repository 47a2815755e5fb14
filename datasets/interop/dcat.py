"""DCAT catalogs for harvesters: DCAT-AP 3 JSON-LD (and Turtle) and DCAT-US 1.1 data.json.

Only public, published datasets appear. The JSON-LD carries its @context inline, so a
harvester (or rdflib) reads it without fetching anything else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from datasets.interop.links import dataset_page_url, resource_data_url, resource_download_url
from datasets.interop.selectors import files_held_back, with_ckan_relations
from datasets.models import Dataset, PublicFile, Resource, ResourceVersion
from datasets.selectors import resources_held_back_states

PAGE_SIZE = 100
CACHE_SECONDS = 3600

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "locn": "http://www.w3.org/ns/locn#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcatap": "http://data.europa.eu/r5r/",
}
EU = "http://publications.europa.eu/resource/authority"
# Our ISO 37120 themes -> the EU data-theme vocabulary DCAT-AP requires.
EU_THEMES = {
    "economy": "ECON",
    "education": "EDUC",
    "energy": "ENER",
    "environment": "ENVI",
    "finance": "ECON",
    "governance": "GOVE",
    "health": "HEAL",
    "housing": "SOCI",
    "population": "SOCI",
    "recreation": "EDUC",
    "safety": "JUST",
    "solid-waste": "ENVI",
    "sport-culture": "EDUC",
    "telecommunication": "TECH",
    "transportation": "TRAN",
    "urban-planning": "REGI",
    "wastewater": "ENVI",
    "water": "ENVI",
    "agriculture": "AGRI",
}
LANGUAGES = {"zh-hant": "ZHO", "en": "ENG"}
MEDIA_TYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "GEOJSON": "application/geo+json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "XLS": "application/vnd.ms-excel",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet",
    "XML": "application/xml",
    "PDF": "application/pdf",
    "ZIP": "application/zip",
    "PARQUET": "application/vnd.apache.parquet",
}
# EU frequency codes -> ISO 8601 repeating durations (DCAT-US accrualPeriodicity)
ISO_FREQUENCIES = {
    "CONT": "R/PT1S",
    "DAILY": "R/P1D",
    "WEEKLY": "R/P1W",
    "MONTHLY": "R/P1M",
    "QUARTERLY": "R/P3M",
    "BIANNUAL": "R/P6M",
    "ANNUAL": "R/P1Y",
}


def _texts(obj, field: str) -> list[dict]:
    """Both languages of a translated field as JSON-LD language-tagged values."""
    values = []
    for code, tag in (("zh_hant", "zh-Hant"), ("en", "en")):
        if text := getattr(obj, f"{field}_{code}", ""):
            values.append({"@value": text, "@language": tag})
    return values


def _typed(value, datatype: str) -> dict:
    return {"@value": value.isoformat() if hasattr(value, "isoformat") else str(value),
            "@type": f"xsd:{datatype}"}  # fmt: skip


def _media_type(public: PublicFile) -> str:
    return public.mimetype or MEDIA_TYPES.get(public.format.upper(), "")


def _resource_page_url(request: HttpRequest, resource: Resource) -> str:
    path = reverse("resource_detail", kwargs={"name": resource.dataset.name, "id": resource.pk})
    return request.build_absolute_uri(path)


def distribution_node(
    request: HttpRequest, resource: Resource, dataset: Dataset, held_back: bool = False
) -> dict:
    """`held_back`: the file waits for its publishers' decision on personal data, so the
    distribution is reached through its page (which says so), with no download address."""
    license_ = dataset.license
    download = resource_download_url(request, resource)
    node = {
        "@id": f"{dataset_page_url(request, dataset)}#resource-{resource.pk}",
        "@type": "dcat:Distribution",
        "dct:identifier": str(resource.pk),
        "dct:title": _texts(resource, "name"),
        "dcat:accessURL": {"@id": download},
        "dcat:downloadURL": {"@id": download},
        "dct:issued": _typed(resource.created_at, "dateTime"),
        "dct:modified": _typed(resource.last_modified, "dateTime"),
    }
    if held_back:
        node["dcat:accessURL"] = {"@id": _resource_page_url(request, resource)}
        del node["dcat:downloadURL"]
    if description := _texts(resource, "description"):
        node["dct:description"] = description
    public = resource.public_file  # what the download gives, not a newer file being read
    if public.format:
        node["dct:format"] = {"@id": f"{EU}/file-type/{public.format.upper()}"}
    if media_type := _media_type(public):
        node["dcat:mediaType"] = {
            "@id": f"https://www.iana.org/assignments/media-types/{media_type}"
        }
    if public.size is not None:
        node["dcat:byteSize"] = _typed(public.size, "nonNegativeInteger")
    if license_ and license_.url:
        node["dct:license"] = {"@id": license_.url, "@type": "dct:LicenseDocument"}
    if resource.current_version_id:
        # Rows are also served, filterable, by the Data API.
        node["dcat:accessService"] = {
            "@type": "dcat:DataService",
            "dcat:endpointURL": {"@id": resource_data_url(request, resource)},
            "dct:title": [{"@value": "Data API", "@language": "en"}],
        }
    return node


def dataset_node(request: HttpRequest, dataset: Dataset, held_back: set) -> dict:
    """`held_back`: ids of resources whose files wait for a personal-data decision."""
    page = dataset_page_url(request, dataset)
    org = dataset.organization
    description = _texts(dataset, "summary")
    for value in _texts(dataset, "description"):
        match = next((d for d in description if d["@language"] == value["@language"]), None)
        if match:
            match["@value"] += "\n\n" + value["@value"]
    node = {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": str(dataset.pk),
        "dct:title": _texts(dataset, "title"),
        "dct:description": description,
        "dcat:landingPage": {"@id": page},
        "dct:publisher": {
            "@id": request.build_absolute_uri(f"/organizations/{org.slug}/"),
            "@type": "foaf:Agent",
            "foaf:name": _texts(org, "name") or org.name,
        },
        "dct:modified": _typed(dataset.metadata_modified, "dateTime"),
        "dct:accrualPeriodicity": {"@id": f"{EU}/frequency/{dataset.update_frequency}"},
        "dcat:keyword": [tag.name for tag in dataset.tags.all()],
        "dcat:theme": [
            {"@id": f"{EU}/data-theme/{EU_THEMES[t.slug]}"}
            for t in dataset.themes.all()
            if t.slug in EU_THEMES
        ],
        "dcat:distribution": [
            distribution_node(request, r, dataset, r.pk in held_back)
            for r in dataset.resources.all()
        ],
    }
    if dataset.published_at:
        node["dct:issued"] = _typed(dataset.published_at, "dateTime")
    if dataset.language in LANGUAGES:
        node["dct:language"] = {"@id": f"{EU}/language/{LANGUAGES[dataset.language]}"}
    if dataset.temporal_start or dataset.temporal_end:
        period = {"@type": "dct:PeriodOfTime"}
        if dataset.temporal_start:
            period["dcat:startDate"] = _typed(dataset.temporal_start, "date")
        if dataset.temporal_end:
            period["dcat:endDate"] = _typed(dataset.temporal_end, "date")
        node["dct:temporal"] = period
    if dataset.spatial:
        node["dct:spatial"] = {"@type": "dct:Location", "locn:geographicName": dataset.spatial}
    contact_name = dataset.contact_name or org.name
    contact_email = dataset.contact_email or org.email
    if contact_name or contact_email:
        contact = {"@type": "vcard:Organization", "vcard:fn": contact_name}
        if contact_email:
            contact["vcard:hasEmail"] = {"@id": f"mailto:{contact_email}"}
        if dataset.contact_phone:
            contact["vcard:hasTelephone"] = {"@id": f"tel:{dataset.contact_phone.replace(' ', '')}"}
        node["dcat:contactPoint"] = contact
    if dataset.source:
        node["dct:source"] = dataset.source
    return node


def catalog_document(request: HttpRequest, page_number: str | None) -> dict:
    datasets = with_ckan_relations(Dataset.objects.published().order_by("name"))
    paginator = Paginator(datasets, PAGE_SIZE)
    try:
        page = paginator.page(page_number or 1)
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404(_("No such page of the catalog.")) from exc
    base = request.build_absolute_uri(request.path)
    held_back = files_held_back(user=None, datasets=page.object_list)
    nodes = [dataset_node(request, d, held_back) for d in page.object_list]
    catalog = {
        "@id": request.build_absolute_uri("/"),
        "@type": "dcat:Catalog",
        "dct:title": str(getattr(settings, "SITE_NAME", "Open data")),
        "dct:description": _("Open data published by the city and its agencies."),
        "foaf:homepage": {"@id": request.build_absolute_uri("/")},
        "dct:publisher": {
            "@id": request.build_absolute_uri("/"),
            "@type": "foaf:Agent",
            "foaf:name": str(getattr(settings, "SITE_NAME", "Open data")),
        },
        "dct:language": [{"@id": f"{EU}/language/{code}"} for code in LANGUAGES.values()],
        "dcat:themeTaxonomy": {"@id": f"{EU}/data-theme"},
        "dcat:dataset": [{"@id": n["@id"]} for n in nodes],
    }
    graph = [catalog, *nodes]
    if paginator.num_pages > 1 or page.number > 1:
        view = {
            "@id": f"{base}?page={page.number}",
            "@type": "hydra:PartialCollectionView",
            "hydra:totalItems": _typed(paginator.count, "integer"),
            "hydra:itemsPerPage": _typed(PAGE_SIZE, "integer"),
            "hydra:first": {"@id": f"{base}?page=1"},
            "hydra:last": {"@id": f"{base}?page={paginator.num_pages}"},
        }
        if page.has_next():
            view["hydra:next"] = {"@id": f"{base}?page={page.next_page_number()}"}
        if page.has_previous():
            view["hydra:previous"] = {"@id": f"{base}?page={page.previous_page_number()}"}
        graph.append(view)
    return {"@context": CONTEXT, "@graph": graph}


def _published(name: str) -> Dataset:
    return get_object_or_404(with_ckan_relations(Dataset.objects.published()), name=name)


def _turtle(document: dict) -> HttpResponse:
    from rdflib import Graph  # only Turtle requests pay for the import

    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    return HttpResponse(graph.serialize(format="turtle"), content_type="text/turtle; charset=utf-8")


def _jsonld(document: dict) -> JsonResponse:
    return JsonResponse(
        document, content_type="application/ld+json", json_dumps_params={"ensure_ascii": False}
    )


def _catalog_version() -> str:
    """Changes whenever anything a catalog shows changes, so cached copies never go stale."""
    published = Dataset.objects.published()
    stamp = published.aggregate(n=Count("pk"), m=Max("metadata_modified"))
    files = Resource.objects.filter(dataset__in=published).aggregate(
        n=Count("pk"), m=Max("last_modified")
    )
    # A new version may hold a file back, a decision on personal data releases it.
    versions = ResourceVersion.objects.aggregate(n=Max("pk"), m=Max("personal_data_decided_at"))
    parts = (stamp["n"], stamp["m"], files["n"], files["m"], versions["n"], versions["m"])
    return "-".join(map(str, parts))


def _cached(request: HttpRequest, kind: str, build: Callable[[], HttpResponse]) -> HttpResponse:
    """Whole catalogs are slow to build (data.json of 5,000 datasets: seconds) and asked for
    by every harvester on a schedule: keep the rendered body until the catalog changes."""
    parts = [kind, request.get_host(), request.GET.get("page", "1"), translation.get_language()]
    key = "dcat:" + hashlib.sha256("|".join([*parts, _catalog_version()]).encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        response = build()
        if response.status_code == 200:
            cache.set(key, (response.content, response["Content-Type"]), CACHE_SECONDS)
        return response
    content, content_type = body
    return HttpResponse(content, content_type=content_type)


def _page_refused(request: HttpRequest) -> JsonResponse | None:
    """A `page` that is no page number is the harvester's mistake to name (a number past the
    last page is a 404, as for any page that is not there)."""
    page = request.GET.get("page")
    if page is None or (page.isascii() and page.isdigit() and int(page) >= 1):
        return None
    # These paths have no language prefix: the harvester chooses with Accept-Language.
    with translation.override(translation.get_language_from_request(request)):
        detail = _("page must be a whole number of 1 or more.")
    return JsonResponse({"detail": detail, "param": "page"}, status=400)


def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    if refused := _page_refused(request):
        return refused
    page = request.GET.get("page")
    return _cached(request, "jsonld", lambda: _jsonld(catalog_document(request, page)))


def catalog_turtle(request: HttpRequest) -> HttpResponse:
    if refused := _page_refused(request):
        return refused
    page = request.GET.get("page")
    return _cached(request, "ttl", lambda: _turtle(catalog_document(request, page)))


def _public_dataset_node(request: HttpRequest, name: str) -> dict:
    dataset = _published(name)
    held_back = files_held_back(user=None, datasets=[dataset])
    return {"@context": CONTEXT, **dataset_node(request, dataset, held_back)}


def dataset_jsonld(request: HttpRequest, name: str) -> JsonResponse:
    return _jsonld(_public_dataset_node(request, name))


def dataset_turtle(request: HttpRequest, name: str) -> HttpResponse:
    return _turtle(_public_dataset_node(request, name))


# --- DCAT-US 1.1 ----------------------------------------------------------------------------


def data_json_dataset(request: HttpRequest, dataset: Dataset, held_back: set) -> dict:
    org = dataset.organization
    entry = {
        "@type": "dcat:Dataset",
        "identifier": str(dataset.pk),
        "title": dataset.title,
        "description": dataset.summary
        + (f"\n\n{dataset.description}" if dataset.description else ""),
        "keyword": [tag.name for tag in dataset.tags.all()] or [dataset.name],
        "modified": dataset.metadata_modified.isoformat(),
        "publisher": {"@type": "org:Organization", "name": org.name},
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": dataset.contact_name or org.name,
            "hasEmail": f"mailto:{dataset.contact_email or org.email}"
            if (dataset.contact_email or org.email)
            else "",
        },
        "accessLevel": "public",
        "landingPage": dataset_page_url(request, dataset),
        "theme": [theme.name for theme in dataset.themes.all()],
        "accrualPeriodicity": ISO_FREQUENCIES.get(dataset.update_frequency, "irregular"),
        "language": [dataset.language],
        "distribution": [],
    }
    if dataset.license and dataset.license.url:
        entry["license"] = dataset.license.url
    if dataset.published_at:
        entry["issued"] = dataset.published_at.date().isoformat()
    if dataset.spatial:
        entry["spatial"] = dataset.spatial
    if dataset.temporal_start and dataset.temporal_end:
        entry["temporal"] = f"{dataset.temporal_start}/{dataset.temporal_end}"
    for resource in dataset.resources.all():
        distribution = {"@type": "dcat:Distribution", "title": resource.name}
        if resource.pk in held_back:  # waits for a personal-data decision: see its page
            distribution["accessURL"] = _resource_page_url(request, resource)
        else:
            distribution["downloadURL"] = resource_download_url(request, resource)
        public = resource.public_file
        if media_type := _media_type(public):
            distribution["mediaType"] = media_type
        if public.format:
            distribution["format"] = public.format
        if resource.description:
            distribution["description"] = resource.description
        entry["distribution"].append(distribution)
    return entry


def data_json(request: HttpRequest) -> HttpResponse:
    return _cached(request, "data.json", lambda: _data_json(request))


def _data_json(request: HttpRequest) -> JsonResponse:
    published = Dataset.objects.published()
    datasets = with_ckan_relations(published.order_by("name"))
    # The public's view: no one here edits, so every file awaiting a decision is held back.
    files = Resource.objects.filter(dataset__in=published)
    held_back = resources_held_back_states(resources=files)
    return JsonResponse(
        {
            "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
            "@id": request.build_absolute_uri("/data.json"),
            "@type": "dcat:Catalog",
            "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
            "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
            "dataset": [
                data_json_dataset(request, d, held_back) for d in datasets.iterator(chunk_size=500)
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
