"""Q&A permissions, merging duplicates, announcements and the e-mails they send."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from challenges.models import Question
from challenges.services.community import (
    announcement_post,
    challenge_follow,
    question_answer,
    question_ask,
    question_merge,
)
from tests.factories import ChallengeFactory, UserFactory


@pytest.fixture
def question(challenge, outsider):
    return question_ask(challenge=challenge, by=outsider, text="Is the bus GPS data real-time?")


def test_anyone_signed_in_can_ask(challenge, outsider):
    question = question_ask(challenge=challenge, by=outsider, text="Which bus routes?")
    assert question.status == Question.Status.OPEN


def test_anonymous_cannot_ask(client, challenge, during_round):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        question_ask(challenge=challenge, by=AnonymousUser(), text="Hello?")
    response = client.post(f"/en/challenges/{challenge.slug}/questions/", {"text": "Hello?"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Question.objects.exists()


def test_no_questions_on_a_draft_or_an_invisible_challenge(agency, outsider, org_member):
    draft = ChallengeFactory(organization=agency, status="draft")
    with pytest.raises(PermissionDenied):
        question_ask(challenge=draft, by=outsider, text="Leak?")
    with pytest.raises(ValidationError, match="published"):
        question_ask(challenge=draft, by=org_member, text="Ready?")


def test_only_organizers_answer(question, outsider, other_organizer, organizer):
    for user in (outsider, other_organizer):
        with pytest.raises(PermissionDenied):
            question_answer(question=question, by=user, text="Yes")
    question_answer(question=question, by=organizer, text="Every 30 seconds.")
    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED
    assert question.answer.text == "Every 30 seconds."


def test_open_questions_are_private_until_answered(
    client, question, outsider, organizer, during_round
):
    page = f"/en/challenges/{question.challenge.slug}/"
    assert "real-time" not in client.get(page).content.decode()
    client.force_login(outsider)
    assert "real-time" in client.get(page).content.decode()
    question_answer(question=question, by=organizer, text="Every 30 seconds.")
    client.logout()
    html = client.get(page).content.decode()
    assert "real-time" in html
    assert "Every 30 seconds." in html


def test_duplicates_are_merged_into_the_original(challenge, question, organizer):
    duplicate = question_ask(challenge=challenge, by=UserFactory(), text="Real-time GPS?")
    question_merge(question=duplicate, into=question, by=organizer)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of) == (Question.Status.MERGED, question)
    with pytest.raises(ValidationError, match="original question"):
        question_answer(question=duplicate, by=organizer, text="Answer here?")


def test_answer_mails_the_asker(question, organizer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        question_answer(question=question, by=organizer, text="Every 30 seconds.")
    assert [m.to for m in mail.outbox] == [["outsider@example.org"]]


def test_clarification_and_announcement_mail_followers_and_participants(
    challenge, question, organizer, team, django_capture_on_commit_callbacks
):
    fan = UserFactory(username="fan")
    challenge_follow(challenge=challenge, by=fan)
    with django_capture_on_commit_callbacks(execute=True):
        question_answer(question=question, by=organizer, text="Yes, live.", is_clarification=True)
    assert sorted(m.to[0] for m in mail.outbox) == ["fan@example.org", "lead@example.org"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        announcement_post(
            challenge=challenge, by=organizer, title_en="Info session", body_en="Friday 3pm"
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["fan@example.org", "lead@example.org"]
    assert "Friday 3pm" in mail.outbox[0].body
    assert "/challenges/late-buses/" in mail.outbox[0].body


def test_only_organizers_post_announcements(challenge, lead):
    with pytest.raises(PermissionDenied):
        announcement_post(challenge=challenge, by=lead, title_en="Fake", body_en="Fake")
    assert not challenge.announcements.exists()


def test_each_follower_and_participant_reads_the_email_in_their_language(
    challenge, question, organizer, team, lead, django_capture_on_commit_callbacks
):
    challenge.title_en, challenge.title_zh_hant = "Late buses", "公車誤點"
    challenge.save()
    lead.language = "en"
    lead.save()
    fan = UserFactory(username="fan", language="zh-hant")
    challenge_follow(challenge=challenge, by=fan)
    question.asked_by.language = "en"
    question.asked_by.save()

    with django_capture_on_commit_callbacks(execute=True):
        question_answer(question=question, by=organizer, text="Yes, live.", is_clarification=True)
        announcement_post(
            challenge=challenge, by=organizer, title_en="Info session", title_zh_hant="說明會",
            body_en="Friday 3pm", body_zh_hant="週五下午三點",
        )  # fmt: skip
        question_answer(question=question, by=organizer, text="Every 30 seconds.")

    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects == [
        ("fan@example.org", "[公車誤點] 規則澄清"),
        ("fan@example.org", "[公車誤點] 說明會"),
        ("lead@example.org", "[Late buses] Clarification"),
        ("lead@example.org", "[Late buses] Info session"),
        ("outsider@example.org", "Your question about Late buses was answered"),
    ]
    fan_announcement = next(m for m in mail.outbox if m.subject == "[公車誤點] 說明會")
    assert "週五下午三點" in fan_announcement.body
    assert "/en/challenges/" not in fan_announcement.body
    lead_announcement = next(m for m in mail.outbox if m.subject == "[Late buses] Info session")
    assert "/en/challenges/late-buses/" in lead_announcement.body
