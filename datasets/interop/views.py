"""Harvest pages in an organization's workspace: register sources, run them, read reports."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from datasets.interop.harvest import harvest_source_create, harvest_source_queue
from datasets.models import HarvestRun, HarvestSource
from portal import permissions
from portal.models import Organization


class HarvestSourceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=HarvestSource.Kind.choices)
    url = forms.URLField(
        label=gettext_lazy("Address"),
        max_length=1000,
        assume_scheme="https",
        help_text=HarvestSource._meta.get_field("url").help_text,
    )
    remote_organization = forms.CharField(
        label=gettext_lazy("Only this remote organization"),
        max_length=200,
        required=False,
        help_text=HarvestSource._meta.get_field("remote_organization").help_text,
    )
    ingest_files = forms.BooleanField(
        label=gettext_lazy("Load data files"),
        required=False,
        initial=True,
        help_text=HarvestSource._meta.get_field("ingest_files").help_text,
    )


def _organization_for_editor(request: HttpRequest, slug: str) -> Organization:
    organization = get_object_or_404(Organization, slug=slug)
    if not permissions.can_edit_for(request.user, organization):
        raise PermissionDenied(_("Only editors and admins of the organization can harvest."))
    return organization


@login_required
@require_http_methods(["GET", "POST"])
def harvest_source_list(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _organization_for_editor(request, slug)
    form = HarvestSourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = harvest_source_create(
                organization=organization, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            harvest_source_queue(source=source, by=request.user)
            messages.success(request, _("Source added. The first harvest has been queued."))
            return redirect("harvest_source_detail", slug=slug, pk=source.pk)
    sources = organization.harvest_sources.prefetch_related(
        Prefetch("runs", queryset=HarvestRun.objects.order_by("-started_at", "-pk"))
    )
    context = {"organization": organization, "sources": sources, "form": form}
    return render(request, "datasets/harvest_source_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def harvest_source_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organization = _organization_for_editor(request, slug)
    source = get_object_or_404(HarvestSource, pk=pk, organization=organization)
    if request.method == "POST":
        harvest_source_queue(source=source, by=request.user)
        messages.success(request, _("Harvest queued. Refresh this page to see its report."))
        return redirect("harvest_source_detail", slug=slug, pk=source.pk)
    context = {
        "organization": organization,
        "source": source,
        "runs": source.runs.all()[:20],
        "harvested_count": source.records.count(),
    }
    return render(request, "datasets/harvest_source_detail.html", context)
