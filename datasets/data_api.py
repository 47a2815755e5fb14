"""Row API: `GET /api/v1/resources/{id}/data/` and its whole-result downloads.

The view only resolves who may see which version and turns query-layer errors into HTTP
answers; parsing and SQL live in datasets/datastore/query.py, downloads in export.py.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from datasets import permissions
from datasets.datastore.export import CONTENT_TYPES, FORMATS, export_query
from datasets.datastore.query import QueryError, QueryTimeout, query_from_params, query_rows
from datasets.datastore.schema import COLUMN_TYPES
from datasets.models import Resource, ResourceVersion
from datasets.services.catalog import resource_count_download
from datasets.services.charts import chart_create, chart_delete
from datasets.services.counts import (
    dataset_view_record,
    is_probably_bot,
    resource_view_record,
)


class DataAnonThrottle(AnonRateThrottle):
    """Anonymous callers share a smaller budget per address than API keys get."""

    scope = "data_anon"

    def get_rate(self):
        return settings.DATA_API_THROTTLE_ANON


class DataUserThrottle(UserRateThrottle):
    scope = "data_user"

    def get_rate(self):
        return settings.DATA_API_THROTTLE_USER


class IgnoreFormatParameter(DefaultContentNegotiation):
    """`format=csv` selects a download here, not a DRF renderer."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return JSONRenderer(), JSONRenderer.media_type


def _visible_resource(user, resource_id) -> Resource:
    resource = get_object_or_404(
        Resource.objects.select_related("dataset", "current_version"), pk=resource_id
    )
    if not permissions.can_view_dataset(user, resource.dataset):
        raise Http404
    return resource


def resource_version_for_data(*, user, resource_id, number: str | None) -> ResourceVersion:
    """The version a caller may read, or Http404: invisible datasets look like missing ones,
    and a version held back for a personal-data check is shown only to its publishers."""
    resource = _visible_resource(user, resource_id)
    held_back = (
        () if permissions.can_edit_dataset(user, resource.dataset) else ResourceVersion.HELD_BACK
    )
    if number:
        if not (number.isascii() and number.isdigit() and len(number) <= 9):
            raise QueryError(_("version must be a version number."), param="version")
        readable = resource.versions.filter(dropped_at__isnull=True).exclude(
            personal_data__in=held_back
        )
        version = readable.filter(number=int(number)).first()
        if version is None:
            raise VersionNotKept(number, [v.number for v in readable.order_by("-number")])
    else:
        version = resource.current_version
        if version is None or version.personal_data in held_back:
            raise Http404(_("This resource has no queryable data yet."))
    version.resource = resource
    return version


class VersionNotKept(QueryError):
    """A version number that is not among those kept (or not the caller's to read)."""

    def __init__(self, number: str, kept: list[int]) -> None:
        if kept:
            message = _("Version %(number)s is not kept. Versions kept: %(kept)s.") % {
                "number": number,
                "kept": ", ".join(map(str, kept)),
            }
        else:
            message = _("Version %(number)s is not kept: this resource has no queryable data.")
            message %= {"number": number}
        super().__init__(message, param="version", code="version_not_kept")


def _page_url(request, offset: int) -> str:
    params = request.GET.copy()
    params["offset"] = str(offset)
    return request.build_absolute_uri(request.path) + "?" + urlencode(params, doseq=True)


_PARAMETERS = [
    OpenApiParameter("limit", int, description="Rows per page (default 100, max 10000)."),
    OpenApiParameter("offset", int),
    OpenApiParameter("sort", str, description="Comma-separated columns, `-col` descending."),
    OpenApiParameter("fields", str, description="Comma-separated columns to return."),
    OpenApiParameter("q", str, description="Full-text search over text columns."),
    OpenApiParameter("version", int, description="A version number instead of the live one."),
    OpenApiParameter(
        "format",
        str,
        enum=list(FORMATS),
        description="Without it: one page of JSON. With it: the whole result as a download.",
    ),
    OpenApiParameter(
        "header",
        str,
        enum=["ids", "labels"],
        description="With format=csv or xlsx: the first row holds the columns' ids "
        "(default) or their names as in the file.",
    ),
    # Filters are parameters named by the columns: an object exploded in form style is
    # how OpenAPI says so, and how Swagger UI and generated clients then send them
    # (district=大安區&visitors__gte=100), where a parameter literally named
    # "{column}[__op]" was sent as such and refused.
    OpenApiParameter(
        "filters",
        OpenApiTypes.OBJECT,
        style="form",
        explode=True,
        description="Filters, each a parameter of its own: `col=v` (or `col__eq=v` for a "
        "column named like another parameter, such as `version`), `col__gte`, `__lte`, "
        "`__gt`, `__lt`, `__in=a,b`, `__contains`, `__isnull=true|false`. Values are parsed "
        'by the column\'s type. Example: `{"district": "大安區", "visitors__gte": "100"}`.',
    ),
]


# What the JSON answers hold, so clients generated from the schema can read them.
_PAGE = inline_serializer(
    "RowPage",
    {
        "fields": inline_serializer(
            "RowField",
            {
                "id": serializers.CharField(help_text="The name queries use."),
                "type": serializers.ChoiceField(choices=COLUMN_TYPES),
                "label": serializers.CharField(help_text="The column's name as in the file."),
            },
            many=True,
        ),
        "records": serializers.ListField(
            child=serializers.DictField(),
            help_text="One object per row, by column id. Empty cells are null; dates are "
            "YYYY-MM-DD, times ISO 8601 in the city's time zone, geometries GeoJSON text.",
        ),
        "total": serializers.IntegerField(),
        "total_was_estimated": serializers.BooleanField(),
        "limit": serializers.IntegerField(),
        "offset": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
    },
)
_ERROR = inline_serializer(
    "RowQueryError",
    {
        "detail": serializers.CharField(help_text="What is wrong, in the caller's language."),
        "param": serializers.CharField(required=False, help_text="The parameter at fault."),
        "code": serializers.CharField(required=False),
    },
)


class ResourceDataView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [DataAnonThrottle, DataUserThrottle]
    content_negotiation_class = IgnoreFormatParameter

    @extend_schema(
        summary="Rows of a resource's live (or given) version, or a download of them",
        parameters=_PARAMETERS,
        responses={
            (200, "application/json"): _PAGE,
            # With format=...: the whole result as a file.
            **{
                (200, CONTENT_TYPES[fmt].split(";")[0]): OpenApiTypes.BINARY
                for fmt in FORMATS
                if fmt != "json"
            },
            400: _ERROR,
            404: _ERROR,  # with param "version": that version is not kept
            503: _ERROR,
        },
    )
    def get(self, request, resource_id):
        fmt = request.GET.get("format", "").strip().lower()
        export = bool(fmt)
        try:
            version = resource_version_for_data(
                user=request.user, resource_id=resource_id, number=request.GET.get("version")
            )
            query = query_from_params(version=version, params=request.GET, export=export)
            if export:
                download = export_query(
                    resource=version.resource,
                    version=version,
                    query=query,
                    fmt=fmt,
                    header=request.GET.get("header", "ids").strip().lower(),
                )
            else:
                page = query_rows(version=version, query=query)
        except QueryError as exc:
            return Response(
                {"detail": exc.message, "param": exc.param, "code": exc.code},
                status=status.HTTP_404_NOT_FOUND
                if isinstance(exc, VersionNotKept)
                else status.HTTP_400_BAD_REQUEST,
            )
        except QueryTimeout as exc:
            return Response(
                {"detail": str(exc), "code": "statement_timeout"},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": "30"},
            )
        if export:
            # The preview's map reads GeoJSON too; only people's downloads are counted.
            if not request.headers.get("X-Preview") and not is_probably_bot(
                request.headers.get("User-Agent", "")
            ):
                resource_count_download(resource=version.resource)
            response = StreamingHttpResponse(download.chunks, content_type=download.content_type)
            response["Content-Disposition"] = content_disposition_header(True, download.filename)
            return response
        end = page.offset + len(page.records)
        has_next = 0 < len(page.records) == page.limit and (
            page.total_was_estimated or end < page.total
        )
        return Response(
            {
                "fields": page.fields,
                "records": page.records,
                "total": page.total,
                "total_was_estimated": page.total_was_estimated,
                "limit": page.limit,
                "offset": page.offset,
                "next": _page_url(request, end) if has_next else None,
                "previous": _page_url(request, max(page.offset - page.limit, 0))
                if page.offset
                else None,
            }
        )


class ResourceViewCountView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [DataAnonThrottle, DataUserThrottle]

    @extend_schema(
        summary="Count one view of a resource's preview (no personal data kept)",
        request=None,
        responses={204: None},
    )
    def post(self, request, resource_id):
        resource = _visible_resource(request.user, resource_id)
        if not is_probably_bot(request.headers.get("User-Agent", "")):
            resource_view_record(resource=resource)
            # The dataset page's preview counts one view of the dataset as well.
            if request.GET.get("dataset"):
                dataset_view_record(dataset=resource.dataset)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SavedChartSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    # The builder shows the first message alone, so each one names the field it is about.
    title = serializers.CharField(
        max_length=200,
        error_messages={
            "required": gettext_lazy("Give the chart a title."),
            "blank": gettext_lazy("Give the chart a title."),
            "max_length": gettext_lazy("Keep the title under 200 characters."),
        },
    )
    config = serializers.JSONField()


class SavedChartListView(APIView):
    """Charts saved for a resource; editors of its publisher add them."""

    @extend_schema(responses=SavedChartSerializer(many=True), summary="Saved charts")
    def get(self, request, resource_id):
        resource = _visible_resource(request.user, resource_id)
        return Response(SavedChartSerializer(resource.saved_charts.all(), many=True).data)

    @extend_schema(
        request=SavedChartSerializer, responses=SavedChartSerializer, summary="Save a chart"
    )
    def post(self, request, resource_id):
        resource = _visible_resource(request.user, resource_id)
        data = SavedChartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        chart = chart_create(resource=resource, by=request.user, **data.validated_data)
        return Response(SavedChartSerializer(chart).data, status=status.HTTP_201_CREATED)


class SavedChartDetailView(APIView):
    @extend_schema(responses={204: None}, summary="Remove a saved chart")
    def delete(self, request, resource_id, chart_id):
        resource = _visible_resource(request.user, resource_id)
        chart = get_object_or_404(
            resource.saved_charts.select_related("resource__dataset"), pk=chart_id
        )
        chart_delete(chart=chart, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
