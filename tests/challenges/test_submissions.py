"""Entries: drafts, autosave, version history, sanitised Markdown and private files."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.models import Attachment, Submission
from challenges.services.submissions import (
    attachment_add,
    submission_create,
    submission_submit,
    submission_update,
)
from tests.challenges.conftest import OPENS
from tests.factories import TeamMembershipFactory

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def entry(team, lead, during_round):
    return submission_create(team=team, round=team.challenge.rounds.get(), by=lead, title="Idea")


def test_every_submitted_version_is_kept(entry, lead):
    submission_submit(submission=entry, by=lead, summary="First take")
    later = OPENS + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        submission_submit(submission=entry, by=lead, title="Better idea", summary="Second take")
    versions = list(entry.versions.order_by("number"))
    assert [(v.number, v.title, v.summary) for v in versions] == [
        (1, "Idea", "First take"),
        (2, "Better idea", "Second take"),
    ]
    assert versions[1].submitted_at == later
    entry.refresh_from_db()
    assert entry.title == "Better idea"


def test_submitted_entry_changes_only_by_resubmitting(entry, lead):
    submission_submit(submission=entry, by=lead, summary="S")
    entry.refresh_from_db()
    with pytest.raises(ValidationError, match="submit your changes"):
        submission_update(submission=entry, by=lead, title="Sneaky edit")
    entry.refresh_from_db()
    assert entry.title == "Idea"


def test_markdown_with_script_is_refused_and_nothing_changes(entry, lead):
    with pytest.raises(ValidationError) as refused:
        submission_update(
            submission=entry, by=lead, description="Hi <script>alert(1)</script>", title="X"
        )
    assert "description" in refused.value.message_dict
    entry.refresh_from_db()
    assert (entry.title, entry.description) == ("Idea", "")


def test_markdown_is_sanitised_when_shown(client, entry, lead):
    entry.description = "**bold** <img src=x onerror=alert(1)> [link](http://example.org)"
    entry.save()
    client.force_login(lead)
    html = client.get(entry.get_absolute_url()).content.decode()
    assert "<strong>bold</strong>" in html
    assert "<img" not in html  # raw HTML is shown as text, never as markup


def test_autosave_saves_a_draft(client, entry, lead):
    client.force_login(lead)
    url = f"/en/challenges/{entry.round.challenge.slug}/entries/{entry.pk}/autosave/"
    response = client.post(url, {"title": "Typed so far", "summary": "", "description": ""})
    assert response.status_code == 200
    assert "Draft saved" in response.content.decode()
    entry.refresh_from_db()
    assert entry.title == "Typed so far"
    assert entry.status == Submission.Status.DRAFT


def test_submit_from_the_page(client, entry, lead):
    client.force_login(lead)
    url = f"/en/challenges/{entry.round.challenge.slug}/entries/{entry.pk}/edit/"
    response = client.post(url, {"title": "Idea", "summary": "Go", "action": "submit"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Submission.Status.SUBMITTED
    assert entry.versions.count() == 1


def test_another_teams_draft_is_not_found_by_id(client, entry, challenge, caplog):
    stranger = TeamMembershipFactory(team__challenge=challenge, role="lead").user
    client.force_login(stranger)
    base = f"/en/challenges/{challenge.slug}/entries/{entry.pk}"
    assert client.get(base + "/").status_code == 404
    assert client.get(base + "/edit/").status_code == 404
    assert client.post(base + "/edit/", {"title": "Mine now", "summary": "x"}).status_code == 404
    assert client.post(base + "/autosave/", {"title": "Mine now"}).status_code == 404
    entry.refresh_from_db()
    assert entry.title == "Idea"
    assert "submission_view" in caplog.text


def _upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_attachment_type_is_sniffed_not_trusted(entry, lead):
    attachment = attachment_add(submission=entry, by=lead, file=_upload("diagram.png", PNG))
    assert attachment.content_type == "image/png"
    with pytest.raises(ValidationError, match=r"does not contain what its name says \(\.pdf\)"):
        attachment_add(submission=entry, by=lead, file=_upload("report.pdf", EXE))
    with pytest.raises(ValidationError, match="not a text file"):
        attachment_add(submission=entry, by=lead, file=_upload("notes.txt", PDF))
    with pytest.raises(ValidationError, match="not accepted"):
        attachment_add(submission=entry, by=lead, file=_upload("setup.exe", EXE))
    assert list(entry.attachments.values_list("name", flat=True)) == ["diagram.png"]


def test_attachment_over_the_size_limit_is_refused(entry, lead, settings):
    settings.MAX_ATTACHMENT_SIZE = 1024
    with pytest.raises(ValidationError, match=r"at most 1\.0"):
        attachment_add(submission=entry, by=lead, file=_upload("big.pdf", PDF + b" " * 2000))
    assert not Attachment.objects.exists()


def test_upload_page_shows_the_refusal(client, entry, lead):
    client.force_login(lead)
    url = f"/en/challenges/{entry.round.challenge.slug}/entries/{entry.pk}/files/"
    response = client.post(url, {"file": io.BytesIO(EXE)} | {"file": _upload("report.pdf", EXE)})
    assert response.status_code == 400
    assert "report.pdf does not contain what its name says" in response.content.decode()


def test_rules_must_be_accepted_once_to_submit(client, entry, lead):
    challenge = entry.round.challenge
    challenge.rules_en = "Open-source licence required."
    challenge.save()
    with pytest.raises(ValidationError) as refused:
        submission_submit(submission=entry, by=lead, summary="S")
    assert "accept_rules" in refused.value.message_dict
    entry.refresh_from_db()
    assert entry.status == Submission.Status.DRAFT
    client.force_login(lead)
    url = f"/en/challenges/{challenge.slug}/entries/{entry.pk}/edit/"
    page = client.get(url).content.decode()
    assert "I have read and accept the rules of this challenge" in page
    response = client.post(
        url, {"title": "Idea", "summary": "S", "accept_rules": "on", "action": "submit"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Submission.Status.SUBMITTED
    assert entry.rules_accepted_by == lead
    # resubmitting later does not ask again
    submission_submit(submission=entry, by=lead, summary="S2")
    assert entry.versions.count() == 2
