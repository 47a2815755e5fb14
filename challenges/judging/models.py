"""Judging data: rubrics, judges, conflicts, assignments, scores, results, votes and pilots.

Imported from challenges/models.py, so these models belong to the `challenges` app.
Every write goes through challenges/judging/services.py.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Floor
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

__all__ = [
    "Assignment",
    "Award",
    "ConflictOfInterest",
    "Criterion",
    "Judge",
    "JudgeInvitation",
    "Measure",
    "Milestone",
    "PeoplesChoice",
    "Pilot",
    "PilotUpdate",
    "Result",
    "Rubric",
    "Score",
    "Vote",
]


class Rubric(models.Model):
    """How one round is judged: criteria on a common scale plus the panel's settings.

    Criteria, scale and weights are frozen once the first score is saved, so every judge
    marks the same rubric.
    """

    class Method(models.TextChoices):
        NORMALISED = "normalised", _("Normalised (corrects harsh and lenient judges)")
        RAW = "raw", _("Raw weighted mean")

    round = models.OneToOneField(
        "challenges.Round", on_delete=models.CASCADE, related_name="rubric"
    )
    scale_min = models.DecimalField(_("lowest score"), max_digits=4, decimal_places=1, default=1)
    scale_max = models.DecimalField(_("highest score"), max_digits=4, decimal_places=1, default=5)
    step = models.DecimalField(
        _("score step"),
        max_digits=2,
        decimal_places=1,
        default=Decimal("1"),
        choices=[(Decimal("1"), _("Whole points")), (Decimal("0.5"), _("Half points"))],
    )
    judges_per_entry = models.PositiveSmallIntegerField(
        _("judges per entry"),
        null=True,
        blank=True,
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: every judge scores every entry."),
    )
    blind = models.BooleanField(
        _("blind judging"), default=False, help_text=_("Judges do not see team names or members.")
    )
    hide_links = models.BooleanField(
        _("hide links in blind mode"),
        default=True,
        help_text=_("Repository, demo and video links can reveal who made the entry."),
    )
    method = models.CharField(
        _("ranking method"), max_length=12, choices=Method.choices, default=Method.NORMALISED
    )
    tie_margin = models.DecimalField(
        _("tie margin"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.02"),
        validators=[MinValueValidator(0)],
        help_text=_("Entries this close (in rubric points) are flagged as ties for the panel."),
    )
    frozen_at = models.DateTimeField(_("scoring started"), null=True, blank=True)
    locked_at = models.DateTimeField(_("judging locked"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_min__lt=F("scale_max")), name="rubric_scale_range"
            ),
            models.CheckConstraint(condition=Q(step__in=[1, 0.5]), name="rubric_step"),
        ]

    def __str__(self) -> str:
        return str(self.round)

    @property
    def scale(self) -> tuple[float, float]:
        return float(self.scale_min), float(self.scale_max)


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    guidance = models.TextField(
        _("guidance for judges"), blank=True, help_text=_("What a low and a high score mean.")
    )
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=1)
    order = models.PositiveSmallIntegerField(default=0)
    # Kept as scores are: an edited wording or weight says who changed it, and from what.
    history = HistoricalRecords()

    class Meta:
        ordering = ["rubric", "order", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.UniqueConstraint(fields=["rubric", "name"], name="one_criterion_name"),
        ]

    def __str__(self) -> str:
        return self.name


def _token() -> str:
    return secrets.token_urlsafe(32)


class JudgeInvitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        CANCELLED = "cancelled", _("Cancelled")

    challenge = models.ForeignKey(
        "challenges.Challenge", on_delete=models.CASCADE, related_name="judge_invitations"
    )
    email = models.EmailField(_("e-mail"))
    token = models.CharField(max_length=64, unique=True, default=_token)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} -> {self.challenge}"


class JudgeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Judge.Status.ACTIVE)


class Judge(models.Model):
    """A member of a challenge's panel (need not belong to the organizing organization)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    challenge = models.ForeignKey(
        "challenges.Challenge", on_delete=models.CASCADE, related_name="judges"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judge_roles"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Entries stay hidden until the judge has said whom they have a conflict with.
    conflicts_declared_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = JudgeQuerySet.as_manager()

    class Meta:
        ordering = ["challenge", "created_at", "pk"]
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="one_judge_per_challenge")
        ]

    def __str__(self) -> str:
        return str(self.user)


class ConflictOfInterest(models.Model):
    """A judge's conflict with a team, a company (all its teams) or a person (their teams)."""

    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="conflicts")
    team = models.ForeignKey(
        "challenges.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    company = models.ForeignKey(
        "portal.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["judge", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False)
                | Q(company__isnull=False)
                | Q(person__isnull=False),
                name="conflict_names_someone",
            )
        ]

    def __str__(self) -> str:
        return f"{self.judge}: {self.team or self.company or self.person}"


class AssignmentQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=Assignment.Status.SUBMITTED)


class Assignment(models.Model):
    """One judge's work on one entry; its status says whether the scores are final."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("To score")
        DRAFT = "draft", _("Draft saved")
        SUBMITTED = "submitted", _("Submitted")

    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="assignments")
    submission = models.ForeignKey(
        "challenges.Submission", on_delete=models.CASCADE, related_name="judge_assignments"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    comment = models.TextField(_("overall comment"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["judge", "submission"]
        constraints = [
            models.UniqueConstraint(fields=["judge", "submission"], name="one_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.judge} / {self.submission}"


class Score(models.Model):
    """One criterion's score. The rubric's scale is copied onto the row so the database
    itself refuses out-of-range or off-step values."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    # Criteria cannot be removed once scoring starts (services), so cascading only clears demos.
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.DecimalField(_("score"), max_digits=4, decimal_places=1)
    comment = models.TextField(_("comment"), blank=True)
    scale_min = models.DecimalField(max_digits=4, decimal_places=1)
    scale_max = models.DecimalField(max_digits=4, decimal_places=1)
    step = models.DecimalField(max_digits=2, decimal_places=1)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["assignment", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="one_score"),
            models.CheckConstraint(
                condition=Q(value__gte=F("scale_min"), value__lte=F("scale_max")),
                name="score_in_range",
            ),
            models.CheckConstraint(
                condition=Exact(
                    Floor((F("value") - F("scale_min")) / F("step")),
                    (F("value") - F("scale_min")) / F("step"),
                ),
                name="score_on_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class Result(models.Model):
    """The panel's result for a round; frozen into `snapshot` when published."""

    round = models.OneToOneField(
        "challenges.Round", on_delete=models.CASCADE, related_name="result"
    )
    # Entries the panel placed by hand inside tie groups, best first.
    tie_order = models.JSONField(default=list, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    snapshot = models.JSONField(default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return str(self.round)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Award(models.Model):
    """What the panel says about one entry: placing, prize, feedback to the team."""

    class Kind(models.TextChoices):
        NONE = "", _("No award")
        WINNER = "winner", _("Winner")
        RUNNER_UP = "runner_up", _("Runner-up")
        MENTION = "mention", _("Honourable mention")

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="awards")
    submission = models.ForeignKey(
        "challenges.Submission", on_delete=models.CASCADE, related_name="awards"
    )
    kind = models.CharField(_("award"), max_length=10, choices=Kind.choices, blank=True)
    prize = models.CharField(_("prize"), max_length=200, blank=True)
    feedback = models.TextField(_("feedback to the team"), blank=True)

    class Meta:
        ordering = ["result", "submission"]
        constraints = [
            models.UniqueConstraint(fields=["result", "submission"], name="one_award_per_entry")
        ]

    def __str__(self) -> str:
        return f"{self.submission}: {self.kind}"


class PeoplesChoice(models.Model):
    """An optional public vote on a challenge's entries, open for a window."""

    challenge = models.OneToOneField(
        "challenges.Challenge", on_delete=models.CASCADE, related_name="peoples_choice"
    )
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=F("closes_at")), name="vote_opens_before_close"
            )
        ]

    def __str__(self) -> str:
        return str(self.challenge)

    def is_open(self, now=None) -> bool:
        """Open from `opens_at` up to and including `closes_at` (server clock), as a round."""
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at


class Vote(models.Model):
    """People's choice: one vote per verified user per challenge, apart from the jury."""

    challenge = models.ForeignKey(
        "challenges.Challenge", on_delete=models.CASCADE, related_name="votes"
    )
    submission = models.ForeignKey(
        "challenges.Submission", on_delete=models.CASCADE, related_name="votes"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="one_vote_per_challenge")
        ]

    def __str__(self) -> str:
        return f"{self.user} -> {self.submission}"


class PilotQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public=True)


class Pilot(models.Model):
    """A winning solution tried out with a host agency, tracked in public."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        SCALED_UP = "scaled_up", _("Scaled up")
        STOPPED = "stopped", _("Stopped")

    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    challenge = models.ForeignKey(
        "challenges.Challenge",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pilots",
    )
    submission = models.ForeignKey(
        "challenges.Submission",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pilots",
    )
    host_agency = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("host agency"),
        on_delete=models.PROTECT,
        related_name="hosted_pilots",
    )
    site = models.CharField(_("site"), max_length=300, blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="TWD", blank=True)
    support = models.TextField(_("support provided"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    datasets = models.ManyToManyField(
        "datasets.Dataset", verbose_name=_("datasets used"), blank=True, related_name="pilots"
    )
    public = models.BooleanField(_("shown in public"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PilotQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(starts_on__lte=F("ends_on")),
                name="pilot_starts_before_end",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pilot_detail", kwargs={"slug": self.slug})


class Milestone(models.Model):
    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=300)
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_on = models.DateField(_("done"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)

    class Meta:
        ordering = ["pilot", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class Measure(models.Model):
    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="measures")
    name = models.CharField(_("measure"), max_length=200)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    actual = models.DecimalField(
        _("actual"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["pilot", "pk"]

    def __str__(self) -> str:
        return self.name


class PilotUpdate(models.Model):
    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="updates")
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pilot", "-published_at"]

    def __str__(self) -> str:
        return self.title
