from celery import shared_task
from django.db import DatabaseError


@shared_task(name="datasets.resource_ingest")
def resource_ingest_task(job_id: int) -> None:
    from datasets.ingest.pipeline import ingest_run  # keeps worker import light
    from datasets.models import IngestJob

    job = IngestJob.objects.filter(pk=job_id).first()
    if job is not None:  # else its resource was deleted before the job ran
        ingest_run(job=job)


@shared_task(name="datasets.version_downloads")
def version_downloads_task(version_id: int) -> None:
    from datasets.ingest.downloads import version_downloads_write
    from datasets.models import ResourceVersion

    kept = ResourceVersion.objects.filter(pk=version_id, dropped_at__isnull=True)
    version = kept.first()
    if version is None:
        return
    try:
        version_downloads_write(version=version)
    except DatabaseError:
        if kept.exists():
            raise
        # Its table was dropped under it (the file deleted, or the version pruned).


@shared_task(name="datasets.datastore_cleanup")
def datastore_cleanup_task() -> None:
    from datasets.services.ingestion import datastore_orphans_drop

    datastore_orphans_drop()


@shared_task(name="datasets.resources_refresh")
def resources_refresh_task() -> None:
    from datasets.ingest.refresh import resources_refresh_due

    resources_refresh_due()


from datasets.interop.tasks import harvest_due_task, harvest_source_task  # noqa: E402, F401
