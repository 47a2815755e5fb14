"""REST API v1 for the catalog: datasets, resources, themes, licenses and tags.

Reads go through datasets.selectors (the same visibility and search as the pages);
each write has an input serializer naming its fields and calls one service.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from datasets import selectors
from datasets.ingest.errors import joined
from datasets.ingest.fetch import link_refused
from datasets.ingest.validate import SCHEMA_TYPES, pattern_problem
from datasets.models import (
    Dataset,
    IngestJob,
    License,
    Resource,
    ResourceVersion,
    Tag,
    Theme,
)
from datasets.permissions import can_edit_dataset, can_view_dataset
from datasets.services import catalog, publishing
from portal.models import Organization
from portal.pagination import Pagination


# --- Output ---------------------------------------------------------------------------------
class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["slug", "name", "name_zh_hant", "name_en", "iso37120_section"]


class LicenseSerializer(serializers.ModelSerializer):
    class Meta:
        model = License
        fields = ["id", "title", "title_zh_hant", "title_en", "url", "is_open"]


class TagSerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField(source="n")


class IngestSerializer(serializers.Serializer):
    status = serializers.CharField()
    stage = serializers.CharField()
    progress = serializers.FloatField()
    rows = serializers.IntegerField()
    error = serializers.CharField(
        help_text="Why the last ingestion failed, in the request's language (Accept-Language)."
    )


class ResourceSerializer(serializers.ModelSerializer):
    dataset = serializers.CharField(source="dataset.name")
    download_url = serializers.SerializerMethodField()
    # The file `download_url` gives: the one the live rows were read from, while a newer
    # upload is being read or has failed (`ingest` tells how that one is doing).
    format = serializers.CharField(source="public_file.format", read_only=True)
    size = serializers.IntegerField(source="public_file.size", read_only=True, allow_null=True)
    sha256 = serializers.CharField(source="public_file.sha256", read_only=True)
    mimetype = serializers.CharField(source="public_file.mimetype", read_only=True)
    ingest = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = [
            "id",
            "dataset",
            "name",
            "name_zh_hant",
            "name_en",
            "description",
            "description_zh_hant",
            "description_en",
            "format",
            "url_type",
            "url",
            "download_url",
            "size",
            "sha256",
            "mimetype",
            "position",
            "schema",
            "created_at",
            "last_modified",
            "ingest",
        ]

    def get_download_url(self, resource) -> str:
        from django.urls import reverse

        path = reverse(
            "resource_download", kwargs={"name": resource.dataset.name, "id": resource.id}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(IngestSerializer(allow_null=True))
    def get_ingest(self, resource) -> dict | None:
        jobs = getattr(resource, "latest_jobs", None)
        if jobs is None:
            jobs = list(resource.ingest_jobs.order_by("-created_at")[:1])
        return IngestSerializer(jobs[0]).data if jobs else None


class ResourceVersionSerializer(serializers.ModelSerializer):
    rows = serializers.IntegerField(source="row_count")
    columns = serializers.SerializerMethodField()
    live = serializers.SerializerMethodField()
    data_url = serializers.SerializerMethodField()

    class Meta:
        model = ResourceVersion
        fields = ["number", "created_at", "rows", "sha256", "columns", "live", "data_url"]

    def get_columns(self, version) -> list[dict]:
        return [{k: c.get(k) for k in ("id", "label", "type")} for c in version.columns]

    def get_live(self, version) -> bool:
        return version.pk == version.resource.current_version_id

    def get_data_url(self, version) -> str:
        path = f"/api/v1/resources/{version.resource_id}/data/?version={version.number}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class DatasetListSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.slug")
    license = serializers.CharField(source="license_id", allow_null=True)
    themes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    formats = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Dataset
        fields = [
            "id",
            "name",
            "title",
            "title_zh_hant",
            "title_en",
            "summary",
            "summary_zh_hant",
            "summary_en",
            "organization",
            "status",
            "private",
            "license",
            "themes",
            "tags",
            "formats",
            "update_frequency",
            "metadata_modified",
            "data_updated_at",
            "published_at",
            "view_count",
            "download_count",
            "url",
        ]

    def get_formats(self, dataset) -> list[str]:
        # The catalog search prefetches the resources with the formats readers download.
        return _public_formats(dataset.resources.all())

    def get_url(self, dataset) -> str:
        request = self.context.get("request")
        path = dataset.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class DatasetDetailSerializer(DatasetListSerializer):
    organization_name = serializers.CharField(source="organization.name")
    license_detail = LicenseSerializer(source="license", allow_null=True)
    review_comment = serializers.SerializerMethodField(
        help_text="What the admin asked the editors to change (for the editors only)."
    )
    resources = serializers.SerializerMethodField()

    class Meta(DatasetListSerializer.Meta):
        fields = [
            *DatasetListSerializer.Meta.fields,
            "organization_name",
            "license_detail",
            "description",
            "description_zh_hant",
            "description_en",
            "temporal_start",
            "temporal_end",
            "spatial",
            "contact_name",
            "contact_email",
            "contact_phone",
            "source",
            "language",
            "review_comment",
            "created_at",
            "resources",
        ]

    def get_review_comment(self, dataset) -> str:
        # As on the dataset page: the admin's words to the editors, not to every member.
        request = self.context.get("request")
        user = request.user if request else None
        return dataset.review_comment if can_edit_dataset(user, dataset) else ""

    def get_formats(self, dataset) -> list[str]:
        return _public_formats(dataset.resources.with_public_format())

    @extend_schema_field(ResourceSerializer(many=True))
    def get_resources(self, dataset) -> list:
        return ResourceSerializer(
            _resources_with_jobs(Resource.objects.filter(dataset=dataset)),
            many=True,
            context=self.context,
        ).data


def _public_formats(resources) -> list[str]:
    """The formats of the files readers download (`Resource.public_file`), not those of
    newer uploads still being read or that failed: `resources` come with_public_format."""
    return sorted({r.public_format.upper() for r in resources if r.public_format})


def _resources_with_jobs(queryset):
    latest = IngestJob.objects.order_by("-created_at")
    return (
        queryset.select_related("dataset", "current_version")
        .prefetch_related(Prefetch("ingest_jobs", queryset=latest, to_attr="latest_jobs"))
        .order_by("position", "created_at")
    )


# --- Input ----------------------------------------------------------------------------------
def _table_schema(value):
    fields = value.get("fields") if isinstance(value, dict) else None
    if not isinstance(fields, list) or not all(
        isinstance(f, dict) and f.get("name") for f in fields
    ):
        raise ApiValidationError(
            _('Give the data dictionary as Table Schema: {"fields": [{"name": ...}, ...]}.')
        )
    missing = value.get("missingValues", [])
    if not isinstance(missing, list) or not all(isinstance(v, str) for v in missing):
        raise ApiValidationError(_('missingValues is a list of texts, such as ["", "-"].'))
    for field in fields:  # ingestion checks every value against it: refuse it now, not then
        kind = field.get("type", "string")
        if kind not in SCHEMA_TYPES:
            raise ApiValidationError(
                _("The type of '%(name)s' is '%(type)s'; it can be one of %(types)s.")
                % {"name": field["name"], "type": kind, "types": ", ".join(SCHEMA_TYPES)}
            )
        constraints = field.get("constraints", {})
        if not isinstance(constraints, dict):
            raise ApiValidationError(
                _("The constraints of '%(name)s' are an object, such as {\"required\": true}.")
                % {"name": field["name"]}
            )
        pattern = constraints.get("pattern")
        problem = pattern_problem(pattern) if pattern is not None else None
        if problem is not None:
            raise ApiValidationError(
                _("The pattern for '%(name)s' is not a regular expression: %(error)s.")
                % {"name": field["name"], "error": problem}
            )
    return value


SCHEMA_HELP = (
    'Data dictionary as Table Schema: {"fields": [{"name": column label or id, "title", '
    '"description", "unit", "type" (string, integer, number, boolean, date, datetime, '
    'year, geojson, geopoint), "constraints": {required, unique, enum, minimum, maximum, '
    'minLength, maxLength, pattern}}], "missingValues": [texts that mean no value]}. A type '
    "or constraint is checked on every value when the file is read; changing the dictionary "
    "reads the file again."
)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not name, so `status` or `id` in a payload is an error, not
    something silently ignored (or, worse, silently applied)."""

    def to_internal_value(self, data):
        unknown = set(getattr(data, "keys", lambda: [])()) - set(self.fields)
        if unknown:
            raise ApiValidationError(
                {name: [_("This field cannot be set.")] for name in sorted(unknown)}
            )
        return super().to_internal_value(data)


class DatasetUpdateInSerializer(StrictSerializer):
    title = serializers.CharField(required=False, max_length=300)
    title_zh_hant = serializers.CharField(required=False, allow_blank=True, max_length=300)
    title_en = serializers.CharField(required=False, allow_blank=True, max_length=300)
    summary = serializers.CharField(required=False, max_length=600)
    summary_zh_hant = serializers.CharField(required=False, allow_blank=True, max_length=600)
    summary_en = serializers.CharField(required=False, allow_blank=True, max_length=600)
    description = serializers.CharField(required=False, allow_blank=True)
    description_zh_hant = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    license = serializers.SlugRelatedField(
        slug_field="id", queryset=License.objects.all(), required=False, allow_null=True
    )
    themes = serializers.SlugRelatedField(
        slug_field="slug", queryset=Theme.objects.all(), many=True, required=False
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=50
    )
    update_frequency = serializers.ChoiceField(choices=Dataset.Frequency.choices, required=False)
    temporal_start = serializers.DateField(required=False, allow_null=True)
    temporal_end = serializers.DateField(required=False, allow_null=True)
    spatial = serializers.CharField(required=False, allow_blank=True, max_length=300)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=50)
    source = serializers.CharField(required=False, allow_blank=True, max_length=500)
    language = serializers.CharField(required=False, max_length=20)
    private = serializers.BooleanField(required=False)

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        # Plain `title`/`summary`/`description` fill the default language (zh-hant);
        # the other language falls back to it until it is given.
        for field in ("title", "summary", "description"):
            if field in data:
                data.setdefault(f"{field}_zh_hant", data.pop(field))
        return data


class DatasetCreateInSerializer(DatasetUpdateInSerializer):
    name = serializers.CharField(max_length=100)
    organization = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organization.objects.all()
    )


def _one_source(data: dict) -> None:
    """A file's payload holds an upload or a link, not both or neither."""
    if bool(data.get("file")) == bool(data.get("url")):
        raise ApiValidationError(
            {"file": [_("Send a multipart `file` or a JSON `url`, not both or neither.")]}
        )


class ResourceInSerializer(StrictSerializer):
    file = serializers.FileField(required=False)
    url = serializers.URLField(required=False, max_length=2000)
    name = serializers.CharField(required=False, max_length=300)
    name_zh_hant = serializers.CharField(required=False, allow_blank=True, max_length=300)
    name_en = serializers.CharField(required=False, allow_blank=True, max_length=300)
    description_zh_hant = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    format = serializers.CharField(required=False, allow_blank=True, max_length=30)
    schema = serializers.JSONField(required=False, help_text=SCHEMA_HELP)

    def validate_schema(self, value):
        return _table_schema(value)

    def validate_url(self, value):
        # As the upload form: a link the worker would refuse on its face is refused now.
        if problem := link_refused(value):
            raise ApiValidationError(problem)
        return value

    def validate(self, data):
        _one_source(data)
        if "name" in data:
            data.setdefault("name_zh_hant", data.pop("name"))
        return data


class ResourceReplaceInSerializer(StrictSerializer):
    file = serializers.FileField(required=False)
    url = serializers.URLField(required=False, max_length=2000)
    format = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=30,
        help_text="Leave out to take it from the new file's name.",
    )

    validate_url = ResourceInSerializer.validate_url

    def validate(self, data):
        _one_source(data)
        return data


class ResourceUpdateInSerializer(StrictSerializer):
    name_zh_hant = serializers.CharField(required=False, allow_blank=True, max_length=300)
    name_en = serializers.CharField(required=False, allow_blank=True, max_length=300)
    description_zh_hant = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    format = serializers.CharField(required=False, allow_blank=True, max_length=30)
    schema = serializers.JSONField(required=False, help_text=SCHEMA_HELP)

    def validate_schema(self, value):
        return _table_schema(value)


class DatasetSubmitInSerializer(StrictSerializer):
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Submit even if some files failed or wait for a personal-data decision.",
    )


class SendBackInSerializer(StrictSerializer):
    comment = serializers.CharField()


# --- Views ----------------------------------------------------------------------------------
API_FACET_PARAMS = {"format": "res_format"}
LIST_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Full-text query (Chinese or English)"),
    *[
        OpenApiParameter(
            API_FACET_PARAMS.get(key, key),
            OpenApiTypes.STR,
            many=True,
            description=f"Facet filter: {key} (repeat or comma-separate values)",
        )
        for key in selectors.FACETS
    ],
    OpenApiParameter("ordering", OpenApiTypes.STR, enum=list(selectors.SORTS)),
]


class DatasetFilterSerializer(serializers.Serializer):
    """The list's query: a NUL character (which PostgreSQL refuses in a query) or an
    unknown ordering is a 400 naming the parameter, not a 500 or a silently other order."""

    q = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    ordering = serializers.ChoiceField(
        choices=list(selectors.SORTS), required=False, allow_blank=True
    )
    organization = serializers.ListField(child=serializers.CharField(), required=False)
    theme = serializers.ListField(child=serializers.CharField(), required=False)
    tag = serializers.ListField(child=serializers.CharField(), required=False)
    res_format = serializers.ListField(child=serializers.CharField(), required=False)
    license = serializers.ListField(child=serializers.CharField(), required=False)
    frequency = serializers.ListField(child=serializers.CharField(), required=False)


class CatalogPagination(Pagination):
    """Limit/offset pages whose total comes from the facet query when there is one."""

    known_count: int | None = None

    def get_count(self, queryset) -> int:
        return self.known_count if self.known_count is not None else super().get_count(queryset)

    def get_paginated_response_schema(self, schema):
        # The list adds its facets beside the page: said here, or generated clients drop them.
        page = super().get_paginated_response_schema(schema)
        facet = {
            "type": "object",
            "required": ["value", "label", "count"],
            "properties": {
                "value": {"type": "string", "description": "What the filter parameter takes."},
                "label": {"type": "string"},
                "count": {"type": "integer"},
            },
        }
        facets = {key: {"type": "array", "items": facet} for key in selectors.FACETS}
        page["properties"]["facets"] = {"type": "object", "properties": facets}
        page["required"] = [*page["required"], "facets"]
        return page


class DatasetViewSet(viewsets.GenericViewSet):
    """The catalog. Anyone reads public published datasets; organization editors write."""

    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = DatasetDetailSerializer
    pagination_class = CatalogPagination
    queryset = Dataset.objects.none()  # every read goes through datasets.selectors

    def get_object(self) -> Dataset:
        return selectors.dataset_get_visible(user=self.request.user, name=self.kwargs["name"])

    def _detail(self, dataset, status_code=status.HTTP_200_OK):
        dataset = selectors.dataset_get_visible(user=self.request.user, name=dataset.name)
        data = DatasetDetailSerializer(dataset, context={"request": self.request}).data
        return Response(data, status=status_code)

    @extend_schema(parameters=LIST_PARAMETERS, responses=DatasetListSerializer(many=True))
    def list(self, request):
        params = DatasetFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        params = params.validated_data
        # `format` is DRF's renderer switch (?format=json), so the file-format facet is
        # `res_format`, as in CKAN.
        filters = {
            key: [
                v
                for value in params.get(API_FACET_PARAMS.get(key, key), [])
                for v in value.split(",")
                if v
            ]
            for key in selectors.FACETS
        }
        search = selectors.dataset_search(
            user=request.user,
            q=params.get("q", ""),
            filters=filters,
            sort=params.get("ordering", ""),
        )
        self.paginator.known_count = search.total
        page = self.paginate_queryset(search.datasets)
        data = DatasetListSerializer(page, many=True, context={"request": request}).data
        response = self.get_paginated_response(data)
        response.data["facets"] = {
            key: [{"value": f.value, "label": f.label, "count": f.count} for f in values]
            for key, values in search.facets.items()
        }
        return response

    def retrieve(self, request, name=None):
        return self._detail(self.get_object())

    @extend_schema(request=DatasetCreateInSerializer, responses={201: DatasetDetailSerializer})
    def create(self, request):
        payload = DatasetCreateInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        dataset = catalog.dataset_create(by=request.user, **payload.service_kwargs())
        return self._detail(dataset, status.HTTP_201_CREATED)

    @extend_schema(request=DatasetUpdateInSerializer, responses=DatasetDetailSerializer)
    def partial_update(self, request, name=None):
        dataset = self.get_object()
        payload = DatasetUpdateInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        catalog.dataset_update(dataset=dataset, by=request.user, **payload.service_kwargs())
        return self._detail(dataset)

    @extend_schema(
        methods=["POST"],
        request={
            "multipart/form-data": ResourceInSerializer,
            "application/json": ResourceInSerializer,
        },
        responses={201: ResourceSerializer},
    )
    @extend_schema(methods=["GET"], responses=ResourceSerializer(many=True))
    # A dataset's few files: one list, as the schema then says, not a page of them.
    @action(detail=True, methods=["get", "post"], url_path="resources", pagination_class=None)
    def resources(self, request, name=None):
        dataset = self.get_object()
        if request.method == "GET":
            resources = _resources_with_jobs(Resource.objects.filter(dataset=dataset))
            return Response(
                ResourceSerializer(resources, many=True, context={"request": request}).data
            )
        payload = ResourceInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            resource = catalog.resource_create(
                dataset=dataset, by=request.user, **payload.validated_data
            )
        except catalog.FileTooLarge as exc:
            return Response(exc.message_dict, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        resource = _resources_with_jobs(Resource.objects.filter(pk=resource.pk)).get()
        data = ResourceSerializer(resource, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)

    def _transition(self, service, **kwargs):
        dataset = self.get_object()
        service(dataset=dataset, by=self.request.user, **kwargs)
        return self._detail(dataset)

    @extend_schema(
        request=DatasetSubmitInSerializer,
        responses={200: DatasetDetailSerializer, 409: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, name=None):
        """Send the dataset to review. Files that failed or wait for a personal-data
        decision would go unnoticed: 409 lists them (`files`) unless `confirm` is true,
        as the page asks before submitting."""
        payload = DatasetSubmitInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        dataset = self.get_object()
        if not payload.validated_data["confirm"] and can_edit_dataset(request.user, dataset):
            resources = selectors.dataset_resources_with_state(dataset=dataset)
            if to_resolve := selectors.files_to_resolve(resources):
                message = _("Not submitted: some files need your attention first (%(names)s).")
                names = joined([str(r.name) for r in to_resolve])
                return Response(
                    {
                        "detail": message % {"names": names},
                        "files": [
                            {"id": str(r.pk), "name": str(r.name), "state": r.file_state}
                            for r in to_resolve
                        ],
                    },
                    status=status.HTTP_409_CONFLICT,
                )
        return self._transition(publishing.dataset_submit)

    @extend_schema(request=None, responses=DatasetDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, name=None):
        return self._transition(publishing.dataset_publish)

    @extend_schema(request=SendBackInSerializer, responses=DatasetDetailSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, name=None):
        payload = SendBackInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._transition(publishing.dataset_send_back, **payload.validated_data)

    @extend_schema(request=None, responses=DatasetDetailSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, name=None):
        return self._transition(publishing.dataset_archive)


class ResourceViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One file or link, with the state of its latest ingestion."""

    serializer_class = ResourceSerializer
    queryset = Resource.objects.none()
    http_method_names = ["get", "patch", "put", "delete", "head", "options"]

    @extend_schema(request=ResourceUpdateInSerializer, responses=ResourceSerializer)
    def partial_update(self, request, pk=None):
        resource = self.get_object()
        payload = ResourceUpdateInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        catalog.resource_update(resource=resource, by=request.user, **payload.validated_data)
        return Response(ResourceSerializer(self.get_object(), context={"request": request}).data)

    @extend_schema(responses=ResourceVersionSerializer(many=True))
    # A few versions at most: one list, as the schema then says, not a page of them.
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request, pk=None):
        """The versions still kept, newest first: each can be queried with the Data API's
        `version` parameter. Older ones are dropped as new ones come."""
        resource = self.get_object()
        versions = selectors.resource_versions_visible(user=request.user, resource=resource)
        for version in versions:
            version.resource = resource
        return Response(
            ResourceVersionSerializer(versions, many=True, context={"request": request}).data
        )

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        """Delete the file or link with all its versions: its rows leave the Data API."""
        catalog.resource_delete(resource=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request={
            "multipart/form-data": ResourceReplaceInSerializer,
            "application/json": ResourceReplaceInSerializer,
        },
        responses={202: ResourceSerializer, 400: OpenApiTypes.OBJECT, 413: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["put"], url_path="file")
    def replace_file(self, request, pk=None):
        """Put a new file (multipart `file`) or link (JSON `url`) in place of the resource's
        own. It is read as a new version; the live one is served until the new one passes
        (see `ingest` for its progress) and stays if it fails."""
        resource = self.get_object()
        payload = ResourceReplaceInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            catalog.resource_replace(resource=resource, by=request.user, **payload.validated_data)
        except catalog.FileTooLarge as exc:
            return Response(exc.message_dict, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        data = ResourceSerializer(self.get_object(), context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED)

    def get_object(self) -> Resource:
        try:
            resource = _resources_with_jobs(Resource.objects.all()).get(pk=self.kwargs["pk"])
        except (Resource.DoesNotExist, ValueError, DjangoValidationError) as exc:
            raise Http404 from exc
        if not can_view_dataset(self.request.user, resource.dataset):
            raise Http404
        return resource


class ThemeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Theme.objects.all()
    serializer_class = ThemeSerializer
    lookup_field = "slug"
    pagination_class = None


class LicenseViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = License.objects.all()
    serializer_class = LicenseSerializer
    pagination_class = None


class TagFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True)


@extend_schema(parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="Tags containing")])
class TagViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Tags of public published datasets, most used first."""

    serializer_class = TagSerializer

    def get_queryset(self):
        params = TagFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)  # a NUL character would be a 500 on PostgreSQL
        public = Dataset.objects.published().values("pk")
        tags = Tag.objects.filter(datasets__in=public).annotate(n=Count("datasets"))
        if q := params.validated_data.get("q"):
            tags = tags.filter(name__icontains=q)
        return tags.order_by("-n", "name")
