from celery import shared_task


@shared_task(name="datasets.resource_ingest")
def resource_ingest_task(job_id: int) -> None:
    from datasets.ingest.pipeline import ingest_run  # keeps worker import light
    from datasets.models import IngestJob

    ingest_run(job=IngestJob.objects.get(pk=job_id))
