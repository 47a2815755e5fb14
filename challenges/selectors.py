"""Reads: what each viewer may see of challenges, entries and questions."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from challenges import permissions
from challenges.models import Challenge, Question, Submission, Team
from challenges.services.challenges import TIME_DRIVEN, challenge_sync_status

PRIZE_TYPES = ("money", "pilot", "mentoring")


def challenge_list(*, user, filters: dict | None = None) -> QuerySet[Challenge]:
    """Visible challenges; filters: status, city (slug), organization (slug), theme (slug),
    prize (money|pilot|mentoring), q (words in the title or summary)."""
    filters = filters or {}
    qs = Challenge.objects.visible_to(user).select_related("organization")
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if city := filters.get("city"):
        qs = qs.filter(
            Q(organization__slug=city, organization__kind="city")
            | Q(organization__parent__slug=city)
        )
    if organization := filters.get("organization"):
        qs = qs.filter(organization__slug=organization)
    if theme := filters.get("theme"):
        qs = qs.filter(themes__slug=theme)
    prize = filters.get("prize")
    if prize == "money":
        qs = qs.filter(prize_money__gt=0)
    elif prize == "pilot":
        qs = qs.filter(offers_pilot=True)
    elif prize == "mentoring":
        qs = qs.filter(offers_mentoring=True)
    if words := (filters.get("q") or "").strip():
        qs = qs.filter(
            Q(title_zh_hant__icontains=words)
            | Q(title_en__icontains=words)
            | Q(summary_zh_hant__icontains=words)
            | Q(summary_en__icontains=words)
        )
    return qs.prefetch_related("rounds", "themes").distinct()


def challenge_get(*, user, slug: str) -> Challenge:
    """The challenge if `user` may see it (404 otherwise, so drafts and private ones do not
    reveal that they exist), with its time-driven status brought up to date."""
    challenge = (
        Challenge.objects.select_related("organization", "organization__parent")
        .filter(slug=slug)
        .first()
    )
    if challenge is None or not permissions.can_view_challenge(user, challenge):
        if challenge is not None:
            permissions.log_refusal(user, "challenge_view", challenge)
        raise Http404
    if challenge.status in TIME_DRIVEN:
        challenge_sync_status(challenge=challenge)
    return challenge


def challenge_datasets(*, challenge: Challenge, user):
    return challenge.datasets.visible_to(user).select_related("organization")


def user_team(*, challenge: Challenge, user) -> Team | None:
    if user is None or not user.is_authenticated:
        return None
    return challenge.teams.filter(memberships__user=user).first()


def submissions_visible(*, challenge: Challenge, user) -> QuerySet[Submission]:
    """The team sees its own (drafts included), organizers every submitted entry,
    everyone else the showcased ones."""
    qs = Submission.objects.filter(round__challenge=challenge).select_related(
        "team", "round", "team__company"
    )
    if permissions.is_organizer(user, challenge):
        visible = ~Q(status=Submission.Status.DRAFT)
    else:
        visible = Q(status=Submission.Status.SUBMITTED, showcased=True)
    if user is not None and user.is_authenticated:
        visible |= Q(team__memberships__user=user)
    return qs.filter(visible).distinct().order_by("round__number", "team__name", "pk")


def submission_get(*, user, pk: int, challenge: Challenge | None = None) -> Submission:
    submission = (
        Submission.objects.select_related("team", "round", "round__challenge").filter(pk=pk).first()
    )
    if (
        submission is None
        or (challenge is not None and submission.round.challenge_id != challenge.pk)
        or not permissions.can_view_submission(user, submission)
    ):
        if submission is not None:
            permissions.log_refusal(user, "submission_view", submission)
        raise Http404
    return submission


def showcase(*, challenge: Challenge) -> QuerySet[Submission]:
    return (
        Submission.objects.showcased()
        .filter(round__challenge=challenge)
        .select_related("team", "round", "team__company")
        .order_by("round__number", "team__name")
    )


def questions_visible(*, challenge: Challenge, user) -> QuerySet[Question]:
    qs = challenge.questions.select_related("answer", "duplicate_of", "asked_by")
    if permissions.is_organizer(user, challenge):
        return qs
    shown = ~Q(status=Question.Status.OPEN)
    if user is not None and user.is_authenticated:
        shown |= Q(asked_by=user)
    return qs.filter(shown)


def challenges_for_dataset(*, dataset, user) -> QuerySet[Challenge]:
    return (
        Challenge.objects.visible_to(user).filter(datasets=dataset).select_related("organization")
    )


def solutions_for_dataset(*, dataset, user) -> QuerySet[Submission]:
    """Showcased entries that say they use `dataset`, in challenges the viewer may see."""
    challenges = Challenge.objects.visible_to(user).values("pk")
    return (
        Submission.objects.showcased()
        .filter(datasets=dataset, round__challenge__in=challenges)
        .select_related("team", "round__challenge")
    )


def open_challenges(*, user, organization=None) -> QuerySet[Challenge]:
    qs = Challenge.objects.visible_to(user).filter(
        status__in=[Challenge.Status.PUBLISHED, Challenge.Status.OPEN]
    )
    if organization is not None:
        qs = qs.filter(Q(organization=organization) | Q(organization__parent=organization))
    return qs.select_related("organization").prefetch_related("rounds")


def workspace_challenges(*, user) -> QuerySet[Challenge]:
    from portal import permissions as portal_permissions
    from portal.models import Membership

    org_ids = portal_permissions.organizations_where(user, Membership.Role.EDITOR)
    qs = (
        Challenge.objects.all()
        if user.is_superuser
        else Challenge.objects.filter(organization_id__in=org_ids)
    )
    return qs.select_related("organization").annotate(
        entry_count=Count("rounds__submissions", filter=~Q(rounds__submissions__status="draft"))
    )


def team_detail(*, challenge: Challenge, team_slug: str) -> Team:
    team = (
        challenge.teams.filter(slug=team_slug)
        .select_related("company")
        .prefetch_related(Prefetch("memberships", to_attr="member_list"))
        .first()
    )
    if team is None:
        raise Http404
    return team
