"""Reads about ingestion state for pages and the API (selectors)."""

from django.utils.translation import gettext_lazy as _

from datasets import permissions
from datasets.ingest.errors import in_language
from datasets.models import IngestJob, Resource, ResourceVersion

STAGES = {
    "fetch": _("fetching the file"),
    "read": _("reading the file"),
    "analyse": _("checking types and personal data"),
    "load": _("loading rows"),
    "index": _("building indexes"),
    "publish": _("publishing"),
}


def resource_latest_job(*, resource: Resource) -> IngestJob | None:
    return resource.ingest_jobs.order_by("-created_at", "-pk").first()


def job_as_json(job: IngestJob | None) -> dict | None:
    """The `ingest` object of the public contract."""
    if job is None:
        return None
    return {
        "status": job.status,
        "stage": job.stage,
        "progress": round(job.progress, 3),
        "rows": job.rows,
        "error": job.error_message,
    }


def resource_report(*, resource: Resource, user) -> dict:
    """The validation report page's content, and what the API returns for it.

    Everyone who may see the dataset gets the served version's report and profile; a
    failed or held-back ingestion's details (which can quote cell values) only go to
    people who may edit the dataset."""
    can_edit = permissions.can_edit_dataset(user, resource.dataset)
    job = resource_latest_job(resource=resource)
    version = resource.current_version
    pending = None
    if can_edit:
        flagged = resource.versions.filter(personal_data=ResourceVersion.PersonalData.FLAGGED)
        if version is not None:  # one older than the live version waits for nothing
            flagged = flagged.filter(number__gt=version.number)
        pending = flagged.order_by("-number").first()
    out = {
        "resource": str(resource.pk),
        "ingest": job_as_json(job),
        "version": _version_json(version) if version else None,
        "awaiting_personal_data_decision": _version_json(pending) if pending else None,
        "failed_report": None,
        # The last file could not be opened as a table at all (damaged, not a table):
        # reading it with another sheet, header or encoding cannot help.
        "file_unreadable": bool(
            job and job.status == IngestJob.Status.FAILED and job.options.get("unreadable")
        ),
    }
    if job and not can_edit:
        out["ingest"]["error"] = "" if job.status == IngestJob.Status.FAILED else job.error_message
    if can_edit and job and job.status == IngestJob.Status.FAILED:
        out["failed_report"] = _in_language(job.options.get("report"))
    return out


def _version_json(version: ResourceVersion) -> dict:
    return {
        "number": version.number,
        "rows": version.row_count,
        "sha256": version.sha256,
        "encoding": version.encoding,
        "columns": version.columns,
        "report": _in_language(version.report),
        "profile": version.profile,
        "personal_data": version.personal_data,
        "personal_data_findings": version.personal_data_findings,
        "created_at": version.created_at.isoformat(),
        "downloads": sorted(version.downloads),
    }


def _in_language(report: dict | None) -> dict | None:
    """The report with each message in the reader's language, where the job kept it."""
    if not report:
        return report
    out = dict(report)
    for key in ("errors", "warnings"):
        out[key] = [
            {k: v for k, v in entry.items() if k != "translations"}
            | {"message": in_language(entry["message"], entry.get("translations"))}
            for entry in report.get(key, [])
        ]
    return out


def version_at_a_glance(version: ResourceVersion | None) -> str:
    """One plain-language sentence for the dataset page, in the active language: how many
    rows, the period the first date column covers, and what the columns are."""
    from django.utils.translation import gettext, ngettext, pgettext

    if version is None:
        return ""
    rows = version.row_count
    parts = [ngettext("%(rows)s row", "%(rows)s rows", rows) % {"rows": f"{rows:,}"}]
    columns = version.profile.get("columns", {})
    for column in version.columns:
        stats = columns.get(column["id"], {})
        if column["type"] in ("date", "datetime") and stats.get("min") is not None:
            parts.append(
                gettext("covering %(start)s to %(end)s")
                % {"start": str(stats["min"])[:10], "end": str(stats["max"])[:10]}
            )
            break
    labels = [c.get("title") or c["label"] for c in version.columns[:8]]
    more = len(version.columns) - len(labels)
    listed = pgettext("between listed names", ", ").join(labels)
    if more > 0:
        listed = gettext("%(listed)s and %(n)s more") % {"listed": listed, "n": more}
    return gettext("%(summary)s. Columns: %(columns)s.") % {
        "summary": pgettext("between parts of a sentence", ", ").join(parts),
        "columns": listed,
    }
