"""Challenges: problem statements, rounds, teams, submissions, Q&A and announcements.

Judging (rubrics, scores, results, pilots) lives in challenges/judging/ and builds on
Round, Team and Submission.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import permissions
from portal.models import Membership, slug_validator


class ChallengeQuerySet(models.QuerySet):
    def listed(self):
        """Public challenges past the draft stage: what anonymous visitors see."""
        return self.exclude(status=Challenge.Status.DRAFT).filter(private=False)

    def visible_to(self, user):
        """Listed challenges, private ones the user was invited to or takes part in, and
        every challenge (drafts included) of the organizations the user belongs to."""
        if user is not None and user.is_authenticated and user.is_superuser:
            return self
        visible = Q(private=False) & ~Q(status=Challenge.Status.DRAFT)
        if user is not None and user.is_authenticated:
            visible |= ~Q(status=Challenge.Status.DRAFT) & (
                Q(invited_users=user) | Q(teams__memberships__user=user)
            )
            org_ids = permissions.organizations_where(user, Membership.Role.MEMBER)
            if org_ids:
                visible |= Q(organization_id__in=org_ids)
        return self.filter(visible).distinct()


class Challenge(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published: questions open")
        OPEN = "open", _("Open for submissions")
        CLOSED = "closed", _("Closed")
        JUDGING = "judging", pgettext_lazy("challenge phase", "Judging")
        RESULTS = "results", _("Results published")
        PILOT = "pilot", pgettext_lazy("challenge phase", "Pilot")

    organization = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("organizer"),
        on_delete=models.PROTECT,
        related_name="challenges",
    )
    slug = models.SlugField(
        _("short name"), max_length=100, unique=True, validators=[slug_validator]
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), max_length=600, blank=True)
    problem = models.TextField(
        _("the problem"), help_text=_("The problem in plain language (Markdown).")
    )
    context = models.TextField(_("context and who is affected"), blank=True)
    expected_outcomes = models.TextField(_("expected outcomes"), blank=True)
    constraints = models.TextField(_("constraints"), blank=True)
    success_measures = models.TextField(_("how success is measured"), blank=True)
    prizes = models.TextField(_("prizes and support"), blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    rules = models.TextField(_("rules"), blank=True)

    prize_money = models.DecimalField(
        _("prize money"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    prize_currency = models.CharField(_("currency"), max_length=3, default="TWD", blank=True)
    offers_pilot = models.BooleanField(_("pilot opportunity"), default=False)
    offers_mentoring = models.BooleanField(_("mentoring"), default=False)

    allow_individuals = models.BooleanField(_("individuals may take part"), default=True)
    allow_companies = models.BooleanField(_("companies and startups may take part"), default=True)
    residents_only = models.BooleanField(_("residents only"), default=False)
    min_team_size = models.PositiveSmallIntegerField(
        _("smallest team"), default=1, validators=[MinValueValidator(1)]
    )
    max_team_size = models.PositiveSmallIntegerField(
        _("largest team"), default=5, validators=[MinValueValidator(1)]
    )
    max_entries_per_round = models.PositiveSmallIntegerField(
        _("entries per team per round"), default=1, validators=[MinValueValidator(1)]
    )

    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)

    datasets = models.ManyToManyField(
        "datasets.Dataset", verbose_name=_("linked datasets"), blank=True, related_name="challenges"
    )
    themes = models.ManyToManyField(
        "datasets.Theme", verbose_name=_("themes"), blank=True, related_name="challenges"
    )
    tags = models.ManyToManyField(
        "datasets.Tag", verbose_name=_("tags"), blank=True, related_name="challenges"
    )

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    private = models.BooleanField(
        _("invite only"),
        default=False,
        help_text=_("Only invited people and the organizers can see it."),
    )
    invited_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="challenge_invitations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    results_published_at = models.DateTimeField(null=True, blank=True)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_team_size__lte=models.F("max_team_size")),
                name="challenge_team_size_range",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenge_detail", kwargs={"slug": self.slug})


class Round(models.Model):
    """A stage of a challenge (ideas, prototypes...) with its own submission window."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))

    class Meta:
        ordering = ["challenge", "number"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "number"], name="one_round_number"),
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")), name="round_opens_before_close"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.challenge} – {self.title}"

    def is_open(self, now=None) -> bool:
        """Open from `opens_at` up to and including `closes_at` (server clock)."""
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at

    def previous(self) -> "Round | None":
        return self.challenge.rounds.filter(number__lt=self.number).order_by("-number").first()


class DeadlineExtension(models.Model):
    """A recorded change of a round's closing time."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="extensions")
    old_closes_at = models.DateTimeField()
    new_closes_at = models.DateTimeField()
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "created_at"]

    def __str__(self) -> str:
        return f"{self.round}: {self.old_closes_at} -> {self.new_closes_at}"


class Team(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("team name"), max_length=150)
    slug = models.SlugField(_("short name"), max_length=100)
    description = models.TextField(_("about the team"), blank=True)
    company = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("company represented"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="challenge_teams",
        help_text=_("A registered company or startup the team represents."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMembership", related_name="challenge_teams"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["challenge", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "slug"], name="one_team_slug"),
            models.UniqueConstraint(fields=["challenge", "name"], name="one_team_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("team_detail", kwargs={"slug": self.challenge.slug, "team_slug": self.slug})


class TeamMembership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Team lead")
        MEMBER = "member", _("Member")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "joined_at"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_team_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="team_invitations",
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email or self.user} -> {self.team}"


class SubmissionQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=Submission.Status.SUBMITTED)

    def showcased(self):
        return self.filter(status=Submission.Status.SUBMITTED, showcased=True)


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", pgettext_lazy("entry status", "Withdrawn")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="submissions")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="submissions")
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    description = models.TextField(_("full description (Markdown)"), blank=True)
    repository_url = models.URLField(_("source code repository"), max_length=500, blank=True)
    demo_url = models.URLField(_("demo"), max_length=500, blank=True)
    video_url = models.URLField(_("video"), max_length=500, blank=True)
    datasets = models.ManyToManyField(
        "datasets.Dataset", verbose_name=_("datasets used"), blank=True, related_name="submissions"
    )
    technology_readiness = models.PositiveSmallIntegerField(
        _("technology readiness level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("1 (basic idea) to 9 (proven in operation)."),
    )
    pilot_needs = models.TextField(_("what the team needs for a pilot"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    showcased = models.BooleanField(
        _("shown in the public showcase"), default=False, help_text=_("Decided by the organizers.")
    )
    advanced = models.BooleanField(
        _("advanced to the next round"), default=False, help_text=_("Decided by the organizers.")
    )
    advanced_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    rules_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rules_accepted_at = models.DateTimeField(_("rules accepted"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["round", "-submitted_at", "-updated_at"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "submission_detail", kwargs={"slug": self.round.challenge.slug, "pk": self.pk}
        )

    @property
    def challenge(self) -> Challenge:
        return self.round.challenge


class SubmissionVersion(models.Model):
    """A frozen copy of a submission each time it is submitted."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    description = models.TextField(blank=True)
    repository_url = models.URLField(max_length=500, blank=True)
    demo_url = models.URLField(max_length=500, blank=True)
    video_url = models.URLField(max_length=500, blank=True)
    technology_readiness = models.PositiveSmallIntegerField(null=True, blank=True)
    pilot_needs = models.TextField(blank=True)
    # [dataset id, ...] and [{"id", "name", "size", "sha256"}, ...] at submission time.
    dataset_ids = models.JSONField(default=list, blank=True)
    attachments = models.JSONField(default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["submission", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "number"], name="one_submission_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission} v{self.number}"


class Attachment(models.Model):
    """A file attached to a submission (private) or to a challenge (public resource).

    Stored outside any public URL; served only through a permission-checked view.
    """

    challenge = models.ForeignKey(
        Challenge, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="challenge-files/%Y/%m/", max_length=500)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(challenge__isnull=False, submission__isnull=True)
                | Q(challenge__isnull=True, submission__isnull=False),
                name="attachment_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for an answer")
        ANSWERED = "answered", _("Answered")
        MERGED = "merged", _("Duplicate")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("question"), max_length=4000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["challenge", "created_at"]

    def __str__(self) -> str:
        return self.text[:80]


class Answer(models.Model):
    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="answer")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("answer"))
    is_clarification = models.BooleanField(
        _("clarification of the rules"),
        default=False,
        help_text=_("Changes or explains the rules; participants are told by e-mail."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.text[:80]


class Announcement(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="announcements")
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["challenge", "-created_at"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.title


class Follow(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="one_follow_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.challenge}"


from challenges.judging.models import *  # noqa: E402, F403 (judging models, challenges/judging/)
