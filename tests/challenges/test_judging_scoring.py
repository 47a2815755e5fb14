"""Scoring: validation naming the criterion, database constraints, drafts, history, lock."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from challenges.judging.models import Assignment, Score
from challenges.judging.services import panel
from challenges.judging.services.scoring import scores_save
from tests.challenges.judging_setup import english, judged_round, score  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_draft_may_be_partial_and_submit_needs_every_criterion():
    setup = judged_round()
    judge, entry = setup.judges[0], setup.entries[0]
    impact, feasibility = setup.criteria
    assignment = Assignment.objects.get(judge=judge, submission=entry)

    scores_save(assignment=assignment, by=judge.user, values={impact.pk: "4"})
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.DRAFT
    assert [s.value for s in assignment.scores.all()] == [Decimal("4")]

    with pytest.raises(ValidationError) as error:
        scores_save(assignment=assignment, by=judge.user, values={impact.pk: "4"}, submit=True)
    assert "Feasibility: a score is needed to submit." in error.value.messages
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.DRAFT

    scores_save(
        assignment=assignment, by=judge.user, values={impact.pk: 4, feasibility.pk: 3}, submit=True
    )
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "Impact: the score must be a number."),
        ("NaN", "Impact: the score must be a number."),
        ("6", "Impact: the score must be between 1 and 5."),
        ("0", "Impact: the score must be between 1 and 5."),
        ("3.5", "Impact: use whole points."),
    ],
)
def test_bad_values_are_refused_naming_the_criterion_and_nothing_is_saved(value, message):
    setup = judged_round()
    judge, entry = setup.judges[0], setup.entries[0]
    impact, feasibility = setup.criteria
    assignment = Assignment.objects.get(judge=judge, submission=entry)
    with pytest.raises(ValidationError) as error:
        scores_save(
            assignment=assignment, by=judge.user, values={impact.pk: value, feasibility.pk: "3"}
        )
    assert error.value.message_dict == {f"criterion_{impact.pk}": [message]}
    assert not Score.objects.exists()


def test_half_points_when_the_rubric_allows_them():
    setup = judged_round()
    setup.rubric.step = Decimal("0.5")
    setup.rubric.save()
    score(setup, setup.judges[0], setup.entries[0], "3.5", "4,5")
    assert sorted(Score.objects.values_list("value", flat=True)) == [Decimal("3.5"), Decimal("4.5")]


@pytest.mark.parametrize("value", [Decimal("9"), Decimal("0"), Decimal("2.5")])
def test_database_refuses_out_of_range_and_off_step_scores(value):
    setup = judged_round()
    assignment = Assignment.objects.get(judge=setup.judges[0], submission=setup.entries[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(
            assignment=assignment,
            criterion=setup.criteria[0],
            value=value,
            scale_min=1,
            scale_max=5,
            step=1,
        )


def test_database_refuses_a_missing_value():
    setup = judged_round()
    assignment = Assignment.objects.get(judge=setup.judges[0], submission=setup.entries[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(
            assignment=assignment,
            criterion=setup.criteria[0],
            value=None,
            scale_min=1,
            scale_max=5,
            step=1,
        )


def test_every_change_is_kept_in_history_with_who():
    setup = judged_round()
    judge, entry = setup.judges[0], setup.entries[0]
    score(setup, judge, entry, 2, 3)
    score(setup, judge, entry, 4, 3)
    impact_score = Score.objects.get(criterion=setup.criteria[0])
    history = list(impact_score.history.order_by("history_date"))
    assert [h.value for h in history] == [Decimal("2"), Decimal("4")]
    assert {h.history_user for h in history} == {judge.user}


def test_rubric_is_frozen_once_scoring_starts():
    setup = judged_round()
    panel.criterion_add(rubric=setup.rubric, by=setup.organizer, name="Fun", weight=1)
    score(setup, setup.judges[0], setup.entries[0], 2, 3, submit=False)
    setup.rubric.refresh_from_db()
    with pytest.raises(ValidationError, match="rubric can no longer be changed"):
        panel.criterion_add(rubric=setup.rubric, by=setup.organizer, name="Style", weight=1)
    with pytest.raises(ValidationError, match="scale can no longer be changed"):
        panel.rubric_save(round=setup.round, by=setup.organizer, scale_max=10)


def test_no_scoring_after_the_lock():
    setup = judged_round()
    judge, entry = setup.judges[0], setup.entries[0]
    score(setup, judge, entry, 2, 3)
    panel.judging_lock(rubric=setup.rubric, by=setup.organizer)
    with pytest.raises(PermissionDenied):
        score(setup, judge, entry, 5, 5)
    assert sorted(Score.objects.values_list("value", flat=True)) == [Decimal("2"), Decimal("3")]


def test_a_judge_cannot_score_another_judges_assignment():
    setup = judged_round()
    assignment = Assignment.objects.get(judge=setup.judges[0], submission=setup.entries[0])
    with pytest.raises(PermissionDenied):
        scores_save(
            assignment=assignment, by=setup.judges[1].user, values={setup.criteria[0].pk: 3}
        )
    assert not Score.objects.exists()


def test_scoring_waits_for_the_conflict_declaration():
    setup = judged_round(declare=False)
    with pytest.raises(ValidationError, match="Declare your conflicts"):
        score(setup, setup.judges[0], setup.entries[0], 2, 3)


def test_declared_conflict_removes_the_assignment_and_its_scores():
    setup = judged_round()
    judge, entry = setup.judges[0], setup.entries[0]
    score(setup, judge, entry, 2, 3)
    panel.conflict_declare(judge=judge, by=judge.user, teams=[entry.team])
    assert not Assignment.objects.filter(judge=judge, submission=entry).exists()
    assert not Score.objects.filter(assignment__judge=judge).exists()
    # ... and the removed scores remain in the history.
    assert Score.history.filter(history_type="-").count() == 2
