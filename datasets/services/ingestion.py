"""Ingestion services: queueing, publishing a new version, personal-data decisions,
re-runs with publisher overrides, keeping the last N versions and dropping orphans.
The pipeline itself lives in datasets/ingest/."""

import os
import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from datasets import permissions
from datasets.datastore import load
from datasets.ingest import conf
from datasets.ingest.errors import IngestError
from datasets.ingest.read import HEADER_MAX_ROWS
from datasets.models import Dataset, IngestJob, Resource, ResourceVersion

OVERRIDE_KEYS = ("encoding", "sheet", "header_row", "header_rows", "delimiter", "language")


def ingest_enqueue(
    *, resource: Resource, by=None, source: str = "upload", options: dict | None = None
) -> IngestJob:
    """Record a queued IngestJob for the resource's current file and queue the task after commit."""
    from datasets.tasks import resource_ingest_task

    options = dict(options or resource.ingest_options)
    if by is not None and translation.get_language():
        # Progress, errors and the report are written in the language the person who
        # asked for the ingestion is using (a scheduled refresh keeps the stored one).
        options["language"] = translation.get_language()
    job = IngestJob.objects.create(
        resource=resource, requested_by=by, source=source, options=options
    )
    transaction.on_commit(lambda: resource_ingest_task.delay(job.pk))
    return job


def ingest_rerun(*, resource: Resource, by, overrides: dict) -> IngestJob:
    """Store the publisher's encoding/sheet/header/delimiter choices and ingest again."""
    if not permissions.can_edit_dataset(by, resource.dataset):
        raise PermissionDenied
    unknown = set(overrides) - set(OVERRIDE_KEYS)
    if unknown:
        raise ValidationError(
            _("Unknown ingestion setting: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    whole_numbers = {
        "header_row": _("The header row must be a whole number from 1."),
        "header_rows": _("The rows of the header must be a whole number from 1 to %(max)s.")
        % {"max": HEADER_MAX_ROWS},
    }
    for key, message in whole_numbers.items():
        if overrides.get(key) in (None, ""):
            continue
        try:
            number = int(overrides[key])
        except (TypeError, ValueError):
            raise ValidationError({key: message}) from None
        if number < 1 or (key == "header_rows" and number > HEADER_MAX_ROWS):
            raise ValidationError({key: message})
    if overrides.get("encoding"):
        import codecs

        try:
            codecs.lookup(overrides["encoding"])
        except LookupError:
            raise ValidationError({"encoding": _("Unknown encoding.")}) from None
    with transaction.atomic():
        language = overrides.pop("language", None)
        resource.ingest_options = {
            k: v for k, v in {**resource.ingest_options, **overrides}.items() if v not in (None, "")
        }
        resource.save(update_fields=["ingest_options"])
        options = dict(resource.ingest_options)
        if language:
            options["language"] = language
        return ingest_enqueue(resource=resource, by=by, source="rerun", options=options)


@transaction.atomic
def version_publish(
    *,
    job: IngestJob,
    number: int,
    table_name: str,
    columns: list,
    rows: int,
    sha256: str,
    encoding: str,
    report: dict,
    profile: dict,
    findings: list,
    source_path=None,
    source: str | None = None,
) -> ResourceVersion:
    """Record the loaded table as a new version and, unless it may hold personal data,
    make it the one served, all in one transaction. `source`: the upload or link the job
    read (`resource_source`); if another has replaced it since, nothing is published."""
    resource = Resource.objects.select_for_update().get(pk=job.resource_id)
    if source is not None and resource_source(resource) != source:
        raise IngestError(
            _(
                "A new file replaced this one while it was being read, so nothing was "
                "published from it. The new file is read instead."
            ),
            code="superseded",
        )
    version = ResourceVersion(
        resource=resource,
        number=number,
        table_name=table_name,
        row_count=rows,
        sha256=sha256,
        encoding=encoding,
        columns=columns,
        report=report,
        profile=profile,
        personal_data=(
            ResourceVersion.PersonalData.FLAGGED if findings else ResourceVersion.PersonalData.NONE
        ),
        personal_data_findings=findings,
        created_by=job.requested_by,
        source_name=(resource.file.name if resource.file else resource.url)[-300:],
    )
    version.mimetype, version.format = resource.mimetype, resource.format
    if source_path is not None:  # a link's content as fetched
        with open(source_path, "rb") as f:
            version.source_file.save(f"{resource.pk}-v{number}", File(f), save=False)
        version.size = version.source_file.size
    elif resource.file:
        version.source_file.name = resource.file.name
        version.size = resource.size
    version.save()
    if not findings:
        _make_current(resource, version)
    job.version = version
    job.status = IngestJob.Status.SUCCEEDED
    job.stage = "awaiting_confirmation" if findings else "done"
    job.progress = 1.0
    job.rows = rows
    job.finished_at = timezone.now()
    job.options = {k: v for k, v in job.options.items() if k != "_table"}
    job.save(
        update_fields=["version", "status", "stage", "progress", "rows", "finished_at", "options"]
    )
    return version


def superseded(version: ResourceVersion) -> bool:
    """Whether a newer version of its resource is online: a version held back for personal
    data then waits for nothing (deciding it could not publish it over the newer one)."""
    current = version.resource.current_version
    return current is not None and current.number > version.number


def resource_source(resource: Resource) -> str:
    """What an ingestion of the resource reads: its stored upload's name, or its link."""
    return resource.file.name if resource.file else resource.url


def source_name(source: str, *, upload: bool) -> str:
    """The name a file or link gets unless its publisher gives one: a stored upload's
    name, or a link's last path segment ("…/stops/" gives "stops"), else its host. Never
    empty, as pages link to the resource by its name."""
    if upload:
        return os.path.basename(source)[:300]
    link = urlsplit(source)
    return (os.path.basename(link.path.rstrip("/")) or link.netloc or source)[:300]


def source_names(source: str, *, upload: bool) -> set[str]:
    """The names `source_name` gave a file or link. An upload was named as sent, which
    storage keeps with "_" and 7 letters or digits added when the name was taken
    (Storage.get_alternative_name): either is the file's name, not the publisher's."""
    name = source_name(source, upload=upload)
    root, ext = os.path.splitext(name)
    if upload and re.fullmatch(r".+_[A-Za-z0-9]{7}", root):
        return {name, root[:-8] + ext}
    return {name}


def _version_names(version: ResourceVersion) -> tuple[str, set[str]]:
    """(the name `source_name` gives the file or link the version was read from, every
    name that stands for it)."""
    # A link's version keeps its own copy of what was fetched; an upload's is the upload.
    upload = bool(version.source_file) and version.source_file.name.endswith(version.source_name)
    source = version.source_file.name if upload else version.source_name
    return source_name(source, upload=upload), source_names(source, upload=upload)


def _make_current(resource: Resource, version: ResourceVersion) -> None:
    from datasets.services.catalog import catalog_changed  # catalog imports this module
    from datasets.tasks import version_downloads_task

    previous = resource.current_version
    fields = ["current_version", "sha256"]
    if previous is not None and previous.source_name != version.source_name:
        # A name that was only the file's own follows a new file once it is online.
        names = {resource.name_zh_hant, resource.name_en}
        if names <= {*_version_names(previous)[1], "", None}:
            resource.name_zh_hant = resource.name_en = _version_names(version)[0]
            fields += ["name_zh_hant", "name_en"]
    resource.current_version = version
    resource.sha256 = version.sha256
    resource.save(update_fields=fields)
    Dataset.objects.filter(pk=resource.dataset_id).update(data_updated_at=timezone.now())
    # The catalog's Format facet counts the live version's file (Resource.public_file):
    # cached counts from before still gave the file it replaces.
    catalog_changed()
    transaction.on_commit(lambda: versions_prune(resource=resource))
    transaction.on_commit(lambda: version_downloads_task.delay(version.pk))


@transaction.atomic
def version_personal_data_decide(*, version: ResourceVersion, by, not_personal: bool):
    """An editor's decision on a flagged version: not personal data (publish it), or
    personal data (keep it unpublished for good: the publisher uploads a file without
    the columns)."""
    if not permissions.can_edit_dataset(by, version.resource.dataset):
        raise PermissionDenied
    version = ResourceVersion.objects.select_for_update().get(pk=version.pk)
    if version.personal_data != ResourceVersion.PersonalData.FLAGGED:
        raise ValidationError(_("This version is not waiting for a personal-data decision."))
    if superseded(version):
        # Publishing it would put older rows in place of the newer ones online.
        raise ValidationError(
            _("A newer version is online, so this one is no longer waiting for a decision.")
        )
    version.personal_data_decided_by = by
    version.personal_data_decided_at = timezone.now()
    version.personal_data = (
        ResourceVersion.PersonalData.CLEARED
        if not_personal
        else ResourceVersion.PersonalData.PERSONAL
    )
    version.personal_data_findings = [
        {**f, "decision": "not_personal" if not_personal else "personal"}
        for f in version.personal_data_findings
    ]
    version.save(
        update_fields=[
            "personal_data",
            "personal_data_decided_by",
            "personal_data_decided_at",
            "personal_data_findings",
        ]
    )
    # The job's stage is what the pages and the API show: the wait is over either way.
    IngestJob.objects.filter(version=version, stage="awaiting_confirmation").update(
        stage="done" if not_personal else "kept_unpublished"
    )
    if not_personal:
        _make_current(Resource.objects.select_for_update().get(pk=version.resource_id), version)
    return version


def versions_prune(*, resource: Resource, keep: int | None = None) -> list[str]:
    """Drop the tables of all but the newest `keep` versions (never the current one)."""
    keep = keep or conf.get("KEEP_VERSIONS")
    live = ResourceVersion.objects.filter(resource=resource, dropped_at__isnull=True).order_by(
        "-number"
    )
    dropped = []
    for version in list(live)[keep:]:
        if version.pk == resource.current_version_id:
            continue
        load.drop_version_table(table_name=version.table_name)
        files = version_files(version)
        version.dropped_at = timezone.now()
        version.downloads = {}
        version.save(update_fields=["dropped_at", "downloads"])
        storage_delete_unused(files)
        dropped.append(version.table_name)
    return dropped


def version_files(version: ResourceVersion) -> set[str]:
    """The names in storage of a version's derived downloads and its original."""
    files = {name for name in (version.downloads or {}).values() if name}
    if version.source_file:
        files.add(version.source_file.name)
    return files


def storage_delete_unused(names: set[str]) -> None:
    """Delete these stored files, except those a resource or a kept version still uses
    (an upload is its first version's original too)."""
    kept = Resource.objects.filter(file__in=names).values_list("file", flat=True)
    kept = {
        *kept,
        *ResourceVersion.objects.filter(source_file__in=names, dropped_at__isnull=True).values_list(
            "source_file", flat=True
        ),
    }
    for name in set(names) - kept:
        default_storage.delete(name)


def datastore_orphans_drop() -> list[str]:
    """Drop datastore tables no version owns and no running job is writing, e.g. left by a
    worker killed mid-load."""
    owned = set(
        ResourceVersion.objects.filter(dropped_at__isnull=True).values_list("table_name", flat=True)
    )
    # A job silent for longer than the task time limit is dead, whatever its status says.
    alive_since = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    busy = {
        job.options.get("_table")
        for job in IngestJob.objects.filter(
            status__in=IngestJob.ACTIVE, heartbeat_at__gte=alive_since
        ).only("options")
    }
    dropped = []
    for table_name in load.version_tables():
        if table_name not in owned and table_name not in busy:
            load.drop_version_table(table_name=table_name)
            dropped.append(table_name)
    return dropped
