"""Pages and API for ingestion: live status fragment, validation report, publisher
decisions (personal data, re-run with overrides)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from datasets import permissions
from datasets.ingest import status
from datasets.ingest.read import DELIMITERS, HEADER_MAX_ROWS, SPREADSHEETS
from datasets.models import IngestJob, Resource
from datasets.selectors import TABLE_FORMATS
from datasets.services.ingestion import ingest_rerun, version_personal_data_decide
from datasets.templatetags.datasets_tags import delimiter_name

ENCODINGS = ["utf-8", "cp950", "utf-16", "cp1250", "cp1252", "big5hkscs", "shift_jis"]


def _visible_resource(request, resource_id) -> Resource:
    resource = get_object_or_404(
        Resource.objects.select_related("dataset", "dataset__organization", "current_version"),
        pk=resource_id,
    )
    if not permissions.can_view_dataset(request.user, resource.dataset):
        raise Http404
    return resource


def resource_ingest_status(request: HttpRequest, resource_id) -> HttpResponse:
    """The htmx-polled progress fragment; stops polling once the job has finished, and
    then tells the page so."""
    resource = _visible_resource(request, resource_id)
    job = status.resource_latest_job(resource=resource)
    can_edit = permissions.can_edit_dataset(request.user, resource.dataset)
    findings = job.version.personal_data_findings if job and job.version else []
    active = job is not None and job.status in IngestJob.ACTIVE
    response = render(
        request,
        "datasets/_ingest_status.html",
        {
            "resource": resource,
            "job": job,
            "active": active,
            "stored": _stored(resource, job.status if job else None),
            "percent": int((job.progress if job else 0) * 100),
            "stage_label": status.STAGES.get(job.stage, "") if job else "",
            "status_loaded": True,
            "can_edit": can_edit,
            "on_report": request.GET.get("on") == "report",  # no link to the page it is on
            "personal_columns": pgettext("between listed names", ", ").join(
                f["label"] for f in findings
            ),
        },
    )
    if request.GET.get("polling") and not active:
        # The job the page was watching has just ended: the page's other parts (the
        # report, the version) can now fetch what it made (htmx "ingest-finished").
        response["HX-Trigger"] = "ingest-finished"
    return response


def _stored(resource: Resource, job_status: str | None) -> bool:
    """Whether the file is a document (PDF, images) its last ingestion stored for download
    without reading it as a table: no failure to show, as the dataset page says ("Stored,
    not a table")."""
    return job_status == IngestJob.Status.FAILED and resource.format.upper() not in TABLE_FORMATS


def resource_report(request: HttpRequest, resource_id) -> HttpResponse:
    resource = _visible_resource(request, resource_id)
    can_edit = permissions.can_edit_dataset(request.user, resource.dataset)
    report = status.resource_report(resource=resource, user=request.user)
    # The re-read settings that apply to the file: encoding and delimiter for text,
    # the sheet for workbooks (all of them while the format is unknown).
    reports = [(report["version"] or {}).get("report") or {}, report["failed_report"] or {}]

    def reported(key):  # from the live version's report, else the failed job's
        return next((r[key] for r in reports if r.get(key)), None)

    source = reports[0]
    header_first = source.get("header_row", 0) - source.get("header_rows", 1) + 1
    fmt = (reported("format") or resource.format or "").lower()
    known = fmt in (*SPREADSHEETS, "csv", "tsv", "txt", "json", "jsonl", "geojson")
    return render(
        request,
        "datasets/resource_report.html",
        {
            "resource": resource,
            "dataset": resource.dataset,
            "data": report,
            "version": report["version"],
            "header_first": header_first,
            "header_max_rows": HEADER_MAX_ROWS,
            "pending": report["awaiting_personal_data_decision"],
            "failed": report["failed_report"],
            "can_edit": can_edit,
            "stored": _stored(resource, (report["ingest"] or {}).get("status")),
            "encodings": ENCODINGS,
            "delimiters": [("", _("Detect"))]
            + [(d, capfirst(delimiter_name(d))) for d in DELIMITERS],
            "options": resource.ingest_options,
            "ask_text": not known or fmt in ("csv", "tsv", "txt"),
            "ask_sheet": not known or fmt in SPREADSHEETS,
            "sheets": reported("sheets") or [],
            "from_dictionary": _from_dictionary(resource, report["failed_report"]),
        },
    )


def _from_dictionary(resource, failed: dict | None) -> bool:
    """Whether the failed ingestion broke checks the data dictionary sets, which the
    dictionary may have wrong rather than the file."""
    codes = set((failed or {}).get("totals") or {})
    if (resource.schema or {}).get("fields"):
        codes &= {"constraint-error", "unique-error", "schema-error", "missing-label", "type-error"}
    else:
        codes &= {"schema-error"}
    return bool(codes)


@login_required
@require_POST
def resource_ingest_rerun(request: HttpRequest, resource_id) -> HttpResponse:
    resource = _visible_resource(request, resource_id)
    overrides = {
        k: request.POST.get(k, "").strip()
        for k in ("encoding", "sheet", "header_row", "header_rows")
    }
    delimiter = request.POST.get("delimiter", "")
    overrides["delimiter"] = delimiter if delimiter in DELIMITERS else ""
    overrides["language"] = get_language()
    try:
        ingest_rerun(resource=resource, by=request.user, overrides=overrides)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("resource_report", resource_id=resource.pk)
    messages.success(request, _("The file is being ingested again with your settings."))
    return redirect("resource_report", resource_id=resource.pk)


@login_required
@require_POST
def version_personal_data(request: HttpRequest, resource_id, number: int) -> HttpResponse:
    resource = _visible_resource(request, resource_id)
    version = get_object_or_404(resource.versions, number=number)
    decision = request.POST.get("decision")
    if decision not in ("not_personal", "personal"):
        messages.error(request, _("Choose whether the flagged columns hold personal data."))
        return redirect("resource_report", resource_id=resource.pk)
    try:
        version_personal_data_decide(
            version=version, by=request.user, not_personal=decision == "not_personal"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("resource_report", resource_id=resource.pk)
    if decision == "not_personal":
        messages.success(request, _("Recorded. The version is now published."))
    else:
        messages.warning(
            request,
            _("Recorded. The version stays unpublished; upload the file without those columns."),
        )
    return redirect("resource_report", resource_id=resource.pk)


@extend_schema(
    responses=OpenApiTypes.OBJECT,
    summary="Validation report of a resource's latest ingestion",
)
@api_view(["GET"])
@permission_classes([AllowAny])
def resource_report_api(request, resource_id):
    """Validation report, profile and ingestion state of a resource."""
    resource = _visible_resource(request, resource_id)
    return Response(status.resource_report(resource=resource, user=request.user))
