from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language
from django.views.static import serve
from knox.models import AuthToken
from rest_framework.exceptions import NotFound

from portal import hooks, permissions
from portal.forms import ApiKeyForm, MembershipForm, OrganizationForm, ProfileForm
from portal.models import Membership, Organization
from portal.services import api_keys
from portal.services.organizations import (
    membership_remove,
    membership_set,
    organization_create,
)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, resolving `next` in the language its path is written in; a
    signed-in user's choice is also kept as the language of their e-mail.

    Unprefixed paths (/api/, /i18n/) always run in the default language, so Django alone
    cannot translate `/en/...` back to the default language's URL.
    """
    next_path = urlsplit(request.POST.get("next", "")).path
    path_language = translation.get_language_from_path(next_path) or settings.LANGUAGE_CODE
    with translation.override(path_language):
        response = django_set_language(request)
    chosen = request.POST.get("language")
    if request.user.is_authenticated and chosen in dict(settings.LANGUAGES):
        # Remembered for what the site sends when they are not looking: e-mail.
        get_user_model().objects.filter(pk=request.user.pk).update(language=chosen)
    return response


def logo(request: HttpRequest, name: str) -> HttpResponse:
    return serve(request, name, document_root=settings.MEDIA_ROOT / "logos")


def home(request: HttpRequest) -> HttpResponse:
    cities = Organization.objects.cities().annotate(agency_count=Count("children"))
    context = {"cities": cities, "sections": hooks.home_sections.collect(request)}
    return render(request, "portal/home.html", context)


def organization_list(request: HttpRequest) -> HttpResponse:
    cities = Organization.objects.cities().prefetch_related(
        Prefetch("children", queryset=Organization.objects.order_by("slug"))
    )
    others = Organization.objects.exclude(kind=Organization.Kind.CITY).filter(parent__isnull=True)
    return render(request, "portal/organization_list.html", {"cities": cities, "others": others})


def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_object_or_404(Organization.objects.select_related("parent"), slug=slug)
    context = {
        "organization": org,
        "children": org.children.order_by("slug"),
        "role": permissions.role_in(request.user, org),
        "can_admin": permissions.can_admin(request.user, org),
        "sections": hooks.organization_sections.collect(request, org),
    }
    return render(request, "portal/organization_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organization_create_view(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            org = organization_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(request, _("Organization created. You are its admin."))
            return redirect(org)
    return render(request, "portal/organization_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organization_members(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    if not permissions.can_admin(request.user, org):
        raise PermissionDenied(_("Only an admin of this organization can manage its members."))
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership_set(
                by=request.user,
                organization=org,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Member saved."))
            return _back_to_members(request, org)
    memberships = org.memberships.select_related("user").order_by("user__username")
    return render(
        request,
        "portal/organization_members.html",
        {"organization": org, "memberships": memberships, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_member_remove(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """Asks first, saying what the person loses; removes on POST."""
    org = get_object_or_404(Organization, slug=slug)
    user = get_object_or_404(get_user_model(), pk=user_id)
    if not permissions.can_admin(request.user, org):
        raise PermissionDenied(_("Only an admin of this organization can manage its members."))
    if request.method == "POST":
        try:
            removed = membership_remove(by=request.user, organization=org, user=user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if removed:
                messages.success(request, _("Member removed."))
            else:  # a second click, or removed meanwhile by another admin
                _say_not_a_member(request, user)
        return _back_to_members(request, org)
    membership = Membership.objects.filter(organization=org, user=user).first()
    if membership is None:
        _say_not_a_member(request, user)
        return _back_to_members(request, org)
    context = {"organization": org, "membership": membership, "yourself": user == request.user}
    return render(request, "portal/organization_member_remove.html", context)


def _say_not_a_member(request: HttpRequest, user) -> None:
    messages.info(request, _("%(name)s is not a member of this organization.") % {"name": user})


def _back_to_members(request: HttpRequest, org: Organization) -> HttpResponse:
    """The member page, unless the admin just stepped down or left: it would refuse them."""
    permissions.forget_roles(request.user)
    if permissions.can_admin(request.user, org):
        return redirect("organization_members", slug=org.slug)
    return redirect(org)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Profile saved."))
        return redirect("profile")
    return _profile_page(request, form=form)


def _profile_page(
    request: HttpRequest, *, form=None, api_key_form=None, status: int = 200
) -> HttpResponse:
    context = {
        "form": ProfileForm(instance=request.user) if form is None else form,
        "api_key_form": ApiKeyForm() if api_key_form is None else api_key_form,
        "memberships": Membership.objects.filter(user=request.user).select_related("organization"),
        "api_keys": AuthToken.objects.filter(user=request.user)
        .select_related("details")
        .order_by("-created"),
        "new_key": request.session.pop("new_api_key", None),
    }
    return render(request, "portal/profile.html", context, status=status)


@login_required
@require_POST
def api_key_create(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, api_key_form=form, status=400)
    _token, key = api_keys.api_key_create(user=request.user, name=form.cleaned_data["name"])
    # Shown exactly once, on the next page view; only its hash is stored.
    request.session["new_api_key"] = key
    return redirect("profile")


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, digest_prefix: str) -> HttpResponse:
    deleted, _detail = AuthToken.objects.filter(user=request.user, token_key=digest_prefix).delete()
    if deleted:
        messages.success(request, _("API key revoked. Programs using it will stop working."))
    return redirect("profile")


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A JSON answer where programs call (an id that is no UUID in a row API address, an
    unknown endpoint), as the API's own 404s are; the site's page everywhere else."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
