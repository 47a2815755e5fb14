"""The lifecycle on a frozen clock: every transition and both sides of every deadline."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from challenges.models import Challenge, DeadlineExtension, Submission
from challenges.services.challenges import (
    challenge_advance_stage,
    challenge_create,
    challenge_publish,
    challenge_update,
    round_create,
    round_extend_deadline,
)
from challenges.services.community import challenge_follow
from challenges.services.submissions import submission_create, submission_submit, submission_update
from challenges.tasks import challenges_sync_status_task
from tests.challenges.conftest import CLOSES, OPENS
from tests.factories import UserFactory

SECOND = timedelta(seconds=1)


def status_of(challenge):
    challenge.refresh_from_db()
    return challenge.status


@pytest.fixture
def draft(agency, organizer):
    with time_machine.travel(OPENS - timedelta(days=20), tick=False):
        challenge = challenge_create(
            organization=agency,
            by=organizer,
            slug="cleaner-air",
            title_zh_hant="更乾淨的空氣",
            title_en="Cleaner air",
            problem_zh_hant="空氣品質不佳。",
            problem_en="The air is bad.",
        )
        round_create(
            challenge=challenge, by=organizer, title_en="Ideas", opens_at=OPENS, closes_at=CLOSES
        )
    return challenge


def test_full_lifecycle_follows_the_server_clock(draft, org_admin):
    assert draft.status == Challenge.Status.DRAFT
    with time_machine.travel(OPENS - timedelta(days=10), tick=False):
        challenge_publish(challenge=draft, by=org_admin)
        assert status_of(draft) == Challenge.Status.PUBLISHED
    with time_machine.travel(OPENS - SECOND, tick=False):
        challenges_sync_status_task()
        assert status_of(draft) == Challenge.Status.PUBLISHED
    with time_machine.travel(OPENS, tick=False):
        challenges_sync_status_task()
        assert status_of(draft) == Challenge.Status.OPEN
    with time_machine.travel(CLOSES, tick=False):
        challenges_sync_status_task()
        assert status_of(draft) == Challenge.Status.OPEN
    with time_machine.travel(CLOSES + SECOND, tick=False):
        challenges_sync_status_task()
        assert status_of(draft) == Challenge.Status.CLOSED
        for stage in ("judging", "results", "pilot"):
            challenge_advance_stage(challenge=draft, by=org_admin, to=stage)
            assert status_of(draft) == stage
        # beat leaves the organizers' stages alone
        challenges_sync_status_task()
        assert status_of(draft) == Challenge.Status.PILOT


def test_beat_schedule_runs_the_status_sync():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "challenges.tasks.challenges_sync_status_task" in tasks


def test_stages_cannot_be_skipped_or_started_early(challenge, org_admin):
    with (
        time_machine.travel(OPENS + SECOND, tick=False),
        pytest.raises(ValidationError, match="cannot move"),
    ):
        challenge_advance_stage(challenge=challenge, by=org_admin, to="judging")
    with time_machine.travel(CLOSES + SECOND, tick=False):
        with pytest.raises(ValidationError, match="cannot move"):
            challenge_advance_stage(challenge=challenge, by=org_admin, to="results")
        challenges_sync_status_task()
        assert status_of(challenge) == Challenge.Status.CLOSED


def test_publishing_needs_an_admin_and_a_round(agency, organizer, org_admin):
    challenge = challenge_create(
        organization=agency, by=organizer, slug="no-rounds", title_en="T", problem_en="P"
    )
    with pytest.raises(PermissionDenied):
        challenge_publish(challenge=challenge, by=organizer)
    with pytest.raises(ValidationError, match="at least one round"):
        challenge_publish(challenge=challenge, by=org_admin)
    assert status_of(challenge) == Challenge.Status.DRAFT


def test_organizer_of_another_organization_cannot_edit(challenge, other_organizer, caplog):
    with (
        caplog.at_level(logging.WARNING, logger="portal.security"),
        pytest.raises(PermissionDenied, match="Only editors and admins"),
    ):
        challenge_update(challenge=challenge, by=other_organizer, title_en="Hijacked")
    challenge.refresh_from_db()
    assert challenge.title_en != "Hijacked"
    assert "challenge_update" in caplog.text


def test_submit_one_second_before_the_deadline_is_accepted(team, lead):
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        entry = submission_create(team=team, round=team.challenge.rounds.get(), by=lead, title="A")
    with time_machine.travel(CLOSES - SECOND, tick=False):
        version = submission_submit(submission=entry, by=lead, summary="Predicts arrivals")
    entry.refresh_from_db()
    assert entry.status == Submission.Status.SUBMITTED
    assert version.number == 1


def test_submit_one_second_after_the_deadline_is_refused_in_the_users_zone(team, lead):
    lead.time_zone = "Europe/Berlin"
    lead.save()
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        entry = submission_create(team=team, round=team.challenge.rounds.get(), by=lead, title="A")
    with (
        time_machine.travel(CLOSES + SECOND, tick=False),
        pytest.raises(ValidationError) as refused,
    ):
        submission_submit(submission=entry, by=lead, summary="Too late")
    # 23:59:59 in Taipei (UTC+8) is 17:59:59 in Berlin (summer time, UTC+2, since 29 March)
    assert "2026-03-31 17:59:59 (Europe/Berlin)" in refused.value.messages[0]
    entry.refresh_from_db()
    assert entry.status == Submission.Status.DRAFT
    assert entry.summary != "Too late"
    assert not entry.versions.exists()


def test_draft_edits_stop_at_the_deadline(team, lead):
    with time_machine.travel(OPENS, tick=False):
        entry = submission_create(team=team, round=team.challenge.rounds.get(), by=lead, title="A")
    with time_machine.travel(CLOSES, tick=False):
        submission_update(submission=entry, by=lead, title="B")
    with (
        time_machine.travel(CLOSES + SECOND, tick=False),
        pytest.raises(ValidationError, match="deadline"),
    ):
        submission_update(submission=entry, by=lead, title="C")
    entry.refresh_from_db()
    assert entry.title == "B"


def test_submitting_before_the_round_opens_is_refused(team, lead):
    with time_machine.travel(OPENS - SECOND, tick=False):
        entry = submission_create(team=team, round=team.challenge.rounds.get(), by=lead, title="A")
        with pytest.raises(ValidationError, match="opens for entries"):
            submission_submit(submission=entry, by=lead, summary="Early")
    with time_machine.travel(OPENS, tick=False):
        submission_submit(submission=entry, by=lead, summary="On time")


def test_extended_deadline_is_recorded_notifies_and_reopens(
    challenge, organizer, team, lead, django_capture_on_commit_callbacks
):
    follower = UserFactory(username="fan")
    challenge_follow(challenge=challenge, by=follower)
    round_ = challenge.rounds.get()
    with time_machine.travel(OPENS, tick=False):
        entry = submission_create(team=team, round=round_, by=lead, title="A")
    new_deadline = CLOSES + timedelta(days=7)
    with time_machine.travel(CLOSES + timedelta(hours=1), tick=False):
        challenges_sync_status_task()
        assert status_of(challenge) == Challenge.Status.CLOSED
        mail.outbox.clear()
        with pytest.raises(PermissionDenied):
            round_extend_deadline(round=round_, by=lead, closes_at=new_deadline)
        with django_capture_on_commit_callbacks(execute=True):
            round_extend_deadline(
                round=round_, by=organizer, closes_at=new_deadline, reason="Typhoon day"
            )
        assert status_of(challenge) == Challenge.Status.OPEN
        submission_submit(submission=entry, by=lead, summary="Made it")
    extension = DeadlineExtension.objects.get()
    assert (extension.old_closes_at, extension.new_closes_at) == (CLOSES, new_deadline)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["fan@example.org", "lead@example.org"]
    assert "Typhoon day" in mail.outbox[0].body
    with (
        time_machine.travel(new_deadline + SECOND, tick=False),
        pytest.raises(ValidationError, match="deadline"),
    ):
        submission_submit(submission=entry, by=lead)


def test_deadline_cannot_move_earlier(challenge, organizer):
    with pytest.raises(ValidationError, match="later than the current"):
        round_extend_deadline(
            round=challenge.rounds.get(), by=organizer, closes_at=CLOSES - timedelta(days=1)
        )
    assert challenge.rounds.get().closes_at == CLOSES
