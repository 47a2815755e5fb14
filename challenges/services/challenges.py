"""Creating, publishing and moving challenges through their lifecycle; rounds and deadlines.

published -> open -> closed follow the rounds' times on the server clock
(`challenge_sync_status`, run by celery beat and at request time). The later stages
(judging, results, pilot) are the organizers' decisions.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges import permissions
from challenges.judging.models import Assignment
from challenges.markdown import check_markdown
from challenges.models import Challenge, DeadlineExtension, Round
from challenges.services.notifications import challenge_notify
from challenges.timing import format_deadline

TIME_DRIVEN = (Challenge.Status.PUBLISHED, Challenge.Status.OPEN, Challenge.Status.CLOSED)
MANUAL_NEXT = {
    Challenge.Status.CLOSED: Challenge.Status.JUDGING,
    Challenge.Status.JUDGING: Challenge.Status.RESULTS,
    Challenge.Status.RESULTS: Challenge.Status.PILOT,
}
MARKDOWN_FIELDS = [
    f"{name}_{lang}"
    for name in (
        "problem",
        "context",
        "expected_outcomes",
        "constraints",
        "success_measures",
        "prizes",
        "eligibility",
        "rules",
    )
    for lang in ("zh_hant", "en")
]
EDITABLE_FIELDS = {
    *(f"{name}_{lang}" for name in ("title", "summary") for lang in ("zh_hant", "en")),
    *MARKDOWN_FIELDS,
    "slug",
    "prize_money",
    "prize_currency",
    "offers_pilot",
    "offers_mentoring",
    "allow_individuals",
    "allow_companies",
    "residents_only",
    "min_team_size",
    "max_team_size",
    "max_entries_per_round",
    "contact_name",
    "contact_email",
    "private",
}
M2M_FIELDS = {"datasets", "themes", "tags"}


def _refuse(user, action: str, target, message: str):
    permissions.log_refusal(user, action, target)
    raise PermissionDenied(message)


def _apply_fields(challenge: Challenge, fields: dict) -> list:
    unknown = set(fields) - EDITABLE_FIELDS - M2M_FIELDS
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    for name in MARKDOWN_FIELDS:
        if name in fields:
            check_markdown(fields[name], field=name)
    m2m = {}
    for name, value in fields.items():
        if name in M2M_FIELDS:
            m2m[name] = value
        else:
            setattr(challenge, name, value)
    challenge.full_clean(exclude=["organization", "created_by"])
    return list(m2m.items())


@transaction.atomic
def challenge_create(*, organization, by, **fields) -> Challenge:
    if not permissions.posts_challenges(organization):
        _refuse(
            by,
            "challenge_create",
            organization,
            _("Only editors and admins of a city or agency can post challenges."),
        )
    if not permissions.can_create_challenge_for(by, organization):
        _refuse(
            by,
            "challenge_create",
            organization,
            _("Only editors and admins of %(org)s can post its challenges.")
            % {"org": organization},
        )
    challenge = Challenge(organization=organization, created_by=by)
    m2m = _apply_fields(challenge, fields)
    challenge.save()
    for name, value in m2m:
        getattr(challenge, name).set(value)
    return challenge


@transaction.atomic
def challenge_update(*, challenge: Challenge, by, **fields) -> Challenge:
    if not permissions.is_organizer(by, challenge):
        _refuse(
            by,
            "challenge_update",
            challenge,
            _("Only editors and admins of %(org)s can change this challenge.")
            % {"org": challenge.organization},
        )
    if "slug" in fields and fields["slug"] != challenge.slug and challenge.published_at:
        raise ValidationError({"slug": _("The short name cannot change once published.")})
    m2m = _apply_fields(challenge, fields)
    challenge.save()
    for name, value in m2m:
        getattr(challenge, name).set(value)
    return challenge


def _time_status(challenge: Challenge, now: datetime) -> str:
    rounds = list(challenge.rounds.all())
    if not rounds:
        return Challenge.Status.PUBLISHED
    if now < min(r.opens_at for r in rounds):
        return Challenge.Status.PUBLISHED
    if now > max(r.closes_at for r in rounds):
        return Challenge.Status.CLOSED
    return Challenge.Status.OPEN


def challenge_sync_status(*, challenge: Challenge, now: datetime | None = None) -> Challenge:
    """Bring a published/open/closed challenge in line with its rounds and the clock.

    Idempotent: beat and page views may both call it; an extended deadline reopens a
    closed challenge the same way.
    """
    if challenge.status not in TIME_DRIVEN:
        return challenge
    status = _time_status(challenge, now or timezone.now())
    if status != challenge.status:
        Challenge.objects.filter(pk=challenge.pk, status=challenge.status).update(status=status)
        challenge.status = status
    return challenge


def challenges_sync_all(*, now: datetime | None = None) -> int:
    changed = 0
    for challenge in Challenge.objects.filter(status__in=TIME_DRIVEN).prefetch_related("rounds"):
        before = challenge.status
        if challenge_sync_status(challenge=challenge, now=now).status != before:
            changed += 1
    return changed


@transaction.atomic
def challenge_publish(*, challenge: Challenge, by) -> Challenge:
    if not permissions.can_publish_challenge(by, challenge):
        _refuse(
            by,
            "challenge_publish",
            challenge,
            _("Only an admin of %(org)s can publish this challenge.")
            % {"org": challenge.organization},
        )
    if challenge.status != Challenge.Status.DRAFT:
        raise ValidationError(_("Only a draft challenge can be published."))
    missing = [
        label
        for label, value in (
            (_("title"), challenge.title),
            (_("the problem"), challenge.problem),
        )
        if not value
    ]
    if missing:
        raise ValidationError(
            _("Fill in %(fields)s before publishing.") % {"fields": ", ".join(missing)}
        )
    if not challenge.rounds.exists():
        raise ValidationError(_("Add at least one round with its dates before publishing."))
    challenge.status = Challenge.Status.PUBLISHED
    challenge.published_at = timezone.now()
    challenge.save(update_fields=["status", "published_at", "updated_at"])
    return challenge_sync_status(challenge=challenge)


@transaction.atomic
def challenge_advance_stage(*, challenge: Challenge, by, to: str) -> Challenge:
    """closed -> judging -> results -> pilot, each step an organizer admin's decision."""
    if not permissions.can_publish_challenge(by, challenge):
        _refuse(
            by,
            "challenge_advance_stage",
            challenge,
            _("Only an admin of %(org)s can change the stage of this challenge.")
            % {"org": challenge.organization},
        )
    challenge_sync_status(challenge=challenge)
    if MANUAL_NEXT.get(challenge.status) != to:
        raise ValidationError(
            _("A challenge that is %(now)s cannot move to %(to)s.")
            % {
                "now": challenge.get_status_display(),
                "to": Challenge.Status(to).label if to in Challenge.Status.values else to,
            }
        )
    if to == Challenge.Status.RESULTS:
        # Rounds judged here have their results published first, so the stage never says
        # "results published" over an empty results page.
        unpublished = (
            challenge.rounds.filter(rubric__isnull=False)
            .exclude(result__published_at__isnull=False)
            .order_by("number")
            .first()
        )
        if unpublished is not None:
            raise ValidationError(
                _("Publish the results of %(round)s first.") % {"round": unpublished.title}
            )
    challenge.status = to
    update = ["status", "updated_at"]
    if to == Challenge.Status.RESULTS:
        challenge.results_published_at = timezone.now()
        update.append("results_published_at")
    challenge.save(update_fields=update)
    return challenge


@transaction.atomic
def round_create(
    *,
    challenge: Challenge,
    by,
    title_zh_hant: str = "",
    title_en: str = "",
    opens_at: datetime,
    closes_at: datetime,
    description_zh_hant: str = "",
    description_en: str = "",
) -> Round:
    if not permissions.is_organizer(by, challenge):
        _refuse(by, "round_create", challenge, _("Only the organizers can add rounds."))
    if challenge.status not in (Challenge.Status.DRAFT, *TIME_DRIVEN):
        raise ValidationError(_("Rounds cannot be added once judging has started."))
    if not (title_zh_hant or title_en):
        raise ValidationError({"title": _("Give the round a title.")})
    if opens_at >= closes_at:
        raise ValidationError({"closes_at": _("A round must close after it opens.")})
    last = challenge.rounds.order_by("-number").first()
    if last and opens_at < last.closes_at:
        raise ValidationError({"opens_at": _("A round must open after the previous round closes.")})
    round_ = Round.objects.create(
        challenge=challenge,
        number=(last.number + 1) if last else 1,
        title_zh_hant=title_zh_hant,
        title_en=title_en,
        description_zh_hant=description_zh_hant,
        description_en=description_en,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    challenge_sync_status(challenge=challenge)
    return round_


@transaction.atomic
def round_extend_deadline(
    *, round: Round, by, closes_at: datetime, reason: str = ""
) -> DeadlineExtension:
    """Move a round's closing time later; recorded, and followers and teams are told."""
    challenge = round.challenge
    if not permissions.is_organizer(by, challenge):
        _refuse(by, "round_extend_deadline", round, _("Only the organizers can move deadlines."))
    if closes_at <= round.closes_at:
        raise ValidationError(
            {"closes_at": _("The new deadline must be later than the current one.")}
        )
    judging = challenge.status not in (Challenge.Status.DRAFT, *TIME_DRIVEN)
    if judging or Assignment.objects.filter(submission__round=round).exists():
        # Reopening would let teams change entries that judges have already been given
        # (and at the judging stage no entry could use the new time anyway).
        raise ValidationError(
            {"closes_at": _("Judging of this round has started: its deadline can no longer move.")}
        )
    following = challenge.rounds.filter(number__gt=round.number).order_by("number").first()
    if following and closes_at > following.opens_at:
        raise ValidationError(
            {"closes_at": _("The new deadline must be before the next round opens.")}
        )
    extension = DeadlineExtension.objects.create(
        round=round, old_closes_at=round.closes_at, new_closes_at=closes_at, reason=reason, by=by
    )
    round.closes_at = closes_at
    round.save(update_fields=["closes_at"])
    challenge_sync_status(challenge=challenge)
    if challenge.status != Challenge.Status.DRAFT:

        def render():
            body = _("The deadline of %(round)s is now %(deadline)s.") % {
                "round": round.title,
                "deadline": format_deadline(closes_at, None),
            }
            return _("Deadline extended"), body + (f"\n\n{reason}" if reason else "")

        challenge_notify(challenge=challenge, render=render)
    return extension


@transaction.atomic
def challenge_invite_user(*, challenge: Challenge, by, user) -> None:
    if not permissions.is_organizer(by, challenge):
        _refuse(by, "challenge_invite_user", challenge, _("Only the organizers can invite."))
    challenge.invited_users.add(user)
