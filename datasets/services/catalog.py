"""Creating and changing datasets and their resources (files or links)."""

import hashlib
import os
from urllib.parse import urlsplit

import filetype
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from datasets import permissions
from datasets.datastore import load
from datasets.ingest import detect, read, validate
from datasets.models import Dataset, IngestJob, Resource, Tag
from datasets.search import weighted_vector
from datasets.services.ingestion import (
    ingest_enqueue,
    resource_source,
    source_name,
    source_names,
    storage_delete_unused,
    version_files,
)
from portal.models import Organization, User

# Metadata a publisher may set; id, organization, status and audit fields are not in it,
# so no form or API payload can change them through these services.
DATASET_FIELDS = frozenset(
    {
        "title_zh_hant",
        "title_en",
        "summary_zh_hant",
        "summary_en",
        "description_zh_hant",
        "description_en",
        "license",
        "license_id",
        "update_frequency",
        "temporal_start",
        "temporal_end",
        "spatial",
        "contact_name",
        "contact_email",
        "contact_phone",
        "source",
        "language",
        "private",
    }
)
RESOURCE_FIELDS = frozenset(
    {"name_zh_hant", "name_en", "description_zh_hant", "description_en", "format", "schema"}
)
# Checked by _validate_dataset itself: one language is enough, and a summary's length
# has its own message. The titles per language stay in full_clean for their length
# (PostgreSQL refuses a 301-character title with an error, not a message).
CHECKED_BEFORE_FULL_CLEAN = ("title", "summary", "summary_zh_hant", "summary_en")
# Names that would shadow a page under /datasets/.
RESERVED_NAMES = frozenset({"new", "workspace", "sitemap"})

TEXT_FORMATS = {"CSV", "TSV", "TXT", "JSON", "GEOJSON", "XML", "KML", "GPX", "MD"}
# Formats whose first bytes identify them: the MIME types `filetype` may report.
BINARY_SIGNATURES = {
    "XLSX": {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    },
    "ODS": {"application/zip", "application/vnd.oasis.opendocument.spreadsheet"},
    "ZIP": {"application/zip"},
    "XLS": {"application/vnd.ms-excel", "application/x-ole-storage"},
    "PDF": {"application/pdf"},
    "PARQUET": set(),  # filetype does not know Parquet; checked by magic below
    "PNG": {"image/png"},
    "JPG": {"image/jpeg"},
    "JPEG": {"image/jpeg"},
}


class FileTooLarge(ValidationError):
    """An upload past settings.MAX_UPLOAD_SIZE; pages and API answer it with 413."""


def _check_fields(fields: dict, allowed: frozenset) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be set here.") for name in unknown},
        )


def _clean_tags(tags) -> list[Tag]:
    names = []
    for raw in tags:
        name = " ".join(str(raw).split())[:100]
        if name and name not in names:
            names.append(name)
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=name) for name in names if name not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return [existing[name] for name in names]


def _validate_dataset(dataset: Dataset) -> None:
    errors: dict[str, list[str]] = {}
    if not (dataset.title_zh_hant or dataset.title_en):
        errors["title"] = [_("Give the dataset a title in at least one language.")]
    if not (dataset.summary_zh_hant or dataset.summary_en):
        errors["summary"] = [
            _(
                "Write a plain-language summary in at least one language: what the data is and "
                "what it is good for."
            )
        ]
    for field in ("summary_zh_hant", "summary_en"):
        if len(getattr(dataset, field) or "") > 600:
            errors[field] = [_("Keep the summary under 600 characters.")]
    if dataset.name in RESERVED_NAMES:
        errors["name"] = [_("This short name is reserved. Choose another one.")]
    if (
        dataset.temporal_start
        and dataset.temporal_end
        and dataset.temporal_start > dataset.temporal_end
    ):
        errors["temporal_end"] = [_("The end of the period covered is before its start.")]
    try:
        dataset.full_clean(exclude=["organization", "search_vector", *CHECKED_BEFORE_FULL_CLEAN])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _bump_catalog_version() -> None:
    from datasets.selectors import CATALOG_VERSION_KEY

    try:
        cache.incr(CATALOG_VERSION_KEY)
    except ValueError:  # not set yet: nothing is cached under a version either
        cache.set(CATALOG_VERSION_KEY, 1, timeout=None)


def catalog_changed() -> None:
    """Invalidate cached public facet counts after a change the catalog shows.

    Bumped now (this transaction's later reads) and again after commit, so a reader that
    cached counts from the old snapshot in between is not believed afterwards.
    """
    _bump_catalog_version()
    transaction.on_commit(_bump_catalog_version)


def dataset_index(*, dataset: Dataset) -> None:
    """Refresh the search document: title > summary > tags > description, both languages."""
    tags = " ".join(dataset.tags.values_list("name", flat=True))
    titles = f"{dataset.title_zh_hant or ''} {dataset.title_en or ''} {dataset.name}"
    summaries = f"{dataset.summary_zh_hant or ''} {dataset.summary_en or ''}"
    descriptions = f"{dataset.description_zh_hant or ''} {dataset.description_en or ''}"
    search_text = " ".join([titles, summaries, tags, descriptions]).lower()
    update = {"search_text": search_text}
    from django.db import connection

    if connection.vendor == "postgresql":
        update["search_vector"] = weighted_vector(
            (titles, "A"), (summaries, "B"), (tags, "C"), (descriptions, "D")
        )
    Dataset.objects.filter(pk=dataset.pk).update(**update)
    catalog_changed()


@transaction.atomic
def dataset_create(
    *,
    by: User,
    organization: Organization,
    name: str,
    themes=(),
    tags=(),
    **fields,
) -> Dataset:
    """Create a draft dataset for `organization`; the caller must be its editor or admin."""
    if not permissions.can_create_dataset_for(by, organization):
        raise PermissionDenied(_("Only editors and admins of this organization can add datasets."))
    _check_fields(fields, DATASET_FIELDS)
    if Dataset.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A dataset with this short name already exists.")})
    dataset = Dataset(
        name=name,
        organization=organization,
        status=Dataset.Status.DRAFT,
        created_by=by,
        **fields,
    )
    _validate_dataset(dataset)
    dataset._history_user = by
    dataset.save()
    dataset.themes.set(themes)
    dataset.tags.set(_clean_tags(tags))
    dataset_index(dataset=dataset)
    return dataset


@transaction.atomic
def dataset_update(*, dataset: Dataset, by: User, themes=None, tags=None, **fields) -> Dataset:
    if not permissions.can_edit_dataset(by, dataset):
        raise PermissionDenied(_("Only editors and admins of this organization can change it."))
    _check_fields(fields, DATASET_FIELDS)
    for field, value in fields.items():
        setattr(dataset, field, value)
    _validate_dataset(dataset)
    dataset._history_user = by
    dataset.save()
    if themes is not None:
        dataset.themes.set(themes)
    if tags is not None:
        dataset.tags.set(_clean_tags(tags))
    dataset_index(dataset=dataset)
    return dataset


# Files stored for download, never read as a table (datasets.ingest.detect says "other").
NOT_TABLES = {"PDF", "DOC", "DOCX", "PPT", "PPTX", "PNG", "JPG", "GIF", "SHP", "KML", "KMZ", "XML"}


def _format_from_name(name: str) -> str:
    ext = os.path.splitext(urlsplit(name).path)[1].lstrip(".").upper()
    return {"JPEG": "JPG", "TXT": "TXT"}.get(ext, ext)[:30]


def _check_content(upload, fmt: str) -> None:
    """Refuse a file whose first bytes contradict its extension (e.g. an .exe named .csv)."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if fmt in ("XLSX", "XLS") and head.startswith(detect.OLE_SIGNATURE):
        sample = upload.read(1 << 22)  # Excel encrypts a workbook into an OLE file
        upload.seek(0)
        if read.encrypted_workbook(sample):
            raise ValidationError({"file": str(read.PASSWORD_PROTECTED)})
    message = _("The file's content does not match its extension .%(ext)s.") % {"ext": fmt.lower()}
    if fmt in TEXT_FORMATS:
        if (
            b"\x00" in head
            and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
            and not detect.stray_nuls(head)
        ):
            raise ValidationError({"file": message})
        if kind is not None and kind.mime not in {"text/plain", "application/json"}:
            raise ValidationError({"file": message})
    elif fmt == "PARQUET":
        if not head.startswith(b"PAR1"):
            raise ValidationError({"file": message})
    elif fmt in BINARY_SIGNATURES and (kind is None or kind.mime not in BINARY_SIGNATURES[fmt]):
        raise ValidationError({"file": message})


def _default_name(file, url: str) -> str:
    """The file's name, or a link's last path segment ("…/stops/" gives "stops"), else its
    host: never empty, as pages link to the resource by its name."""
    return source_name(file.name if file else url, upload=bool(file))


def _default_names(resource: Resource) -> set[str]:
    """The names `_default_name` gave the resource's file or link."""
    return source_names(resource_source(resource), upload=bool(resource.file))


def _attach_source(resource: Resource, file, url: str) -> None:
    """Put an upload or a link on the resource: its format (unless set), size, sha256 and
    content checked. The upload is streamed to storage chunk by chunk while its sha256 is
    computed, so a large file never sits in memory; the resource is then full_clean'ed, and
    the stored upload deleted again if that fails."""
    if file:
        if file.size is not None and file.size > settings.MAX_UPLOAD_SIZE:
            raise FileTooLarge(
                {
                    "file": _("The file is too large: the limit is %(limit)s.")
                    % {"limit": filesizeformat(settings.MAX_UPLOAD_SIZE)}
                }
            )
        resource.format = (resource.format or _format_from_name(file.name)).upper()
        _check_content(file, resource.format)
        digest = hashlib.sha256()
        for chunk in file.chunks():
            digest.update(chunk)
        file.seek(0)
        resource.url_type = Resource.UrlType.UPLOAD
        resource.url = ""
        resource.size = file.size
        resource.sha256 = digest.hexdigest()
        resource.mimetype = getattr(file, "content_type", "") or ""
        resource.file.save(os.path.basename(file.name), file, save=False)
    else:
        resource.url_type = Resource.UrlType.LINK
        resource.url = url
        resource.file = None
        resource.size = None
        resource.sha256 = resource.mimetype = ""
        resource.format = (resource.format or _format_from_name(url)).upper()
    try:
        resource.full_clean(exclude=["dataset", "current_version", "file", "name", "description"])
    except ValidationError:
        if resource.file:
            resource.file.delete(save=False)
        raise


@transaction.atomic
def resource_create(
    *,
    dataset: Dataset,
    by: User,
    file=None,
    url: str = "",
    **fields,
) -> Resource:
    """Add an uploaded file or a link to a dataset and queue its ingestion."""
    if not permissions.can_edit_dataset(by, dataset):
        raise PermissionDenied(_("Only editors and admins of this organization can add files."))
    _check_fields(fields, RESOURCE_FIELDS)
    if bool(file) == bool(url):
        raise ValidationError({"file": _("Upload a file or give a link, not both or neither.")})
    resource = Resource(
        dataset=dataset,
        position=dataset.resources.count(),
        **fields,
    )
    if not (resource.name_zh_hant or resource.name_en):
        resource.name_zh_hant = resource.name_en = _default_name(file, url)[:300]
    _attach_source(resource, file, url)
    resource._history_user = by
    resource.save()
    Dataset.objects.filter(pk=dataset.pk).update(metadata_modified=resource.created_at)
    catalog_changed()
    ingest_enqueue(resource=resource, by=by, source="upload" if file else "url")
    return resource


@transaction.atomic
def resource_update(*, resource: Resource, by: User, **fields) -> Resource:
    if not permissions.can_edit_dataset(by, resource.dataset):
        raise PermissionDenied(_("Only editors and admins of this organization can change it."))
    _check_fields(fields, RESOURCE_FIELDS)
    schema_before = resource.schema
    for field, value in fields.items():
        setattr(resource, field, value)
    resource.full_clean(exclude=["dataset", "current_version", "file", "name", "description"])
    resource._history_user = by
    resource.save()
    if schema_rereads(resource, schema_before, resource.schema):
        # A new data dictionary changes types and checks: ingest the same file again
        # under it (an identical file would otherwise count as unchanged).
        ingest_enqueue(resource=resource, by=by, source="rerun")
    elif resource.schema != schema_before and resource.current_version:
        # The live version, and a newer one waiting for a personal-data decision.
        for version in resource.versions.filter(
            number__gte=resource.current_version.number, dropped_at__isnull=True
        ):
            _describe_columns(version, resource.schema)
    catalog_changed()
    return resource


@transaction.atomic
def resource_replace(*, resource: Resource, by: User, file=None, url: str = "", format: str = ""):
    """Put a new file or link in place of the resource's own and queue its ingestion.

    The live version stays served until the new one passes, and stays for good if it
    fails. The publisher's reading settings (encoding, sheet, header rows) are kept: a
    monthly file comes from the same export. A name that was only the old file's name
    becomes the new file's, once the new file is the one online. The old upload is
    deleted unless a version still keeps it."""
    if not permissions.can_edit_dataset(by, resource.dataset):
        raise PermissionDenied(_("Only editors and admins of this organization can change it."))
    if bool(file) == bool(url):
        raise ValidationError({"file": _("Upload a file or give a link, not both or neither.")})
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if file and resource.current_version_id and _format_from_name(file.name) in NOT_TABLES:
        # Its rows would stay online under a file that is not them, for good.
        raise ValidationError(
            {
                "file": _(
                    "%(name)s is not a table, so it cannot take the place of a file whose "
                    "rows are online. Add it to the dataset as a new file, or delete this "
                    "one first."
                )
                % {"name": os.path.basename(file.name)}
            }
        )
    old_file = resource.file.name if resource.file else ""
    if not resource.current_version_id and {resource.name_zh_hant, resource.name_en} <= {
        *_default_names(resource),
        "",
        None,
    }:
        # Nothing of it is online yet. Otherwise the name follows once the new file is
        # (ingestion._make_current): until then its rows and download are the old file's.
        resource.name_zh_hant = resource.name_en = _default_name(file, url)[:300]
    resource.format = (format or "").upper()
    _attach_source(resource, file, url)
    resource.remote_etag = resource.remote_last_modified = ""
    resource.last_fetched_at = None
    resource._history_user = by
    resource.save()
    Dataset.objects.filter(pk=resource.dataset_id).update(metadata_modified=timezone.now())
    catalog_changed()
    if old_file and old_file != (resource.file.name if resource.file else ""):
        transaction.on_commit(lambda: storage_delete_unused({old_file}))
    ingest_enqueue(resource=resource, by=by, source="upload" if file else "url")
    return resource


@transaction.atomic
def resource_delete(*, resource: Resource, by: User) -> None:
    """Delete a file or link from its dataset with every version: their tables, derived
    downloads and stored originals go once the deletion is committed. A job still reading
    it finds it gone and stops (datasets.ingest.pipeline)."""
    if not permissions.can_edit_dataset(by, resource.dataset):
        raise PermissionDenied(_("Only editors and admins of this organization can change it."))
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    versions = list(resource.versions.all())
    tables = [v.table_name for v in versions if v.dropped_at is None]
    files = {resource.file.name} if resource.file else set()
    for version in versions:
        files |= version_files(version)
    resource._history_user = by
    resource.delete()
    # The files after it move up, as CKAN renumbers them: clients take `position` as the
    # index in the package's resources, and the next file added takes the count.
    Resource.objects.filter(dataset_id=resource.dataset_id, position__gt=resource.position).update(
        position=F("position") - 1
    )
    Dataset.objects.filter(pk=resource.dataset_id).update(metadata_modified=timezone.now())
    catalog_changed()

    def clean_up() -> None:
        for table_name in tables:
            load.drop_version_table(table_name=table_name)
        storage_delete_unused(files)

    transaction.on_commit(clean_up)


def schema_rereads(resource: Resource, before: dict, after: dict) -> bool:
    """Whether changing the resource's data dictionary from `before` to `after` needs its
    file read again: types, constraints or missing values changed, or no live version (or
    one being read) would carry the new words. Labels, descriptions and units alone are
    written into the live version's columns instead (`_describe_columns`): a typo fixed
    in a description is no reason to read a million rows again."""
    if after == before or not (resource.file or resource.url):
        return False
    if (
        resource.current_version is None
        or resource.ingest_jobs.filter(status__in=IngestJob.ACTIVE).exists()
    ):
        return True
    live = resource.current_version.columns
    return _checked_part(after, live) != _checked_part(before, live)


def _checked_part(schema, columns: list[dict]) -> dict:
    """What of the dictionary the ingestion checks values against, as far as it could
    change the live version (`columns`): its fields without their words for readers, and
    without a declared type that is the column's type already."""
    schema = schema if isinstance(schema, dict) else {}
    types = {name: columns[i]["type"] for name, i in validate.columns_by_name(columns).items()}
    fields = []
    for field in schema.get("fields") or []:
        if isinstance(field, dict):
            field = {k: v for k, v in field.items() if k not in validate.DESCRIPTIVE_KEYS}
            kind = validate.SCHEMA_TYPES.get(field.get("type", "string"))
            if kind is not None and kind == types.get(field.get("name")):
                field.pop("type", None)
            if set(field) <= {"name"} and field.get("name") in types:
                continue
        fields.append(field)
    return {**schema, "fields": fields}


def _describe_columns(version, schema: dict) -> None:
    """The dictionary's labels, descriptions and units on the version's columns, as the
    ingestion would have put them there (validate.apply_dictionary)."""
    columns = [
        {k: v for k, v in c.items() if k not in validate.DESCRIPTIVE_KEYS} for c in version.columns
    ]
    by_name = validate.columns_by_name(columns)
    for field in schema.get("fields") or []:
        if isinstance(field, dict) and field.get("name") in by_name:
            validate.describe(columns[by_name[field["name"]]], field)
    version.columns = columns
    version.save(update_fields=["columns"])


def resource_count_download(*, resource: Resource) -> None:
    Resource.objects.filter(pk=resource.pk).update(download_count=F("download_count") + 1)
    Dataset.objects.filter(pk=resource.dataset_id).update(download_count=F("download_count") + 1)
