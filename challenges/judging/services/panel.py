"""Setting up a round's judging: rubric, judges, conflicts of interest and assignments."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import MaxLengthValidator, validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname
from modeltranslation.utils import get_language as active_language

from challenges.judging import assignment as planner
from challenges.judging.models import (
    Assignment,
    ConflictOfInterest,
    Criterion,
    Judge,
    JudgeInvitation,
    Result,
    Rubric,
)
from challenges.judging.permissions import refuse, require_organizer, security_log
from challenges.judging.services.texts import (
    LANGUAGES,
    per_language,
    texts_set,
    translated_texts,
)
from challenges.models import Submission
from challenges.timing import format_deadline
from portal.mail import language_of

# What the rubric's and criteria's decimal columns hold: (largest value, decimal places).
SCALE_LIMIT = (Decimal("999.9"), 1)
TIE_MARGIN_LIMIT = (Decimal("99.99"), 2)
WEIGHT_LIMIT = (Decimal("999.99"), 2)
MAX_JUDGES_PER_ENTRY = 100
CRITERION_TEXTS = ("name", "description", "guidance")


def _ensure_not_frozen(rubric: Rubric) -> None:
    if rubric.frozen_at is not None:
        raise ValidationError(_("Scoring has started: the rubric can no longer be changed."))


def _ensure_results_open(round_) -> None:
    if Result.objects.filter(round=round_, published_at__isnull=False).exists():
        raise ValidationError(_("The results are published and can no longer change."))


def ensure_round_closed(round_, by) -> None:
    """Entries are judged only once their team can no longer change them (server clock)."""
    if timezone.now() <= round_.closes_at:
        raise ValidationError(
            _("Judging starts when %(round)s closes, on %(deadline)s.")
            % {"round": round_.title, "deadline": format_deadline(round_.closes_at, by)}
        )


def _number(value, *, field: str, limit: tuple[Decimal, int], low: Decimal) -> Decimal:
    """`value` as a Decimal the column can hold, or a ValidationError naming `field`
    (a value the database would overflow or round away was a server error before)."""
    high, places = limit
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if (
        not number.is_finite()
        or not low <= number <= high
        or number != number.quantize(Decimal(1).scaleb(-places))
    ):
        raise ValidationError(
            {
                field: _(
                    "Enter a number from %(low)s to %(high)s with at most %(places)s decimals."
                )
                % {"low": low, "high": high, "places": places}
            }
        )
    return number


@transaction.atomic
def rubric_save(
    *,
    round,
    by,
    scale_min: Decimal | int = 1,
    scale_max: Decimal | int = 5,
    step: Decimal | str = "1",
    judges_per_entry: int | None = 3,
    blind: bool = False,
    hide_links: bool = True,
    method: str = Rubric.Method.NORMALISED,
    tie_margin: Decimal | str = "0.02",
) -> Rubric:
    """Create or change a round's rubric settings; the scale is fixed once scoring starts."""
    require_organizer(by, round.challenge, "rubric_save")
    scale_min = _number(scale_min, field="scale_min", limit=SCALE_LIMIT, low=-SCALE_LIMIT[0])
    scale_max = _number(scale_max, field="scale_max", limit=SCALE_LIMIT, low=-SCALE_LIMIT[0])
    tie_margin = _number(tie_margin, field="tie_margin", limit=TIE_MARGIN_LIMIT, low=Decimal(0))
    try:
        step = Decimal(str(step))
    except InvalidOperation:
        step = None
    if step not in (Decimal("1"), Decimal("0.5")):
        raise ValidationError({"step": _("Scores go in whole or half points.")})
    if judges_per_entry is not None and not (
        isinstance(judges_per_entry, int) and 1 <= judges_per_entry <= MAX_JUDGES_PER_ENTRY
    ):
        raise ValidationError(
            {
                "judges_per_entry": _("Choose from 1 to %(n)s judges per entry.")
                % {"n": MAX_JUDGES_PER_ENTRY}
            }
        )
    if method not in Rubric.Method.values:
        raise ValidationError({"method": _("Choose one of the listed ranking methods.")})
    rubric, _created = Rubric.objects.get_or_create(round=round)
    if rubric.frozen_at and (scale_min, scale_max, step) != (
        rubric.scale_min,
        rubric.scale_max,
        rubric.step,
    ):
        raise ValidationError(_("Scoring has started: the scale can no longer be changed."))
    if scale_min >= scale_max:
        raise ValidationError({"scale_max": _("The highest score must be above the lowest.")})
    rubric.scale_min, rubric.scale_max, rubric.step = scale_min, scale_max, step
    rubric.judges_per_entry = judges_per_entry
    rubric.blind = blind
    rubric.hide_links = hide_links
    rubric.method = method
    rubric.tie_margin = tie_margin
    rubric.save()
    return rubric


@transaction.atomic
def criterion_add(
    *,
    rubric: Rubric,
    by,
    name: str = "",
    weight: Decimal | int | str = 1,
    description: str = "",
    guidance: str = "",
    **translations: str,
) -> Criterion:
    """Add a criterion to the rubric. `name`, `description` and `guidance` are in the active
    language; `name_zh_hant`, `name_en`, `description_en`, ... give each language its own
    (a language left empty falls back to the other, as a challenge's texts do)."""
    require_organizer(by, rubric.round.challenge, "criterion_add")
    _ensure_not_frozen(rubric)
    texts = _localized(
        {"name": name, "description": description, "guidance": guidance}, translations
    )
    _check_names(rubric.criteria.all(), texts)
    criterion = Criterion(
        rubric=rubric, weight=_weight(weight), order=rubric.criteria.count(), **texts
    )
    criterion._history_user = by
    criterion.save()
    return criterion


def _weight(value) -> Decimal:
    try:
        weight = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({"weight": _("The weight must be a number.")}) from None
    if not weight.is_finite() or weight <= 0:
        raise ValidationError({"weight": _("The weight must be a number above zero.")})
    return _number(weight, field="weight", limit=WEIGHT_LIMIT, low=Decimal("0.01"))


def _check_names(others, texts: dict[str, str | None]) -> None:
    """A name in at least one language, each fitting its column and used by no other of
    the rubric's criteria (`others`) in that language."""
    names = {key: value for key, value in texts.items() if key.startswith("name_") and value}
    if not names:
        raise ValidationError({"name": _("Give the criterion a name.")})
    for value in names.values():
        try:
            MaxLengthValidator(Criterion._meta.get_field("name").max_length)(value)
        except ValidationError as error:
            raise ValidationError({"name": error.messages}) from None
    if any(others.filter(**{key: value}).exists() for key, value in names.items()):
        raise ValidationError({"name": _("This rubric already has a criterion with that name.")})


@transaction.atomic
def criterion_update(
    *,
    criterion: Criterion,
    by,
    weight: Decimal | int | str | None = None,
    **texts: str,
) -> Criterion:
    """Change a criterion in place, so judges keep scoring the same one. Its texts
    (name_zh_hant, name_en, description_*, guidance_*; a plain `name` is the active
    language's) may change at any time: a wording fix changes no score. Its weight only
    until scoring starts. A text not given is left as it is; one given empty falls back to
    the other language. Each change is kept in the criterion's history with who made it."""
    require_organizer(by, criterion.rubric.round.challenge, "criterion_update")
    unknown = set(texts) - set(per_language(*CRITERION_TEXTS))
    if unknown:
        raise TypeError(f"unexpected fields {sorted(unknown)}")
    # The rubric row is locked as scores_save locks it: no first score can slip in between
    # the check that scoring has not started and the new weight.
    rubric = Rubric.objects.select_for_update().get(pk=criterion.rubric_id)
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    texts_set(criterion, texts)
    names = {field: getattr(criterion, field) for field in translated_texts(Criterion)["name"]}
    _check_names(rubric.criteria.exclude(pk=criterion.pk), names)
    if weight is not None and str(weight).strip() != "":
        weight = _weight(weight)
        if weight != criterion.weight and rubric.frozen_at is not None:
            raise ValidationError(
                {"weight": _("Scoring has started: the weight can no longer be changed.")}
            )
        criterion.weight = weight
    criterion._history_user = by
    criterion.save()
    return criterion


def _localized(values: dict[str, str], translations: dict[str, str]) -> dict[str, str | None]:
    """Per-language fields from values in the active language plus any given per language
    (which win): {"name": "Impact"} under English -> {"name_en": "Impact", "name_zh_hant":
    None}. An empty language is None: it falls back to the other, and two criteria without
    a Chinese name do not collide in the per-language unique constraint.
    Unknown keyword arguments are a programming error, not user input."""
    allowed = {build_localized_fieldname(field, lang) for field in values for lang in LANGUAGES}
    unknown = set(translations) - allowed
    if unknown:
        raise TypeError(f"unexpected fields {sorted(unknown)}")
    active = active_language()
    texts = {}
    for field, value in values.items():
        for lang in LANGUAGES:
            key = build_localized_fieldname(field, lang)
            given = translations.get(key)
            if given is None and lang == active:
                given = value
            texts[key] = (given or "").strip() or None
    return texts


@transaction.atomic
def criterion_delete(*, criterion: Criterion, by) -> None:
    require_organizer(by, criterion.rubric.round.challenge, "criterion_delete")
    _ensure_not_frozen(criterion.rubric)
    criterion._history_user = by
    criterion.delete()


# Judges ---------------------------------------------------------------------------------


@transaction.atomic
def judge_invite(*, challenge, email: str, by) -> JudgeInvitation:
    """Invite someone by e-mail; they need not belong to the organization. An address
    already invited and not yet answering gets the same link again, not a second
    invitation; a judge of the challenge is not invited again."""
    require_organizer(by, challenge, "judge_invite")
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    try:
        MaxLengthValidator(JudgeInvitation._meta.get_field("email").max_length)(email)
    except ValidationError as error:
        raise ValidationError({"email": error.messages}) from None
    if challenge.judges.active().filter(user__email__iexact=email).exists():
        raise ValidationError(
            {"email": _("%(email)s already judges this challenge.") % {"email": email}}
        )
    invitation = challenge.judge_invitations.filter(
        status=JudgeInvitation.Status.PENDING, email__iexact=email
    ).first() or JudgeInvitation.objects.create(challenge=challenge, email=email, invited_by=by)
    link = settings.SITE_URL + reverse(
        "judge_invitation_accept", kwargs={"token": invitation.token}
    )
    # In the invitee's language when they have an account, else in the inviter's.
    known = get_user_model().objects.filter(email__iexact=email).first()
    with translation.override(language_of(known) if known else translation.get_language()):
        subject = _("You are invited to judge %(challenge)s") % {"challenge": challenge.title}
        body = _("Accept the invitation at %(link)s") % {"link": link}
    transaction.on_commit(lambda: send_mail(subject, body, None, [email], fail_silently=False))
    return invitation


@transaction.atomic
def judge_invitation_accept(*, invitation: JudgeInvitation, user) -> Judge:
    invitation = JudgeInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status == JudgeInvitation.Status.CANCELLED:
        raise ValidationError(_("This invitation was cancelled."))
    if invitation.status == JudgeInvitation.Status.ACCEPTED:
        # One invitation, one seat: a forwarded link must not seat someone else, and a
        # judge the organizers withdrew must not put themselves back on the panel.
        seated = Judge.objects.active().filter(challenge=invitation.challenge, user=user).first()
        if seated is not None:
            return seated  # the same judge following the link again
        security_log.warning(
            "judging refused: judge_invitation_reuse by %s on JudgeInvitation:%s",
            getattr(user, "username", None) or "anonymous",
            invitation.pk,
        )
        raise ValidationError(_("This invitation has already been used."))
    judge, _created = Judge.objects.get_or_create(challenge=invitation.challenge, user=user)
    if judge.status != Judge.Status.ACTIVE:
        judge.status = Judge.Status.ACTIVE
        judge.save(update_fields=["status"])
    invitation.status = JudgeInvitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_at"])
    return judge


@transaction.atomic
def judge_add(*, challenge, user, by) -> Judge:
    """Seat a user on the panel directly (an organizer who knows them)."""
    require_organizer(by, challenge, "judge_add")
    judge, _created = Judge.objects.get_or_create(challenge=challenge, user=user)
    if judge.status != Judge.Status.ACTIVE:
        judge.status = Judge.Status.ACTIVE
        judge.save(update_fields=["status"])
    return judge


def conflicted_submission_ids(judge: Judge) -> set[int]:
    """Entries the judge must not score: those of the teams, companies and people they
    declared, and always their own team's and their own company's, declared or not."""
    condition = Q(team__memberships__user_id=judge.user_id) | Q(
        team__company__memberships__user_id=judge.user_id
    )
    for conflict in judge.conflicts.all():
        if conflict.team_id:
            condition |= Q(team_id=conflict.team_id)
        if conflict.company_id:
            condition |= Q(team__company_id=conflict.company_id)
        if conflict.person_id:
            condition |= Q(team__memberships__user_id=conflict.person_id)
    return set(
        Submission.objects.filter(round__challenge_id=judge.challenge_id)
        .filter(condition)
        .values_list("pk", flat=True)
    )


def conflicted_pairs(challenge) -> set[tuple[int, int]]:
    """(judge id, submission id) pairs that must never be assigned."""
    pairs = set()
    for judge in Judge.objects.filter(challenge=challenge).prefetch_related("conflicts"):
        pairs |= {(judge.pk, sid) for sid in conflicted_submission_ids(judge)}
    return pairs


@transaction.atomic
def conflict_declare(
    *,
    judge: Judge,
    by,
    teams=(),
    companies=(),
    persons=(),
    reason: str = "",
) -> list[ConflictOfInterest]:
    """Record the judge's conflicts (by the judge, or an organizer on their behalf).

    Declaring, even "none", unlocks the judge's queue. Any assignment to a conflicted entry
    is removed with its scores (kept in the history).
    """
    from challenges.judging.permissions import is_organizer

    if by != judge.user and not is_organizer(by, judge.challenge):
        refuse(user=by, action="conflict_declare", target=judge)
    teams = list(teams)
    if any(team.challenge_id != judge.challenge_id for team in teams):
        raise ValidationError({"teams": _("Choose teams of this challenge.")})
    created = [
        ConflictOfInterest.objects.create(judge=judge, recorded_by=by, reason=reason, **fields)
        for fields in (
            [{"team": t} for t in teams]
            + [{"company": c} for c in companies]
            + [{"person": p} for p in persons]
        )
    ]
    if by == judge.user and judge.conflicts_declared_at is None:
        judge.conflicts_declared_at = timezone.now()
        judge.save(update_fields=["conflicts_declared_at"])
    conflicted = conflicted_submission_ids(judge)
    doomed = Assignment.objects.filter(judge=judge, submission_id__in=conflicted)
    for assignment in doomed.select_related("submission__round"):
        _ensure_results_open(assignment.submission.round)
        for score in assignment.scores.all():
            score._history_user = by
            score.delete()
        assignment._history_user = by
        assignment.delete()
    return created


# Assignment ------------------------------------------------------------------------------


def _entries(round_) -> list[int]:
    return list(
        Submission.objects.submitted()
        .filter(round=round_)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def assignments_generate(*, round, by) -> int:
    """Fill every entry up to the rubric's judges per entry (or all judges), keeping what is
    already assigned. Returns how many assignments were added."""
    require_organizer(by, round.challenge, "assignments_generate")
    rubric = Rubric.objects.get(round=round)
    if rubric.locked_at:
        raise ValidationError(_("Judging is locked."))
    ensure_round_closed(round, by)
    challenge = round.challenge
    entries = _entries(round)
    all_judges = list(Judge.objects.filter(challenge=challenge).order_by("pk"))
    active = {j.pk for j in all_judges if j.status == Judge.Status.ACTIVE}
    existing = list(
        Assignment.objects.filter(submission__round=round).values_list("judge_id", "submission_id")
    )
    conflicts = conflicted_pairs(challenge)
    # A withdrawn judge's finished work still counts for the entry, but they get nothing new.
    conflicts |= {(j.pk, e) for j in all_judges if j.pk not in active for e in entries}
    try:
        plan = planner.assign(
            judges=[j.pk for j in all_judges],
            entries=entries,
            per_entry=rubric.judges_per_entry,
            conflicts=conflicts,
            keep=existing,
        )
    except planner.AssignmentImpossible as error:
        titles = ", ".join(
            Submission.objects.filter(pk__in=error.entries).values_list("title", flat=True)
        )
        raise ValidationError(
            _("Not enough judges without a conflict (%(needed)s needed) for: %(entries)s")
            % {"needed": error.needed, "entries": titles}
        ) from None
    have = set(existing)
    new = [
        Assignment(judge_id=j, submission_id=e)
        for e, judges in plan.items()
        for j in judges
        if (j, e) not in have
    ]
    for assignment in new:
        assignment._history_user = by
        assignment.save()
    return len(new)


@transaction.atomic
def judge_withdraw(*, judge: Judge, by) -> int:
    """Take a judge off the panel: their unfinished entries go to others. Returns how many
    assignments were re-made."""
    require_organizer(by, judge.challenge, "judge_withdraw")
    judge.status = Judge.Status.WITHDRAWN
    judge.save(update_fields=["status"])
    unfinished = Assignment.objects.filter(judge=judge).exclude(status=Assignment.Status.SUBMITTED)
    rounds = {a.submission.round for a in unfinished.select_related("submission__round")}
    for assignment in unfinished:
        assignment._history_user = by
        assignment.delete()
    added = 0
    for round_ in rounds:
        # A round still open is handed out when it closes (assignments_generate waits).
        if (
            round_.closes_at < timezone.now()
            and Rubric.objects.filter(round=round_, locked_at__isnull=True).exists()
        ):
            added += assignments_generate(round=round_, by=by)
    return added


def _conflict_message(judge: Judge, submission) -> str:
    """Why the judge may not have the entry, in the order `conflicted_submission_ids` finds
    it: their own team and their employer need no declaration, so do not claim one."""
    team = submission.team
    if team.memberships.filter(user_id=judge.user_id).exists():
        return _("This judge is a member of that team.")
    if team.company_id and team.company.memberships.filter(user_id=judge.user_id).exists():
        return _("This judge works for the company that team represents.")
    return _("This judge declared a conflict with that team.")


@transaction.atomic
def assignment_add(*, judge: Judge, submission, by) -> Assignment:
    """An organizer's manual adjustment; a conflict still wins."""
    require_organizer(by, judge.challenge, "assignment_add")
    if submission.round.challenge_id != judge.challenge_id:
        raise ValidationError(_("The entry belongs to another challenge."))
    # A draft is the team's alone (not even the organizers read it): never show it to a judge.
    if submission.status != Submission.Status.SUBMITTED:
        raise ValidationError(_("Only submitted entries can be judged."))
    if judge.status != Judge.Status.ACTIVE:
        raise ValidationError(_("This judge has withdrawn from the panel."))
    if Rubric.objects.filter(round_id=submission.round_id, locked_at__isnull=False).exists():
        raise ValidationError(_("Judging is locked."))
    ensure_round_closed(submission.round, by)
    if submission.pk in conflicted_submission_ids(judge):
        raise ValidationError(_conflict_message(judge, submission))
    assignment, _created = Assignment.objects.get_or_create(judge=judge, submission=submission)
    return assignment


@transaction.atomic
def assignment_remove(*, assignment: Assignment, by) -> None:
    require_organizer(by, assignment.judge.challenge, "assignment_remove")
    _ensure_results_open(assignment.submission.round)
    assignment._history_user = by
    assignment.delete()


@transaction.atomic
def judging_lock(*, rubric: Rubric, by) -> Rubric:
    require_organizer(by, rubric.round.challenge, "judging_lock")
    rubric.locked_at = rubric.locked_at or timezone.now()
    rubric.save(update_fields=["locked_at"])
    return rubric


@transaction.atomic
def judging_unlock(*, rubric: Rubric, by) -> Rubric:
    require_organizer(by, rubric.round.challenge, "judging_unlock")
    _ensure_results_open(rubric.round)
    rubric.locked_at = None
    rubric.save(update_fields=["locked_at"])
    return rubric
