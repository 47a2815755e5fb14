"""Who sees what, checked from the outside for every role."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.services.submissions import attachment_add, submission_create, submission_submit
from tests.challenges.test_submissions import PDF
from tests.factories import ChallengeFactory, TeamMembershipFactory, UserFactory


@pytest.fixture
def users(outsider, other_organizer, org_member, organizer, lead):
    return {
        "anonymous": None,
        "outsider": outsider,
        "other_organizer": other_organizer,
        "org_member": org_member,
        "organizer": organizer,
        "lead": lead,
    }


def _get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 404),
        ("outsider", 404),
        ("other_organizer", 404),
        ("org_member", 200),
        ("organizer", 200),
    ],
)
def test_draft_challenge_is_seen_only_inside_the_organization(
    client, users, agency, role, expected
):
    draft = ChallengeFactory(organization=agency, status="draft", published_at=None)
    assert _get(client, users[role], f"/en/challenges/{draft.slug}/") == expected
    listed = client.get("/en/challenges/").content.decode()
    assert (draft.title_en in listed) == (expected == 200)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 404), ("outsider", 404), ("invited", 200), ("organizer", 200)],
)
def test_invite_only_challenge(client, users, agency, role, expected):
    private = ChallengeFactory(organization=agency, private=True)
    invited = UserFactory(username="invited")
    private.invited_users.add(invited)
    user = invited if role == "invited" else users[role]
    assert _get(client, user, f"/en/challenges/{private.slug}/") == expected


@pytest.fixture
def entries(team, lead, during_round):
    round_ = team.challenge.rounds.get()
    draft = submission_create(team=team, round=round_, by=lead, title="Draft entry")
    attachment = attachment_add(submission=draft, by=lead, file=SimpleUploadedFile("plan.pdf", PDF))
    other_team = TeamMembershipFactory(team__challenge=team.challenge, role="lead")
    submitted = submission_create(
        team=other_team.team, round=round_, by=other_team.user, title="Submitted entry"
    )
    submission_submit(submission=submitted, by=other_team.user, summary="S")
    return {"draft": draft, "submitted": submitted, "attachment": attachment}


@pytest.mark.parametrize(
    ("role", "draft", "submitted", "file"),
    [
        ("anonymous", 404, 404, 404),
        ("outsider", 404, 404, 404),
        ("other_organizer", 404, 404, 404),
        ("org_member", 404, 404, 404),
        ("organizer", 404, 200, 404),
        ("lead", 200, 404, 200),
    ],
)
def test_entry_and_file_visibility_by_role(client, users, entries, role, draft, submitted, file):
    slug = entries["draft"].round.challenge.slug
    user = users[role]
    assert _get(client, user, f"/en/challenges/{slug}/entries/{entries['draft'].pk}/") == draft
    assert (
        _get(client, user, f"/en/challenges/{slug}/entries/{entries['submitted'].pk}/") == submitted
    )
    assert _get(client, user, f"/en/challenges/files/{entries['attachment'].pk}/") == file


def test_organizers_see_files_of_submitted_entries_as_downloads(client, entries, organizer, lead):
    submission_submit(submission=entries["draft"], by=lead, summary="Now submitted")
    client.force_login(organizer)
    response = client.get(f"/en/challenges/files/{entries['attachment'].pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="plan.pdf"')
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_showcased_entries_are_public_but_their_files_are_not(client, entries, organizer):
    submitted = entries["submitted"]
    submitted.showcased = True
    submitted.save()
    slug = submitted.round.challenge.slug
    showcase = client.get(f"/en/challenges/{slug}/showcase/").content.decode()
    assert "Submitted entry" in showcase
    assert "Draft entry" not in showcase
    assert client.get(f"/en/challenges/{slug}/entries/{submitted.pk}/").status_code == 200


def test_workspace_is_for_organizers_only(client, users, challenge, during_round):
    for role, expected in [
        ("outsider", 403),
        ("other_organizer", 403),
        ("org_member", 403),
        ("organizer", 200),
    ]:
        assert _get(client, users[role], f"/en/challenges/{challenge.slug}/workspace/") == expected
    assert _get(client, None, f"/en/challenges/{challenge.slug}/workspace/") == 302


def test_entries_csv_export(client, entries, organizer):
    entries["submitted"].title = '=HYPERLINK("x")'
    entries["submitted"].save()
    client.force_login(organizer)
    slug = entries["draft"].round.challenge.slug
    response = client.get(f"/en/challenges/{slug}/workspace/entries.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "Draft entry" not in text
    assert text.splitlines()[0].startswith("id,round,team")


def test_dataset_page_section_lists_challenges_visible_to_the_viewer(rf, challenge, agency):
    from django.contrib.auth.models import AnonymousUser

    from challenges.sections import dataset_challenges
    from tests.factories import DatasetFactory

    dataset = DatasetFactory()
    challenge.datasets.add(dataset)
    draft = ChallengeFactory(organization=agency, status="draft")
    draft.datasets.add(dataset)
    request = rf.get("/")
    request.user = AnonymousUser()
    section = dataset_challenges(request, dataset)
    assert section.context["challenges"] == [challenge]


def test_challenge_page_links_only_visible_datasets(client, challenge, during_round):
    from tests.factories import DatasetFactory

    public = DatasetFactory(title_en="Bus GPS")
    hidden = DatasetFactory(title_en="Secret draft data", status="draft")
    challenge.datasets.add(public, hidden)
    html = client.get(f"/en/challenges/{challenge.slug}/").content.decode()
    assert "Bus GPS" in html
    assert "Secret draft data" not in html


def test_challenge_resources_follow_the_challenges_visibility(client, agency, organizer, outsider):
    from challenges.services.submissions import challenge_attachment_add

    public = ChallengeFactory(organization=agency)
    draft = ChallengeFactory(organization=agency, status="draft")
    shared = challenge_attachment_add(
        challenge=public, by=organizer, file=SimpleUploadedFile("brief.pdf", PDF)
    )
    unreleased = challenge_attachment_add(
        challenge=draft, by=organizer, file=SimpleUploadedFile("brief.pdf", PDF)
    )
    assert _get(client, None, f"/en/challenges/files/{shared.pk}/") == 200
    assert _get(client, outsider, f"/en/challenges/files/{unreleased.pk}/") == 404
    assert _get(client, organizer, f"/en/challenges/files/{unreleased.pk}/") == 200
    with pytest.raises(PermissionDenied):
        challenge_attachment_add(
            challenge=public, by=outsider, file=SimpleUploadedFile("x.pdf", PDF)
        )


def test_dataset_page_lists_challenges_and_public_solutions(client, entries, challenge):
    from tests.factories import DatasetFactory

    dataset = DatasetFactory(title_en="Bus GPS traces")
    challenge.datasets.add(dataset)
    shown, hidden = entries["submitted"], entries["draft"]
    shown.datasets.add(dataset)
    hidden.datasets.add(dataset)
    shown.showcased = True
    shown.save(update_fields=["showcased"])
    html = client.get(f"/en/datasets/{dataset.name}/").content.decode()
    assert "Challenges and solutions using this data" in html
    assert challenge.title_en in html
    assert "Submitted entry" in html
    assert "Draft entry" not in html
    page = client.get(f"/en/challenges/{challenge.slug}/").content.decode()
    assert f'href="/en/datasets/{dataset.name}/"' in page


def test_organizer_invites_a_person_to_an_invite_only_challenge(
    client, agency, organizer, outsider
):
    private = ChallengeFactory(organization=agency, private=True)
    assert _get(client, outsider, f"/en/challenges/{private.slug}/") == 404
    client.force_login(organizer)
    response = client.post(f"/en/challenges/{private.slug}/invite/", {"username": "outsider"})
    assert response.status_code == 302
    assert _get(client, outsider, f"/en/challenges/{private.slug}/") == 200
