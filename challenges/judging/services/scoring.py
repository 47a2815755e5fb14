"""A judge scoring an entry: draft, submit, change until the organizers lock judging."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.judging.models import Assignment, Rubric, Score
from challenges.judging.permissions import refuse
from challenges.judging.services.panel import conflicted_submission_ids, ensure_round_closed
from challenges.models import Challenge


def parse_score(raw, *, rubric: Rubric, criterion_name: str) -> Decimal | None:
    """The score as a Decimal on the rubric's scale, None when left empty; ValidationError
    naming the criterion otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("%(criterion)s: the score must be a number.") % {"criterion": criterion_name}
        ) from None
    if not value.is_finite():
        raise ValidationError(
            _("%(criterion)s: the score must be a number.") % {"criterion": criterion_name}
        )
    if value < rubric.scale_min or value > rubric.scale_max:
        raise ValidationError(
            _("%(criterion)s: the score must be between %(low)s and %(high)s.")
            % {
                "criterion": criterion_name,
                "low": rubric.scale_min.normalize(),
                "high": rubric.scale_max.normalize(),
            }
        )
    if (value - rubric.scale_min) % rubric.step != 0:
        message = (
            _("%(criterion)s: use whole points.")
            if rubric.step == 1
            else _("%(criterion)s: use whole or half points.")
        )
        raise ValidationError(message % {"criterion": criterion_name})
    return value


@transaction.atomic
def scores_save(
    *,
    assignment: Assignment,
    by,
    values: dict[int, object],
    comments: dict[int, str] | None = None,
    comment: str = "",
    submit: bool = False,
) -> Assignment:
    """Save the judge's scores (criterion id -> value) as a draft or submit them.

    A draft may leave criteria empty; submitting needs every criterion. Every change is kept
    in the history with who made it. Errors name each faulty criterion and nothing is saved.
    """
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    judge = assignment.judge
    round_ = assignment.submission.round
    rubric = Rubric.objects.select_for_update().get(round_id=round_.pk)
    if by != judge.user or judge.status != judge.Status.ACTIVE:
        refuse(user=by, action="scores_save", target=assignment)
    if judge.conflicts_declared_at is None:
        raise ValidationError(_("Declare your conflicts of interest before scoring."))
    if rubric.locked_at is not None:
        refuse(
            user=by,
            action="scores_save_locked",
            target=assignment,
            message=_("Judging is locked: scores can no longer change."),
        )
    if round_.challenge.status in (Challenge.Status.RESULTS, Challenge.Status.PILOT):
        refuse(
            user=by,
            action="scores_save_after_results",
            target=assignment,
            message=_("The results are published and can no longer change."),
        )
    # An assignment made before the judge joined the team, or their company took part.
    if assignment.submission_id in conflicted_submission_ids(judge):
        refuse(
            user=by,
            action="scores_save_conflicted",
            target=assignment,
            message=_("You have a conflict of interest with this entry."),
        )
    # While the round is open the team may still change or withdraw the entry.
    ensure_round_closed(round_, by)
    # Submitted scores stay complete: later changes are re-submissions, not drafts.
    submit = submit or assignment.status == Assignment.Status.SUBMITTED
    comments = comments or {}
    criteria = list(rubric.criteria.all())
    if not criteria:
        raise ValidationError(_("The rubric has no criteria yet."))
    errors: dict[str, list[str]] = {}
    parsed: dict[int, Decimal | None] = {}
    for criterion in criteria:
        field = f"criterion_{criterion.pk}"
        try:
            parsed[criterion.pk] = parse_score(
                values.get(criterion.pk), rubric=rubric, criterion_name=criterion.name
            )
        except ValidationError as error:
            errors[field] = error.messages
            continue
        if submit and parsed[criterion.pk] is None:
            errors[field] = [
                _("%(criterion)s: a score is needed to submit.") % {"criterion": criterion.name}
            ]
    if errors:
        raise ValidationError(errors)

    # The first score given freezes the rubric; a draft holding only comments gives none,
    # and leaves the organizers free to change weights and criteria.
    if rubric.frozen_at is None and any(value is not None for value in parsed.values()):
        rubric.frozen_at = timezone.now()
        rubric.save(update_fields=["frozen_at"])
    existing = {score.criterion_id: score for score in assignment.scores.all()}
    for criterion in criteria:
        value = parsed[criterion.pk]
        text = (comments.get(criterion.pk) or "").strip()
        score = existing.get(criterion.pk)
        if value is None:
            if score is not None:
                score._history_user = by
                score.delete()
            continue
        if score is None:
            score = Score(assignment=assignment, criterion=criterion)
        elif score.value == value and score.comment == text:
            continue
        score.value, score.comment = value, text
        score.scale_min, score.scale_max, score.step = (
            rubric.scale_min,
            rubric.scale_max,
            rubric.step,
        )
        score._history_user = by
        score.save()
    assignment.comment = comment.strip()
    if submit:
        assignment.status = Assignment.Status.SUBMITTED
        assignment.submitted_at = timezone.now()
    else:
        assignment.status = Assignment.Status.DRAFT
    assignment._history_user = by
    assignment.save()
    return assignment
