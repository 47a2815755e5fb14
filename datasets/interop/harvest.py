"""Harvesting in: import another portal's datasets (CKAN Action API or DCAT) into an
organization, keyed on the remote id so a re-harvest updates instead of duplicating.

    run = harvest_run(source=source)   # also what the scheduled task calls

A remote dataset that disappears is archived here, never deleted. A run that cannot read
the remote catalog at all fails without touching anything, so an outage of the remote
portal never archives a whole organization. The remote is the source of truth: local edits
to a harvested dataset last until the remote dataset changes again.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urljoin

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from datasets.ingest.errors import IngestError, Text, translations
from datasets.models import (
    Dataset,
    HarvestRecord,
    HarvestRun,
    HarvestSource,
    License,
    Resource,
    Tag,
    Theme,
)
from datasets.services.catalog import dataset_index
from portal import permissions

CKAN_PAGE_SIZE = 100
MAX_DATASETS = 20_000  # a runaway remote never makes a run endless
MAX_RESPONSE_BYTES = 50 * 1024 * 1024
MAX_REMOTE_CONTEXTS = 5
# Formats the ingestion pipeline turns into tables; other files stay plain links.
INGESTIBLE_FORMATS = {"CSV", "TSV", "XLSX", "XLS", "ODS", "JSON", "GEOJSON"}
HARVEST_INTERVAL = timedelta(hours=24)


class HarvestFetchError(Exception):
    """The remote catalog could not be read (network, HTTP status, not a catalog); its
    argument is a datasets.ingest.errors.Text, shown in each reader's language."""


@dataclass
class RemoteResource:
    remote_id: str
    url: str
    name: str = ""
    description: str = ""
    format: str = ""
    size: int | None = None
    mimetype: str = ""


@dataclass
class RemoteDataset:
    remote_id: str
    name: str
    title: str
    notes: str = ""
    modified: str = ""
    license_id: str = ""
    tags: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    extras: dict[str, str] = field(default_factory=dict)
    source_url: str = ""
    contact_name: str = ""
    contact_email: str = ""
    resources: list[RemoteResource] = field(default_factory=list)


# --- sources ------------------------------------------------------------------------------


def harvest_source_create(
    *,
    organization,
    by,
    name: str,
    kind: str,
    url: str,
    remote_organization: str = "",
    ingest_files: bool = True,
) -> HarvestSource:
    if not permissions.can_edit_for(by, organization):
        raise PermissionDenied(_("Only editors and admins of the organization can add sources."))
    if HarvestSource.objects.filter(organization=organization, url=url).exists():
        raise ValidationError({"url": _("This organization already harvests this address.")})
    source = HarvestSource(
        organization=organization,
        created_by=by,
        name=name,
        kind=kind,
        url=url,
        remote_organization=remote_organization,
        ingest_files=ingest_files,
    )
    source.full_clean()
    source.save()
    return source


def harvest_source_queue(*, source: HarvestSource, by=None) -> None:
    from datasets.interop.tasks import harvest_source_task

    if by is not None and not permissions.can_edit_for(by, source.organization_id):
        raise PermissionDenied(_("Only editors and admins of the organization can run harvests."))
    transaction.on_commit(lambda: harvest_source_task.delay(source.pk))


def harvest_due_sources() -> list[int]:
    """Active sources not harvested within the interval (what the hourly beat queues)."""
    cutoff = timezone.now() - HARVEST_INTERVAL
    sources = HarvestSource.objects.filter(active=True).exclude(last_run_at__gt=cutoff)
    return list(sources.values_list("pk", flat=True))


# --- fetching -----------------------------------------------------------------------------


def _get_json(url: str, params: dict | None = None):
    """GET a JSON document through the ingest fetcher: officials type these addresses and
    the worker fetches them, so the same SSRF rules, redirect checks and caps apply."""
    from datasets.ingest.fetch import fetch_to_file

    if params:
        url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
    with tempfile.TemporaryDirectory(prefix="harvest-") as folder:
        target = Path(folder) / "body.json"
        try:
            fetch_to_file(url, target)
        except IngestError as exc:
            raise HarvestFetchError(
                Text(_l("%(url)s: %(error)s"), url=url, error=exc.message)
            ) from exc
        if target.stat().st_size > MAX_RESPONSE_BYTES:
            raise HarvestFetchError(Text(_l("%(url)s sent more than 50 MB."), url=url))
        try:
            return json.loads(target.read_bytes())
        except ValueError as exc:
            raise HarvestFetchError(Text(_l("%(url)s did not answer with JSON."), url=url)) from exc


def _ckan_dataset(package: dict, base: str) -> RemoteDataset:
    extras = {e.get("key"): str(e.get("value", "")) for e in package.get("extras") or []}
    resources = [
        RemoteResource(
            remote_id=str(r.get("id") or r.get("url")),
            url=r.get("url") or "",
            name=r.get("name") or "",
            description=r.get("description") or "",
            format=(r.get("format") or "").strip(),
            size=r.get("size") if isinstance(r.get("size"), int) else None,
            mimetype=r.get("mimetype") or "",
        )
        for r in package.get("resources") or []
        if r.get("url")
    ]
    return RemoteDataset(
        remote_id=str(package["id"]),
        name=package.get("name") or str(package["id"]),
        title=package.get("title") or package.get("name") or "",
        notes=package.get("notes") or "",
        modified=package.get("metadata_modified") or "",
        license_id=package.get("license_id") or "",
        tags=[t["name"] for t in package.get("tags") or [] if t.get("name")],
        groups=[g["name"] for g in package.get("groups") or [] if g.get("name")],
        extras=extras,
        source_url=urljoin(base + "/", f"dataset/{package.get('name')}"),
        contact_name=package.get("maintainer") or "",
        contact_email=package.get("maintainer_email") or "",
        resources=resources,
    )


def fetch_ckan(source: HarvestSource) -> list[RemoteDataset]:
    base = source.url.rstrip("/")
    endpoint = f"{base}/api/3/action/package_search"
    params = {"rows": CKAN_PAGE_SIZE, "sort": "name asc"}
    if source.remote_organization:
        params["fq"] = f'organization:"{source.remote_organization}"'
    found: list[RemoteDataset] = []
    start = 0
    while start < MAX_DATASETS:
        body = _get_json(endpoint, {**params, "start": start})
        if not isinstance(body, dict) or not body.get("success"):
            raise HarvestFetchError(Text(_l("%(url)s is not a CKAN Action API."), url=endpoint))
        results = body["result"].get("results") or []
        found.extend(_ckan_dataset(p, base) for p in results)
        start += len(results)
        if not results or start >= body["result"].get("count", 0):
            break
    return found


def _dcat_us_dataset(entry: dict) -> RemoteDataset:
    identifier = str(entry.get("identifier") or entry.get("landingPage") or entry.get("title"))
    contact = entry.get("contactPoint") or {}
    return RemoteDataset(
        remote_id=identifier,
        name=entry.get("title") or identifier,
        title=entry.get("title") or identifier,
        notes=entry.get("description") or "",
        modified=str(entry.get("modified") or ""),
        tags=[str(k) for k in entry.get("keyword") or []],
        source_url=entry.get("landingPage") or "",
        contact_name=contact.get("fn") or "",
        contact_email=(contact.get("hasEmail") or "").removeprefix("mailto:"),
        resources=[
            RemoteResource(
                remote_id=d.get("downloadURL") or d.get("accessURL"),
                url=d.get("downloadURL") or d.get("accessURL"),
                name=d.get("title") or "",
                description=d.get("description") or "",
                format=d.get("format") or "",
                mimetype=d.get("mediaType") or "",
            )
            for d in entry.get("distribution") or []
            if d.get("downloadURL") or d.get("accessURL")
        ],
    )


def _resolve_context(value, base: str, fetched: dict):
    """A JSON-LD @context with every remote reference replaced by its content, fetched
    through our fetcher: left to rdflib, a catalog could make the worker fetch any
    address (SSRF)."""
    if isinstance(value, list):
        return [_resolve_context(item, base, fetched) for item in value]
    if isinstance(value, dict):
        value = {k: _inline_contexts(v, base, fetched) for k, v in value.items()}
        if isinstance(imported := value.pop("@import", None), str):
            return {**_resolve_context(imported, base, fetched), **value}
        return value
    if not isinstance(value, str):
        return value
    url = urljoin(base, value)
    if url not in fetched:
        if len(fetched) >= MAX_REMOTE_CONTEXTS:
            raise HarvestFetchError(_l("The catalog refers to too many remote JSON-LD contexts."))
        fetched[url] = {}  # a context that refers back to itself ends here
        document = _get_json(url)
        context = document.get("@context", {}) if isinstance(document, dict) else {}
        fetched[url] = _resolve_context(context, url, fetched)
    return fetched[url]


def _inline_contexts(node, base: str, fetched: dict):
    if isinstance(node, list):
        return [_inline_contexts(item, base, fetched) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: _resolve_context(value, base, fetched)
        if key == "@context"
        else _inline_contexts(value, base, fetched)
        for key, value in node.items()
    }


def _dcat_ap_datasets(document, url: str) -> tuple[list[RemoteDataset], str | None]:
    """Datasets of one JSON-LD page, read as RDF so any context or framing works."""
    from rdflib import Graph, Namespace
    from rdflib.namespace import DCAT, DCTERMS, RDF

    hydra = Namespace("http://www.w3.org/ns/hydra/core#")
    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    document = _inline_contexts(document, url, {})
    graph = Graph().parse(data=json.dumps(document), format="json-ld", publicID=url)

    def by_language(node, predicate) -> dict[str | None, str]:
        return {getattr(v, "language", None): str(v) for v in graph.objects(node, predicate)}

    def text(node, predicate) -> str:
        values = by_language(node, predicate)
        return values.get("zh-hant") or values.get(None) or next(iter(values.values()), "")

    def distribution(dist) -> RemoteResource | None:
        url = graph.value(dist, DCAT.downloadURL) or graph.value(dist, DCAT.accessURL)
        if url is None:
            return None
        size = str(graph.value(dist, DCAT.byteSize) or "")
        return RemoteResource(
            remote_id=text(dist, DCTERMS.identifier) or str(url),
            url=str(url),
            name=text(dist, DCTERMS.title),
            description=text(dist, DCTERMS.description),
            format=str(graph.value(dist, DCTERMS.format) or "").rsplit("/", 1)[-1],
            size=int(size) if size.isdigit() else None,
        )

    found = []
    for node in graph.subjects(RDF.type, DCAT.Dataset):
        dists = list(graph.objects(node, DCAT.distribution))
        titles = by_language(node, DCTERMS.title)
        summaries = by_language(node, DCTERMS.description)
        extras = {
            key: values[lang]
            for key, values, lang in [
                ("title_en", titles, "en"),
                ("title_zh_hant", titles, "zh-hant"),
                ("summary_en", summaries, "en"),
                ("summary_zh_hant", summaries, "zh-hant"),
            ]
            if lang in values
        }
        licenses = {str(graph.value(d, DCTERMS.license) or "") for d in dists} - {""}
        license_id = License.objects.filter(url__in=licenses).values_list("pk", flat=True).first()
        contact = graph.value(node, DCAT.contactPoint)
        email = str(graph.value(contact, vcard.hasEmail) or "") if contact is not None else ""
        found.append(
            RemoteDataset(
                remote_id=text(node, DCTERMS.identifier) or str(node),
                name=str(node).rstrip("/").rsplit("/", 1)[-1],
                title=text(node, DCTERMS.title),
                notes=text(node, DCTERMS.description),
                modified=text(node, DCTERMS.modified),
                license_id=license_id or "",
                tags=[str(k) for k in graph.objects(node, DCAT.keyword)],
                extras=extras,
                source_url=str(graph.value(node, DCAT.landingPage) or node),
                contact_name=text(contact, vcard.fn) if contact is not None else "",
                contact_email=email.removeprefix("mailto:"),
                resources=[r for d in dists if (r := distribution(d)) is not None],
            )
        )
    next_page = graph.value(None, hydra.next)
    return found, str(next_page) if next_page is not None else None


def fetch_dcat(source: HarvestSource) -> list[RemoteDataset]:
    url: str | None = source.url
    found: list[RemoteDataset] = []
    seen_pages = set()
    while url and url not in seen_pages and len(found) < MAX_DATASETS:
        seen_pages.add(url)
        document = _get_json(url)
        if isinstance(document, dict) and isinstance(document.get("dataset"), list):
            found.extend(_dcat_us_dataset(entry) for entry in document["dataset"])  # data.json
            break
        try:
            datasets, url = _dcat_ap_datasets(document, url)
        except (ValueError, TypeError, SyntaxError) as exc:
            raise HarvestFetchError(Text(_l("%(url)s is not a DCAT catalog."), url=url)) from exc
        found.extend(datasets)
    return found


# --- importing ----------------------------------------------------------------------------


def _unique_name(wanted: str, *, exclude_pk=None) -> str:
    base = (slugify(wanted)[:90] or "dataset").strip("-_") or "dataset"
    base = base if len(base) >= 2 else f"{base}-dataset"
    name, n = base, 1
    while Dataset.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _apply(dataset: Dataset, remote: RemoteDataset, source: HarvestSource) -> None:
    extras = remote.extras
    notes = remote.notes.strip()
    summary_zh = extras.get("summary_zh_hant") or ""
    summary_en = extras.get("summary_en") or ""
    if not (summary_zh or summary_en):
        summary_zh = (notes.split("\n\n", 1)[0] or remote.title)[:600]
    dataset.title_zh_hant = (extras.get("title_zh_hant") or remote.title)[:300]
    dataset.title_en = (extras.get("title_en") or "")[:300]
    dataset.summary_zh_hant = summary_zh[:600]
    dataset.summary_en = summary_en[:600]
    dataset.description_zh_hant = notes if len(notes) > len(summary_zh or summary_en) else ""
    dataset.organization = source.organization
    dataset.license = License.objects.filter(pk=remote.license_id).first()
    dataset.source = remote.source_url[:500]
    dataset.contact_name = remote.contact_name[:200]
    dataset.contact_email = remote.contact_email[:254] if "@" in remote.contact_email else ""
    if extras.get("update_frequency") in Dataset.Frequency.values:
        dataset.update_frequency = extras["update_frequency"]
    dataset.spatial = (extras.get("spatial_text") or dataset.spatial)[:300]
    if dataset.status != Dataset.Status.PUBLISHED:
        dataset.status = Dataset.Status.PUBLISHED
        dataset.published_at = dataset.published_at or timezone.now()
    dataset.private = False


def _sync_resources(
    dataset: Dataset, record: HarvestRecord, remote: RemoteDataset, source: HarvestSource
) -> None:
    from datasets.services.ingestion import ingest_enqueue

    known = dict(record.resource_ids)
    kept = {}
    for position, item in enumerate(remote.resources):
        resource = None
        if local_id := known.get(item.remote_id):
            resource = Resource.objects.filter(pk=local_id, dataset=dataset).first()
        url_changed = resource is None or resource.url != item.url
        resource = resource or Resource(dataset=dataset, url_type=Resource.UrlType.LINK)
        resource.url = item.url[:2000]
        resource.name_zh_hant = (item.name or item.url.rsplit("/", 1)[-1] or item.format)[:300]
        resource.description_zh_hant = item.description
        resource.format = item.format.upper()[:30]
        resource.size = item.size
        resource.mimetype = item.mimetype[:100]
        resource.position = position
        resource.full_clean(exclude=["file", "dataset", "current_version"])
        resource.save()
        kept[item.remote_id] = str(resource.pk)
        if url_changed and source.ingest_files and resource.format in INGESTIBLE_FORMATS:
            ingest_enqueue(resource=resource, source="url")
    # Files the remote dropped go away with it: they are only links to the remote.
    Resource.objects.filter(dataset=dataset).exclude(pk__in=list(kept.values())).delete()
    record.resource_ids = kept


def _import_one(source: HarvestSource, remote: RemoteDataset, run: HarvestRun, now) -> None:
    record = (
        HarvestRecord.objects.select_related("dataset")
        .filter(source=source, remote_id=remote.remote_id)
        .first()
    )
    if record is not None:
        dataset = record.dataset
        if (
            record.remote_modified == remote.modified
            and remote.modified
            and (dataset.status == Dataset.Status.PUBLISHED)
        ):
            record.last_seen_at = now
            record.save(update_fields=["last_seen_at"])
            run.unchanged += 1
            return
        created = False
    else:
        dataset = Dataset(name=_unique_name(remote.name))
        record = HarvestRecord(source=source, remote_id=remote.remote_id)
        created = True
    _apply(dataset, remote, source)
    dataset.full_clean(exclude=["organization", "license", "created_by"])
    dataset.save()
    dataset.tags.set([Tag.objects.get_or_create(name=t[:100])[0] for t in remote.tags if t])
    dataset.themes.set(Theme.objects.filter(slug__in=remote.groups))
    record.dataset = dataset
    record.remote_modified = remote.modified[:50]
    record.last_seen_at = now
    _sync_resources(dataset, record, remote, source)
    record.save()
    dataset_index(dataset=dataset)  # searchable on the catalog page and package_search
    if created:
        run.created += 1
    else:
        run.updated += 1


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return str(exc)


def harvest_run(*, source: HarvestSource) -> HarvestRun:
    """Import or update every remote dataset of the source and archive the ones gone."""
    run = HarvestRun.objects.create(source=source)
    try:
        fetch = fetch_ckan if source.kind == HarvestSource.Kind.CKAN else fetch_dcat
        remote_datasets = fetch(source)
    except HarvestFetchError as exc:
        run.status = HarvestRun.Status.FAILED
        # In the worker's language, and in each site language for the page's readers.
        message = exc.args[0] if exc.args else ""
        run.errors = [
            {"remote_id": "", "message": str(message), "translations": translations(message)}
        ]
        run.finished_at = timezone.now()
        run.save()
        HarvestSource.objects.filter(pk=source.pk).update(last_run_at=run.finished_at)
        return run

    now = timezone.now()
    seen = set()
    for remote in remote_datasets:
        if remote.remote_id in seen:
            continue
        seen.add(remote.remote_id)
        try:
            with transaction.atomic():
                _import_one(source, remote, run, now)
        except (ValidationError, IntegrityError, ValueError, TypeError) as exc:
            # Validation messages are rendered in each site language too, as above.
            message = lazy(_error_text, str)(exc)
            run.errors.append(
                {
                    "remote_id": remote.remote_id,
                    "message": str(message),
                    "translations": translations(message),
                }
            )

    gone = (
        HarvestRecord.objects.filter(source=source)
        .exclude(remote_id__in=seen)
        .exclude(dataset__status=Dataset.Status.ARCHIVED)
    )
    run.archived = Dataset.objects.filter(harvest_record__in=gone).update(
        status=Dataset.Status.ARCHIVED, metadata_modified=now
    )
    run.status = HarvestRun.Status.PARTIAL if run.errors else HarvestRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    HarvestSource.objects.filter(pk=source.pk).update(last_run_at=run.finished_at)
    return run
