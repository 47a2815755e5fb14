"""Scheduled re-fetching of linked resources according to their dataset's update frequency."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from datasets.ingest.errors import in_language
from datasets.ingest.validate import COLUMN_CHANGES
from datasets.models import Dataset, IngestJob, Resource
from portal.mail import send_each
from portal.models import Membership, User

INTERVALS = {
    Dataset.Frequency.CONTINUOUS: timedelta(hours=1),
    Dataset.Frequency.DAILY: timedelta(days=1),
    Dataset.Frequency.WEEKLY: timedelta(weeks=1),
    Dataset.Frequency.MONTHLY: timedelta(days=30),
    Dataset.Frequency.QUARTERLY: timedelta(days=91),
    Dataset.Frequency.BIANNUAL: timedelta(days=182),
    Dataset.Frequency.ANNUAL: timedelta(days=365),
}


def resources_due(now=None):
    now = now or timezone.now()
    due = Q(pk__in=[])
    for frequency, interval in INTERVALS.items():
        due |= Q(dataset__update_frequency=frequency) & (
            Q(last_fetched_at__isnull=True) | Q(last_fetched_at__lte=now - interval)
        )
    return (
        Resource.objects.filter(url_type=Resource.UrlType.LINK)
        .exclude(url="")
        .filter(due)
        .exclude(ingest_jobs__status__in=IngestJob.ACTIVE)
        .select_related("dataset")
    )


def resources_refresh_due() -> list[IngestJob]:
    """Fetch each due resource now (unchanged content makes no new version) and e-mail
    the organization's editors when a refresh fails, or when its new version's columns
    differ from the previous one's (programs and charts using them may break)."""
    from datasets.ingest.pipeline import ingest_run

    jobs = []
    for resource in resources_due():
        # Run in this task rather than queueing: refreshes are few and this keeps the
        # schedule from piling up duplicate jobs.
        job = IngestJob.objects.create(resource=resource, source="refresh")
        ingest_run(job=job)
        if job.status == IngestJob.Status.FAILED:
            _notify_failure(resource, job)
            # Do not hammer a broken link every minute: try again after the interval.
            Resource.objects.filter(pk=resource.pk).update(last_fetched_at=timezone.now())
        elif job.stage == "done" and _column_changes(job):
            _notify_column_changes(resource, job)
        jobs.append(job)
    return jobs


def _editors(resource: Resource):
    return User.objects.filter(
        memberships__organization_id=resource.dataset.organization_id,
        memberships__role__in=[Membership.Role.EDITOR, Membership.Role.ADMIN],
    ).distinct()


def _column_changes(job: IngestJob) -> list[dict]:
    if job.version is None:
        return []
    warnings = (job.version.report or {}).get("warnings") or []
    return [w for w in warnings if w["code"] in COLUMN_CHANGES]


def _notify_column_changes(resource: Resource, job: IngestJob) -> None:
    """Tell the organization's editors and admins, each in their own language, how the
    columns of the refreshed file differ from the previous version's."""

    def render():
        subject = _("Scheduled update changed the columns: %(name)s") % {"name": resource.name}
        changes = "\n".join(
            f"- {in_language(w['message'], w.get('translations'))}" for w in _column_changes(job)
        )
        body = _(
            "The scheduled update of '%(name)s' in the dataset '%(dataset)s' published a "
            "new version whose columns differ from the previous one's:\n\n%(changes)s\n\n"
            "Programs and charts that use these columns may need changing. Link: %(url)s"
        ) % {
            "name": resource.name,
            "dataset": resource.dataset.title,
            "changes": changes,
            "url": resource.url,
        }
        return subject, body

    send_each(_editors(resource), render, fail_silently=False)


def _notify_failure(resource: Resource, job: IngestJob) -> None:
    """Tell the organization's editors and admins, each in their own language, the job's
    error included."""

    dataset = resource.dataset
    public = dataset.status in (Dataset.Status.PUBLISHED, Dataset.Status.ARCHIVED)

    def render():
        subject = _("Scheduled update failed: %(name)s") % {"name": resource.name}
        if resource.current_version is None:
            kept = _("No version of it has been read yet.")
        elif public and not dataset.private:
            kept = _("The previous version is still published.")
        else:
            kept = _("The previous version is kept.")
        body = _(
            "The scheduled update of '%(name)s' in the dataset '%(dataset)s' failed:\n\n"
            "%(error)s\n\n%(kept)s\n\nWhat went wrong, and where: %(report)s\n"
            "The link it fetched: %(url)s"
        ) % {
            "name": resource.name,
            "dataset": dataset.title,
            "error": job.error_message,
            "kept": kept,
            # In the recipient's language: render() runs with it active.
            "report": settings.SITE_URL
            + reverse("resource_report", kwargs={"resource_id": resource.pk}),
            "url": resource.url,
        }
        return subject, body

    send_each(_editors(resource), render, fail_silently=False)
