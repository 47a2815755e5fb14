"""Catalog metadata, resource files, ingested versions and ingestion jobs.

The row data itself lives in datastore tables (one per ResourceVersion), see
datasets/datastore/.
"""

import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, F, Q, When
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from datasets.ingest.errors import in_language
from portal import permissions
from portal.models import Membership

# CKAN's rule for package names, so CKAN clients and harvesters accept ours unchanged.
dataset_name_validator = RegexValidator(
    r"^[a-z0-9_-]{2,100}$",
    _("Use 2-100 characters: lowercase letters, digits, '-' and '_'."),
)


class Theme(models.Model):
    """A city-indicator theme (ISO 37120), shown as a CKAN group."""

    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    iso37120_section = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class License(models.Model):
    """A license a dataset can carry; `id` uses CKAN/SPDX-style identifiers."""

    id = models.CharField(_("identifier"), max_length=50, primary_key=True)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("license text"), blank=True)
    is_open = models.BooleanField(_("open license"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("license")
        verbose_name_plural = _("licenses")

    def __str__(self) -> str:
        return self.title


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DatasetQuerySet(models.QuerySet):
    def published(self):
        """Public, published datasets: what anonymous visitors and harvesters see."""
        return self.filter(status=Dataset.Status.PUBLISHED, private=False)

    def visible_to(self, user):
        """Everything `user` may see: public published and archived datasets, plus every
        dataset of the organizations they belong to (drafts, reviews, private ones)."""
        if user is not None and user.is_authenticated and user.is_superuser:
            return self
        public = Q(status__in=[Dataset.Status.PUBLISHED, Dataset.Status.ARCHIVED], private=False)
        org_ids = permissions.organizations_where(user, Membership.Role.MEMBER)
        if org_ids:
            return self.filter(public | Q(organization_id__in=org_ids))
        return self.filter(public)


class Dataset(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Frequency(models.TextChoices):
        # Values follow the EU frequency vocabulary used by DCAT-AP.
        CONTINUOUS = "CONT", _("Continuously updated")
        DAILY = "DAILY", _("Daily")
        WEEKLY = "WEEKLY", _("Weekly")
        MONTHLY = "MONTHLY", _("Monthly")
        QUARTERLY = "QUARTERLY", _("Quarterly")
        BIANNUAL = "BIANNUAL", _("Twice a year")
        ANNUAL = "ANNUAL", _("Yearly")
        IRREGULAR = "IRREG", _("Irregularly")
        NEVER = "NEVER", _("Not updated (historical)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(
        _("short name"), max_length=100, unique=True, validators=[dataset_name_validator]
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(
        _("plain-language summary"),
        max_length=600,
        help_text=_("What the data is and what it is good for, in words a resident understands."),
    )
    description = models.TextField(_("description (Markdown)"), blank=True)
    organization = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("publisher"),
        on_delete=models.PROTECT,
        related_name="datasets",
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), blank=True, related_name="datasets"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="datasets")
    license = models.ForeignKey(
        License, verbose_name=_("license"), on_delete=models.PROTECT, null=True, blank=True
    )
    update_frequency = models.CharField(
        _("update frequency"), max_length=12, choices=Frequency.choices, default=Frequency.IRREGULAR
    )
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers until"), null=True, blank=True)
    spatial = models.CharField(_("area covered"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    language = models.CharField(_("language of the data"), max_length=20, default="zh-hant")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    private = models.BooleanField(
        _("private"), default=False, help_text=_("Only members of the organization can see it.")
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    metadata_modified = models.DateTimeField(_("metadata updated"), auto_now=True)
    data_updated_at = models.DateTimeField(_("data updated"), null=True, blank=True)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    view_count = models.PositiveBigIntegerField(_("views"), default=0)
    download_count = models.PositiveBigIntegerField(_("downloads"), default=0)
    # Kept up to date by datasets.services.catalog.dataset_index: the weighted tsvector
    # (with CJK bigrams) on PostgreSQL, a lower-cased text for substring search on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["-metadata_modified"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        indexes = [models.Index(fields=["status", "private", "-metadata_modified"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dataset_detail", kwargs={"name": self.name})


def resource_upload_to(instance, filename: str) -> str:
    """resources/2024/05/<12 hex digits>/<the file's own name>: a folder of its own, so that
    storage never renames an upload (a second jan.csv of the month used to become
    jan_<7 letters>.csv) and its download keeps the name the publisher gave it."""
    return f"resources/{timezone.now():%Y/%m}/{secrets.token_hex(6)}/{filename}"


class ResourceQuerySet(models.QuerySet):
    def with_public_format(self):
        """Each resource with `public_format`: `public_file.format` in SQL, for the
        catalogs that count or filter by it (the search's Format facet and filter, CKAN's
        res_format). While a newer upload is read, or after it failed or was held back, it
        is the live version's format, not the newer file's that `format` holds."""
        return self.annotate(
            public_format=Case(
                When(
                    # `> ''`: neither empty nor NULL (no live version: the join gives NULL).
                    Q(file__gt="", current_version__source_file__gt="")
                    & ~Q(current_version__source_file=F("file")),
                    then=F("current_version__format"),
                ),
                default=F("format"),
            )
        )


class Resource(models.Model):
    """A file or link inside a dataset."""

    class UrlType(models.TextChoices):
        UPLOAD = "upload", _("Uploaded file")
        LINK = "link", _("Link")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    format = models.CharField(_("format"), max_length=30, blank=True)
    url_type = models.CharField(max_length=10, choices=UrlType.choices, default=UrlType.UPLOAD)
    file = models.FileField(_("file"), upload_to=resource_upload_to, max_length=500, blank=True)
    url = models.URLField(_("link"), max_length=2000, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    mimetype = models.CharField(max_length=100, blank=True)
    position = models.PositiveIntegerField(default=0)
    # The data dictionary in Frictionless Table Schema form: {"fields": [{"name", "title",
    # "type", "description", "unit", "constraints": {...}}], "missingValues": [...]}.
    schema = models.JSONField(_("data dictionary"), default=dict, blank=True)
    # Publisher overrides for ingestion: {"encoding", "sheet", "header_row", "header_rows",
    # "delimiter"}.
    ingest_options = models.JSONField(default=dict, blank=True)
    current_version = models.ForeignKey(
        "ResourceVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The version served by the Data API and previews."),
    )
    # Conditional-fetch state for scheduled refresh of linked files.
    remote_etag = models.CharField(max_length=300, blank=True)
    remote_last_modified = models.CharField(max_length=100, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)
    view_count = models.PositiveBigIntegerField(default=0)
    download_count = models.PositiveBigIntegerField(default=0)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["dataset", "position", "created_at"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self) -> str:
        return self.name

    @property
    def public_file(self) -> "PublicFile":
        """The file its Download button gives and the catalogs (CKAN, DCAT, the API)
        describe: the one the live rows were read from. A newer upload being read, or one
        that failed, is only its editors' to see (`file` keeps it); until it goes live the
        public file is the live version's. Uses `current_version`: select it with the
        resource when listing many. `Resource.objects.with_public_format()` is its format
        in SQL: keep the two in step."""
        own = PublicFile(self.file, self.size, self.sha256, self.mimetype, self.format)
        if not (self.file and self.current_version_id):
            return own
        version = self.current_version
        if not version.source_file or version.source_file.name == self.file.name:
            return own
        size = version.size
        if size is None:  # a version read before sizes were kept with it
            try:
                size = version.source_file.size
            except OSError:
                size = None
        return PublicFile(
            version.source_file, size, version.sha256, version.mimetype, version.format
        )

    @property
    def newer_file_waiting(self) -> bool:
        """An upload newer than the public file is being read, failed, or is held back."""
        public = self.public_file.file
        return bool(self.file) and public is not None and public.name != self.file.name


@dataclass(frozen=True)
class PublicFile:
    """What `Resource.public_file` describes."""

    file: FieldFile | None
    size: int | None
    sha256: str
    mimetype: str
    format: str


class ResourceVersion(models.Model):
    """One ingestion of a resource's file: a typed datastore table plus what we learned."""

    class PersonalData(models.TextChoices):
        NONE = "none", _("No personal data found")
        FLAGGED = "flagged", _("Possible personal data: waiting for an editor")
        CLEARED = "cleared", _("Checked by an editor: not personal data")
        # An editor confirmed the finding: the version is never published.
        PERSONAL = "personal", _("Checked by an editor: personal data, kept unpublished")

    # Shown to the dataset's editors only: waiting for their decision, or kept unpublished.
    HELD_BACK = (PersonalData.FLAGGED, PersonalData.PERSONAL)

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    table_name = models.CharField(max_length=63, unique=True)
    row_count = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    source_file = models.FileField(upload_to="originals/%Y/%m/", max_length=500, blank=True)
    source_name = models.CharField(max_length=300, blank=True)
    # The source file's own facts, as the resource had them when this version was read:
    # they describe its download while a newer upload waits (Resource.public_file).
    size = models.PositiveBigIntegerField(null=True, blank=True)
    mimetype = models.CharField(max_length=100, blank=True)
    format = models.CharField(max_length=30, blank=True)
    encoding = models.CharField(max_length=40, blank=True)
    # [{"id": "safe_column_id", "label": "原始欄名", "type": "integer|number|boolean|date|
    #   datetime|text|geometry", ...}] in table order.
    columns = models.JSONField(default=list)
    report = models.JSONField(default=dict, blank=True)
    profile = models.JSONField(default=dict, blank=True)
    personal_data = models.CharField(
        max_length=10, choices=PersonalData.choices, default=PersonalData.NONE
    )
    personal_data_findings = models.JSONField(default=list, blank=True)
    personal_data_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    personal_data_decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    dropped_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When its table was dropped to keep only recent versions."),
    )
    # Derived files written after the version went live: {"csv"|"json"|"xlsx"|"geojson"|
    # "parquet": storage name}.
    downloads = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["resource", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="one_number_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.resource} v{self.number}"


class IngestJob(models.Model):
    """State and progress of one ingestion; pages poll it and the API exposes it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", pgettext_lazy("job status", "Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    ACTIVE = [Status.QUEUED, Status.RUNNING]

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="ingest_jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=30, blank=True)
    progress = models.FloatField(default=0.0)
    rows = models.PositiveBigIntegerField(default=0)
    # In the language of whoever started the job, and in each site language (see
    # datasets.ingest.errors): `error_message` is the one to show.
    error = models.TextField(blank=True)
    error_translations = models.JSONField(default=dict, blank=True)
    error_code = models.CharField(max_length=50, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=10, default="upload")  # upload | url | refresh | rerun
    options = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    version = models.ForeignKey(
        ResourceVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Two identical jobs (same resource, same file) never run side by side.
            models.UniqueConstraint(
                fields=["resource", "sha256"],
                condition=Q(status__in=["queued", "running"]) & ~Q(sha256=""),
                name="one_active_job_per_resource_file",
            )
        ]

    def __str__(self) -> str:
        return f"ingest {self.resource_id} {self.status}"

    @property
    def error_message(self) -> str:
        """The error in the active language when the job kept it in that language."""
        return in_language(self.error, self.error_translations)


class HarvestSource(models.Model):
    """A remote CKAN portal or DCAT catalog whose datasets an organization imports."""

    class Kind(models.TextChoices):
        CKAN = "ckan", _("CKAN Action API")
        DCAT = "dcat", _("DCAT catalog (JSON-LD or data.json)")

    organization = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="harvest_sources",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CKAN)
    url = models.URLField(
        _("address"),
        max_length=1000,
        help_text=_("The portal's base address (CKAN) or the catalog file's address (DCAT)."),
    )
    remote_organization = models.CharField(
        _("only this remote organization"),
        max_length=200,
        blank=True,
        help_text=_("CKAN only: the remote organization's short name. Empty: every dataset."),
    )
    ingest_files = models.BooleanField(
        _("load data files"),
        default=True,
        help_text=_("Queue CSV and spreadsheet files for loading into queryable tables."),
    )
    active = models.BooleanField(_("harvest on schedule"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("harvest source")
        verbose_name_plural = _("harvest sources")
        constraints = [
            models.UniqueConstraint(fields=["organization", "url"], name="one_source_per_org_url")
        ]

    def __str__(self) -> str:
        return self.name


class HarvestRecord(models.Model):
    """Which local dataset a remote dataset became: re-harvests update it, never duplicate."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="records")
    remote_id = models.CharField(max_length=300)
    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="harvest_record")
    remote_modified = models.CharField(max_length=50, blank=True)
    # remote resource id (or URL when the remote has no ids) -> local Resource id
    resource_ids = models.JSONField(default=dict, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "remote_id"], name="one_record_per_remote_id")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.remote_id}"


class HarvestRun(models.Model):
    """One harvest of a source and its report."""

    class Status(models.TextChoices):
        RUNNING = "running", pgettext_lazy("job status", "Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        PARTIAL = "partial", _("Finished with errors")
        FAILED = "failed", _("Failed")

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    archived = models.PositiveIntegerField(default=0)
    # [{"remote_id": ..., "message": ...}] in the words shown to the official
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("harvest run")
        verbose_name_plural = _("harvest runs")

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


from datasets.datastore.charts import SavedChart  # noqa: E402, F401  (issue 5: saved charts)
