import zoneinfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _


class TimezoneMiddleware:
    """Show times in the signed-in user's zone when they chose one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = getattr(request.user, "time_zone", "") if hasattr(request, "user") else ""
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone)) if zone else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)


class ApiLanguageMiddleware:
    """Machine endpoints answer in the language the client asks for.

    LocaleMiddleware runs every unprefixed path in the default language (that is how
    `/datasets/` stays Chinese while `/en/datasets/` is English). API clients have no
    prefix to choose with, so for them Accept-Language (or the language cookie) decides.
    """

    PREFIXES = ("/api/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(self.PREFIXES):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class NulInPathMiddleware:
    """No address here holds a NUL character, and PostgreSQL refuses one in a query: such a
    path is a 404 before any view looks its name up (which was a 500 there)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            raise Http404
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Answer 413 with the limit named before any oversized body is read.

    Multipart requests (file uploads) may be as large as MAX_UPLOAD_SIZE; every other body
    is capped at DATA_UPLOAD_MAX_MEMORY_SIZE. Django alone would answer a bare 400.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        content_type = request.META.get("CONTENT_TYPE", "")
        limit = (
            settings.MAX_UPLOAD_SIZE
            if content_type.startswith("multipart/form-data")
            else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        if length > limit:
            language = translation.get_language_from_request(request, check_path=True)
            with translation.override(language):
                message = _("The request is too large: the limit is %(limit)s.") % {
                    "limit": filesizeformat(limit)
                }
                if request.path.startswith("/api/"):
                    response = JsonResponse({"detail": message, "limit_bytes": limit}, status=413)
                else:
                    response = HttpResponse(
                        render_to_string("413.html", {"message": message}, request=None),
                        status=413,
                    )
            # The body is left unread: close the connection rather than drain it.
            response["Connection"] = "close"
            return response
        return self.get_response(request)
