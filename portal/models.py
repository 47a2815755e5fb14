from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

slug_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{1,99}$",
    _("Use 2-100 lowercase letters, digits, '-' or '_', starting with a letter or digit."),
)


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Deadlines and times are shown in this zone. Empty: the site's zone."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("E-mails to you are written in it. Empty: the site's language."),
    )

    def __str__(self) -> str:
        return self.display_name or self.username


class OrganizationQuerySet(models.QuerySet):
    def cities(self):
        return self.filter(kind=Organization.Kind.CITY)

    def publishers(self):
        return self.filter(kind__in=[Organization.Kind.CITY, Organization.Kind.AGENCY])


class Organization(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("City")
        AGENCY = "agency", _("Agency")
        COMPANY = "company", _("Company or startup")
        UNIVERSITY = "university", _("University")
        CIVIC = "civic", _("Civic group")

    slug = models.SlugField(
        _("short name"), max_length=100, unique=True, validators=[slug_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.AGENCY)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("An agency belongs to its city."),
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organizations"
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organization_detail", kwargs={"slug": self.slug})

    @property
    def city(self) -> "Organization | None":
        """The city this organization belongs to (itself for a city)."""
        org = self
        for _depth in range(10):  # parents form a short chain; guard against cycles
            if org.kind == self.Kind.CITY:
                return org
            if org.parent is None:
                return None
            org = org.parent
        return None


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        EDITOR = "editor", _("Editor")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")
        ]
        ordering = ["organization__slug", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class ApiKey(models.Model):
    """What django-rest-knox's token does not hold: the name its owner gave it, and when a
    program last used it (recorded at most once a minute: portal.auth)."""

    token = models.OneToOneField(
        "knox.AuthToken", on_delete=models.CASCADE, primary_key=True, related_name="details"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    def __str__(self) -> str:
        return self.name
