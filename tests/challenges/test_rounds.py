"""Rounds: entry limits per round and advancement decided by the organizers."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from challenges.services.challenges import round_create
from challenges.services.submissions import (
    submission_create,
    submission_set_advanced,
    submission_submit,
)
from tests.challenges.conftest import CLOSES, OPENS
from tests.factories import TeamFactory, TeamMembershipFactory

PROTOTYPES_OPEN = CLOSES + timedelta(days=10)
PROTOTYPES_CLOSE = CLOSES + timedelta(days=40)


@pytest.fixture
def two_rounds(challenge, organizer):
    round_create(
        challenge=challenge,
        by=organizer,
        title_en="Prototypes",
        opens_at=PROTOTYPES_OPEN,
        closes_at=PROTOTYPES_CLOSE,
    )
    return list(challenge.rounds.order_by("number"))


def _submitted(team, round_, user):
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        entry = submission_create(team=team, round=round_, by=user, title="Idea")
        submission_submit(submission=entry, by=user, summary="Summary")
    entry.refresh_from_db()
    return entry


def test_rounds_cannot_overlap(challenge, organizer):
    with pytest.raises(ValidationError, match="after the previous round closes"):
        round_create(
            challenge=challenge,
            by=organizer,
            title_en="Overlap",
            opens_at=CLOSES - timedelta(days=1),
            closes_at=CLOSES + timedelta(days=5),
        )


def test_only_advanced_teams_enter_the_next_round(two_rounds, team, lead, organizer, challenge):
    ideas, prototypes = two_rounds
    other = TeamFactory(challenge=challenge)
    other_lead = TeamMembershipFactory(team=other, role="lead").user
    advanced_entry = _submitted(team, ideas, lead)
    _submitted(other, ideas, other_lead)
    with (
        time_machine.travel(CLOSES, tick=False),
        pytest.raises(ValidationError, match="only after the round has closed"),
    ):
        submission_set_advanced(submission=advanced_entry, by=organizer)
    with time_machine.travel(CLOSES + timedelta(days=1), tick=False):
        with pytest.raises(PermissionDenied):
            submission_set_advanced(submission=advanced_entry, by=lead)
        submission_set_advanced(submission=advanced_entry, by=organizer)
    with time_machine.travel(PROTOTYPES_OPEN + timedelta(days=1), tick=False):
        entry = submission_create(team=team, round=prototypes, by=lead, title="Prototype")
        submission_submit(submission=entry, by=lead, summary="Working")
        with pytest.raises(ValidationError, match="advanced from"):
            submission_create(team=other, round=prototypes, by=other_lead, title="Try")
    assert other.submissions.filter(round=prototypes).count() == 0


def test_last_round_has_nothing_to_advance_to(team, lead, organizer, challenge):
    entry = _submitted(team, challenge.rounds.get(), lead)
    with (
        time_machine.travel(CLOSES + timedelta(days=1), tick=False),
        pytest.raises(ValidationError, match="last round"),
    ):
        submission_set_advanced(submission=entry, by=organizer)


def test_one_entry_per_team_per_round_unless_allowed(team, lead, challenge):
    round_ = challenge.rounds.get()
    with time_machine.travel(OPENS, tick=False):
        submission_create(team=team, round=round_, by=lead, title="First")
        with pytest.raises(ValidationError, match="the most this challenge allows"):
            submission_create(team=team, round=round_, by=lead, title="Second")
        challenge.max_entries_per_round = 2
        challenge.save()
        submission_create(team=team, round=round_, by=lead, title="Second")
    assert team.submissions.count() == 2


def test_teams_below_the_minimum_size_cannot_submit(team, lead, challenge):
    challenge.min_team_size = 2
    challenge.save()
    with time_machine.travel(OPENS, tick=False):
        entry = submission_create(team=team, round=challenge.rounds.get(), by=lead, title="A")
        with pytest.raises(ValidationError, match="at least 2 members"):
            submission_submit(submission=entry, by=lead, summary="S")
