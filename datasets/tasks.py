from celery import shared_task


@shared_task(name="datasets.resource_ingest")
def resource_ingest_task(job_id: int) -> None:
    from datasets.ingest.pipeline import ingest_run  # keeps worker import light
    from datasets.models import IngestJob

    ingest_run(job=IngestJob.objects.get(pk=job_id))

from datasets.interop.tasks import harvest_due_task, harvest_source_task  # noqa: E402, F401
