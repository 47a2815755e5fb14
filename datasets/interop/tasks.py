"""Harvest tasks: the hourly beat queues due sources, each source is harvested on its own."""

from celery import shared_task


@shared_task(name="datasets.harvest_due")
def harvest_due_task() -> int:
    from datasets.interop.harvest import harvest_due_sources

    due = harvest_due_sources()
    for source_id in due:
        harvest_source_task.delay(source_id)
    return len(due)


@shared_task(name="datasets.harvest_source")
def harvest_source_task(source_id: int) -> int | None:
    from datasets.interop.harvest import harvest_run
    from datasets.models import HarvestSource

    # Only due (active) sources are scheduled; "Harvest now" may run a paused one.
    source = HarvestSource.objects.filter(pk=source_id).first()
    if source is None:  # removed since it was queued
        return None
    return harvest_run(source=source).pk
