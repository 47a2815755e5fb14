"""Catalog pages, dataset and resource pages, file downloads and the officials' workspace."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.forms import formset_factory
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from datasets import hooks, permissions, selectors
from datasets.datastore.export import export_filename
from datasets.forms import (
    DICTIONARY_TYPES,
    DatasetForm,
    DictionaryFieldForm,
    MissingValuesForm,
    ResourceEditForm,
    ResourceForm,
    SendBackForm,
)
from datasets.ingest import conf as ingest_conf
from datasets.ingest import validate
from datasets.ingest.errors import joined
from datasets.models import Dataset, ResourceVersion
from datasets.services import catalog, publishing

PAGE_SIZE = 20


def _optional_template(name: str) -> str | None:
    """Fragments other areas provide (ingest status, previews) render only once they exist."""
    try:
        return select_template([name]).template.name
    except TemplateDoesNotExist:
        return None


def dataset_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.getlist(key) for key in selectors.FACETS}
    search = selectors.dataset_search(
        user=request.user,
        q=request.GET.get("q", ""),
        filters=filters,
        sort=request.GET.get("sort", ""),
    )
    paginator = selectors.CatalogPaginator(search.datasets, PAGE_SIZE, count=search.total)
    page = paginator.get_page(request.GET.get("page"))
    facets = [(key, selectors.FACET_LABELS[key], search.facets[key]) for key in selectors.FACETS]
    context = {
        "search": search,
        "page": page,
        "facets": facets,
        # Shown on the phones' facet toggle, as the picked facets fold away with the rest.
        "picked_count": sum(facet.selected for _key, _label, values in facets for facet in values),
        "sorts": selectors.SORTS,
        # The visitor's choice, else relevance: without a query it lists the newest first
        # too, and a query typed next must not be sent with sort=updated.
        "chosen_sort": request.GET.get("sort")
        if request.GET.get("sort") in selectors.SORTS
        else "relevance",
        "can_publish_somewhere": permissions.can_create_any_dataset(request.user),
    }
    # htmx swaps only the results column (and, out of band, the search form's filters);
    # the address bar keeps the shareable URL.
    fragment = (
        request.headers.get("HX-Request") and request.headers.get("HX-Target") == "catalog-results"
    )
    context["swap_filters"] = fragment
    template = "datasets/_dataset_results.html" if fragment else "datasets/dataset_list.html"
    return render(request, template, context)


def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    return _dataset_page(request, selectors.dataset_get_visible(user=request.user, name=name))


def _dataset_page(
    request: HttpRequest, dataset: Dataset, *, send_back_form=None, status: int = 200
) -> HttpResponse:
    held_back = selectors.resources_held_back(user=request.user, dataset=dataset)
    can_edit = permissions.can_edit_dataset(request.user, dataset)
    if can_edit:  # editors see how each file's ingestion went
        resources = selectors.dataset_resources_with_state(dataset=dataset)
    else:
        resources = selectors.dataset_resources(dataset=dataset)
    context = {
        "dataset": dataset,
        "tags": selectors.tags_for_reader(tags=dataset.tags.all()),
        "resources": resources,
        "to_resolve": selectors.files_to_resolve(resources),
        "held_back": held_back,
        "kept_unpublished": {
            pk for pk, why in held_back.items() if why == ResourceVersion.PersonalData.PERSONAL
        },
        "can_edit": can_edit,
        "can_publish": permissions.can_publish_dataset(request.user, dataset),
        "can_view_activity": permissions.can_view_activity(request.user, dataset),
        "send_back_form": SendBackForm() if send_back_form is None else send_back_form,
        "sections": hooks.dataset_sections.collect(request, dataset),
    }
    return render(request, "datasets/dataset_detail.html", context, status=status)


def resource_detail(request: HttpRequest, name: str, id) -> HttpResponse:
    resource = selectors.resource_get_visible(user=request.user, name=name, resource_id=id)
    context = {
        "dataset": resource.dataset,
        "resource": resource,
        "held_back": _held_back(request.user, resource),
        "can_edit": permissions.can_edit_dataset(request.user, resource.dataset),
        "versions": selectors.resource_versions_visible(user=request.user, resource=resource),
        "ingest_template": _optional_template("datasets/_ingest_status.html"),
        "preview_template": _optional_template("datasets/_preview.html"),
    }
    return render(request, "datasets/resource_detail.html", context)


def _held_back(user, resource) -> str:
    """Why `user` may not download the file ("flagged", "personal"), or "" when they may."""
    held_back = selectors.resources_held_back(user=user, dataset=resource.dataset, of=resource)
    return held_back.get(resource.pk, "")


def resource_download(request: HttpRequest, name: str, id) -> HttpResponse:
    """The original file, after the same visibility check as the dataset page; held back,
    like its rows, while a personal-data finding waits for the publishers. It is the file
    the live rows were read from (`Resource.public_file`): a newer upload being read, or
    one that failed, is not what the pages show (its editors get it from
    `resource_newer_file`)."""
    resource = selectors.resource_get_visible(user=request.user, name=name, resource_id=id)
    if _held_back(request.user, resource):
        raise Http404
    catalog.resource_count_download(resource=resource)
    if not resource.file:
        if resource.url:
            return HttpResponseRedirect(resource.url)
        raise Http404
    return _file_response(resource.public_file.file)


def resource_newer_file(request: HttpRequest, name: str, id) -> HttpResponse:
    """For its editors: the upload newer than the public file, being read or failed, to
    check what is wrong with it."""
    resource = selectors.resource_get_visible(user=request.user, name=name, resource_id=id)
    if not (
        permissions.can_edit_dataset(request.user, resource.dataset) and resource.newer_file_waiting
    ):
        raise Http404
    return _file_response(resource.file)


def _file_response(stored) -> FileResponse:
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=stored.name.rsplit("/", 1)[-1])


def resource_file_download(request: HttpRequest, name: str, id, fmt: str) -> HttpResponse:
    """A file derived from the live version after ingestion (CSV with BOM and the column
    labels, JSON, XLSX, GeoJSON, Parquet): the whole table without querying it again."""
    resource = selectors.resource_get_visible(user=request.user, name=name, resource_id=id)
    version = resource.current_version
    stored = (version.downloads or {}).get(fmt) if version else None
    if not stored:  # (the live version is never one held back for personal data)
        raise Http404
    try:
        handle = default_storage.open(stored, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    catalog.resource_count_download(resource=resource)
    filename = export_filename(resource=resource, version=version, fmt=fmt)
    return FileResponse(handle, as_attachment=True, filename=filename)


def _refused(form, exc: ValidationError) -> int:
    """A service's refusal put on the form; the page's status: 413 for a file too large."""
    _add_errors(form, exc)
    return 413 if isinstance(exc, catalog.FileTooLarge) else 400


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            if target is None and f"{field}_zh_hant" in form.fields:
                target = f"{field}_zh_hant"
            form.add_error(target, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def dataset_create(request: HttpRequest) -> HttpResponse:
    form = DatasetForm(request.POST or None, user=request.user)
    if not form.fields["organization"].queryset.exists():
        raise PermissionDenied(_("You need to be an editor of an organization to add datasets."))
    if request.method == "POST" and form.is_valid():
        try:
            dataset = catalog.dataset_create(by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Add its files, then submit it for review."))
            return redirect("resource_create", name=dataset.name)
    return render(request, "datasets/dataset_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def dataset_edit(request: HttpRequest, name: str) -> HttpResponse:
    dataset = selectors.dataset_get_visible(user=request.user, name=name)
    if not permissions.can_edit_dataset(request.user, dataset):
        raise PermissionDenied(_("Only editors and admins of this organization can change it."))
    form = DatasetForm(request.POST or None, user=request.user, dataset=dataset)
    if request.method == "POST" and form.is_valid():
        try:
            catalog.dataset_update(dataset=dataset, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(dataset)
    return render(request, "datasets/dataset_form.html", {"form": form, "dataset": dataset})


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest, name: str) -> HttpResponse:
    dataset = selectors.dataset_get_visible(user=request.user, name=name)
    if not permissions.can_edit_dataset(request.user, dataset):
        raise PermissionDenied(_("Only editors and admins of this organization can add files."))
    form = ResourceForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            catalog.resource_create(dataset=dataset, by=request.user, **data)
        except ValidationError as exc:
            status = _refused(form, exc)
        else:
            messages.success(request, _("File added. Its data is being processed."))
            return redirect(dataset)
    elif request.method == "POST":
        status = 400
    return render(
        request, "datasets/resource_form.html", {"form": form, "dataset": dataset}, status=status
    )


RESOURCE_WORDS = ("name_zh_hant", "name_en", "description_zh_hant", "description_en")


def _editable_resource(request: HttpRequest, name: str, id):
    """The resource, if the user may see it (else 404) and change it (else 403)."""
    resource = selectors.resource_get_visible(user=request.user, name=name, resource_id=id)
    if not permissions.can_edit_dataset(request.user, resource.dataset):
        raise PermissionDenied(_("Only editors and admins of this organization can change it."))
    return resource


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, name: str, id) -> HttpResponse:
    """A file's name and description, and a new file or link in its place."""
    resource = _editable_resource(request, name, id)
    dataset = resource.dataset
    initial = {field: getattr(resource, field) for field in RESOURCE_WORDS}
    form = ResourceEditForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        current_format=resource.format,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_source = {"file": data.get("file"), "url": data.get("url") or ""}
        # Left empty: the present format is kept, and a new file names its own.
        fmt = (data.get("format") or "").upper()
        try:
            with transaction.atomic():
                words = {field: data.get(field) or "" for field in RESOURCE_WORDS}
                if not any(new_source.values()):
                    words["format"] = fmt or resource.format
                catalog.resource_update(resource=resource, by=request.user, **words)
                if any(new_source.values()):
                    catalog.resource_replace(
                        resource=resource, by=request.user, format=fmt, **new_source
                    )
        except ValidationError as exc:
            status = _refused(form, exc)
        else:
            if any(new_source.values()):
                messages.success(
                    request,
                    _(
                        "The new file is being read. The version online stays until the new "
                        "one passes."
                    ),
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("resource_detail", name=dataset.name, id=resource.pk)
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "dataset": dataset,
        "resource": resource,
        "file_name": resource.file.name.rsplit("/", 1)[-1] if resource.file else "",
    }
    return render(request, "datasets/resource_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def resource_delete(request: HttpRequest, name: str, id) -> HttpResponse:
    """Asks first, saying what goes with the file; deletes on POST."""
    resource = _editable_resource(request, name, id)
    dataset = resource.dataset
    if request.method == "POST":
        catalog.resource_delete(resource=resource, by=request.user)
        messages.success(request, _("“%(name)s” was deleted.") % {"name": resource.name})
        return redirect(dataset)
    context = {
        "dataset": dataset,
        "resource": resource,
        "versions": resource.versions.filter(dropped_at__isnull=True).count(),
    }
    return render(request, "datasets/resource_delete.html", context)


DictionaryFormSet = formset_factory(DictionaryFieldForm, extra=0)


@login_required
@require_http_methods(["GET", "POST"])
def resource_dictionary(request: HttpRequest, name: str, id) -> HttpResponse:
    """The data dictionary of a file, column by column: labels, descriptions and units
    for readers, types and constraints the next ingestion enforces. Saving it reads the
    file again under it."""
    resource = _editable_resource(request, name, id)
    schema = resource.schema if isinstance(resource.schema, dict) else {}
    version = resource.current_version
    columns = version.columns if version else []
    # What the live version holds in each column, to decide by: its type and profile.
    profiles = (version.profile or {}).get("columns", {}) if version else {}
    facts = {c["label"]: {**profiles.get(c["id"], {}), "type": c["type"]} for c in columns}
    inferred = {c["label"]: DICTIONARY_TYPES[c["type"]] for c in columns}
    # Fields by the column they describe, matched as the ingestion matches them.
    by_name = validate.columns_by_name(columns)
    listed = {
        columns[by_name[f.get("name")]]["label"] if f.get("name") in by_name else f.get("name"): f
        for f in schema.get("fields") or []
        if isinstance(f, dict)
    }
    names = [*inferred, *(n for n in listed if n not in inferred)]
    formset = DictionaryFormSet(
        request.POST or None,
        initial=[_dictionary_initial(n, listed.get(n), inferred.get(n)) for n in names],
        prefix="column",
    )
    null_tokens = ingest_conf.get("NULL_TOKENS")
    missing = MissingValuesForm(
        request.POST or None, initial=MissingValuesForm.initial_for(schema, null_tokens)
    )
    if request.method == "POST" and (
        not formset.management_form.is_valid() or formset.total_form_count() != len(names)
    ):  # the page is out of date: a new version with other columns went live meanwhile
        messages.error(request, _("The file's columns changed meanwhile; check them again."))
        return redirect("resource_dictionary", name=name, id=id)
    if request.method == "POST" and formset.is_valid() and missing.is_valid():
        fields = []
        for form, column in zip(formset.forms, names, strict=True):
            form.cleaned_data["name"] = column  # the column, whatever the page sent
            field = form.field(inferred.get(column), before=listed.get(column))
            if field:
                fields.append(field)
        new_schema = {k: v for k, v in schema.items() if k not in ("fields", "missingValues")}
        if fields:
            new_schema["fields"] = fields
        if (values := missing.values(null_tokens)) is not None:
            new_schema["missingValues"] = values
        rereads = catalog.schema_rereads(resource, schema, new_schema)
        try:
            catalog.resource_update(resource=resource, by=request.user, schema=new_schema)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Data dictionary saved. The file is being read again under it.")
                if rereads
                else _("Data dictionary saved."),
            )
            return redirect("resource_detail", name=name, id=id)
    context = {
        "dataset": resource.dataset,
        "resource": resource,
        "formset": formset,
        "missing": missing,
        "rows": [(n, form, facts.get(n)) for n, form in zip(names, formset.forms, strict=True)],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "datasets/resource_dictionary.html", context, status=status)


def _dictionary_initial(name: str, field: dict | None, inferred: str | None) -> dict:
    """The form's values for a column: its dictionary field, else as the file was read."""
    field = field or {}
    constraints = field.get("constraints") if isinstance(field.get("constraints"), dict) else {}
    declared = field.get("type")  # any Table Schema name for one of our types
    kind = DICTIONARY_TYPES[validate.SCHEMA_TYPES.get(declared, "text")] if declared else None
    enum = constraints.get("enum")
    return {
        "name": name,
        **{k: field.get(k, "") for k in ("title", "description", "unit")},
        "type": kind or inferred or "string",
        "required": bool(constraints.get("required")),
        "unique": bool(constraints.get("unique")),
        **{k: constraints.get(k, "") for k in ("minimum", "maximum", "pattern")},
        "enum": "\n".join(str(v) for v in enum) if isinstance(enum, list) else "",
    }


def _workflow_action(
    request: HttpRequest, dataset: Dataset, action, success: str, done: str | None = None, **kwargs
):
    """Run a workflow step. A step sent twice (a double click, a form sent again from the
    history) finds the dataset already in the state it leads to (`done`): that is said as
    success, not as the refusal a dataset in the wrong state gets. (The step reads the
    dataset again under a lock, so `dataset.status` is the one it found.)"""
    try:
        action(dataset=dataset, by=request.user, **kwargs)
    except ValidationError as exc:
        if done is not None and dataset.status == done:
            messages.success(request, success)
        else:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(dataset)


@login_required
@require_POST
def dataset_submit(request: HttpRequest, name: str) -> HttpResponse:
    dataset = selectors.dataset_get_visible(user=request.user, name=name)
    if not request.POST.get("confirm") and permissions.can_edit_dataset(request.user, dataset):
        # Files that failed or wait for a personal-data decision would go to review
        # unnoticed: the page lists them and asks again (its button then confirms).
        resources = selectors.dataset_resources_with_state(dataset=dataset)
        if to_resolve := selectors.files_to_resolve(resources):
            messages.warning(
                request,
                _("Not submitted: some files need your attention first (%(names)s).")
                % {"names": joined([str(r.name) for r in to_resolve])},
            )
            return redirect(dataset)
    return _workflow_action(
        request,
        dataset,
        publishing.dataset_submit,
        _("Submitted. An admin will review it."),
        done=Dataset.Status.IN_REVIEW,
    )


@login_required
@require_POST
def dataset_publish(request: HttpRequest, name: str) -> HttpResponse:
    dataset = selectors.dataset_get_visible(user=request.user, name=name)
    return _workflow_action(
        request, dataset, publishing.dataset_publish, _("Published."), done=Dataset.Status.PUBLISHED
    )


@login_required
@require_POST
def dataset_send_back(request: HttpRequest, name: str) -> HttpResponse:
    dataset = selectors.dataset_get_visible(user=request.user, name=name)
    form = SendBackForm(request.POST)
    if (
        dataset.status == Dataset.Status.IN_REVIEW
        and permissions.can_publish_dataset(request.user, dataset)
        and not form.is_valid()
    ):
        # The page again, the comment's error under it and in the summary that takes the
        # focus, and what was typed kept.
        return _dataset_page(request, dataset, send_back_form=form, status=400)
    return _workflow_action(
        request,
        dataset,
        publishing.dataset_send_back,
        _("Sent back to the editors with your comment."),
        done=Dataset.Status.DRAFT,
        comment=form.data.get("comment", ""),
    )


@login_required
@require_POST
def dataset_archive(request: HttpRequest, name: str) -> HttpResponse:
    dataset = selectors.dataset_get_visible(user=request.user, name=name)
    return _workflow_action(
        request, dataset, publishing.dataset_archive, _("Archived."), done=Dataset.Status.ARCHIVED
    )


@login_required
def dataset_activity(request: HttpRequest, name: str) -> HttpResponse:
    dataset = selectors.dataset_get_visible(user=request.user, name=name)
    if not permissions.can_view_activity(request.user, dataset):
        raise PermissionDenied(_("Only members of this organization can see its activity."))
    context = {"dataset": dataset, "activity": selectors.dataset_activity(dataset=dataset)}
    return render(request, "datasets/dataset_activity.html", context)


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    context = {
        "datasets": selectors.workspace_datasets(user=request.user),
        # Organizations whose datasets the user may change; the others' are read-only.
        "editable_org_ids": (editable := permissions.organizations_editable(request.user)),
        "can_publish_somewhere": bool(editable),
    }
    return render(request, "datasets/workspace.html", context)
