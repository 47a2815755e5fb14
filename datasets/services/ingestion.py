"""Queueing ingestion. The pipeline itself lives in datasets/ingest/."""

from django.db import transaction

from datasets.models import IngestJob, Resource


def ingest_enqueue(
    *, resource: Resource, by=None, source: str = "upload", options: dict | None = None
) -> IngestJob:
    """Record a queued IngestJob for the resource's current file and queue the task after commit."""
    from datasets.tasks import resource_ingest_task

    job = IngestJob.objects.create(
        resource=resource,
        requested_by=by,
        source=source,
        options=options or dict(resource.ingest_options),
    )
    transaction.on_commit(lambda: resource_ingest_task.delay(job.pk))
    return job
