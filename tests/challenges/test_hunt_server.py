"""Bug hunt on the server side of challenges: hostile or confused callers through the REST
API and the services. Each test names what a user would have seen before the fix."""

import pytest
from django.core import mail
from knox.models import AuthToken

from challenges.models import Invitation, Submission
from challenges.services.submissions import submission_create, submission_submit
from tests.factories import (
    ChallengeFactory,
    DatasetFactory,
    MembershipFactory,
    UserFactory,
)

BEYOND_64_BITS = str(2**70)


def _client_for(api_client, user):
    api_client.credentials()
    if user is not None:
        _token, key = AuthToken.objects.create(user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client


# --- API: paging ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "late-buses/submissions/"])
def test_a_limit_past_64_bits_is_capped_not_a_500(
    api_client, challenge, team, lead, during_round, path
):
    # given: a showcased entry, so the submissions list has a row to page over
    entry = submission_create(team=team, round=challenge.rounds.get(), by=lead, title="T")
    Submission.objects.filter(pk=entry.pk).update(status="submitted", showcased=True)
    # when
    response = api_client.get(f"/api/v1/challenges/{path}?limit={BEYOND_64_BITS}")
    # then
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_list_page_holds_at_most_100_rows(api_client, agency):
    ChallengeFactory.create_batch(101, organization=agency)
    response = api_client.get("/api/v1/challenges/?limit=1000000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 100
    assert "limit=100" in response.json()["next"]


# --- API: inputs ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["not an email@", "@", "a@b@c", "someone@"])
def test_inviting_a_malformed_address_is_refused_naming_who(
    api_client, challenge, team, lead, during_round, who
):
    response = _client_for(api_client, lead).post(
        f"/api/v1/challenges/{challenge.slug}/teams/{team.slug}/invitations/",
        {"who": who},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "e-mail" in response.json()["who"][0]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_unknown_dataset_is_named_through_the_catalog(
    api_client, challenge, team, lead, during_round
):
    # The message was an f-string, so a Chinese reader got English; it now goes through
    # gettext (its zh-Hant text is added to the catalog with the other new messages).
    response = _client_for(api_client, lead).post(
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        {"title": "T", "datasets": ["no-such-data"]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["datasets"] == ["No dataset is called no-such-data."]
    assert not Submission.objects.exists()


def test_unknown_company_is_named_through_the_catalog(api_client, challenge, during_round):
    response = _client_for(api_client, UserFactory()).post(
        f"/api/v1/challenges/{challenge.slug}/teams/",
        {"name": "Solo", "company": "no-such-company"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["company"] == ["No organization is called no-such-company."]
    assert not challenge.teams.exists()


# --- API: information leaks -------------------------------------------------------------------


def test_a_showcased_entry_does_not_reveal_private_datasets_it_uses(
    api_client, challenge, team, lead, during_round
):
    # given: the lead works for an agency and links its private dataset and a public one
    own_org = MembershipFactory(user=lead).organization
    secret = DatasetFactory(organization=own_org, private=True, name="secret-cctv")
    draft = DatasetFactory(organization=own_org, status="draft", name="draft-plans")
    public = DatasetFactory(name="bus-stops")
    entry = submission_create(
        team=team,
        round=challenge.rounds.get(),
        by=lead,
        title="T",
        datasets=[secret, draft, public],
    )
    submission_submit(submission=entry, by=lead, summary="S")
    Submission.objects.filter(pk=entry.pk).update(showcased=True)
    # when: the public reads the showcase
    listed = api_client.get(f"/api/v1/challenges/{challenge.slug}/submissions/").json()
    detail = api_client.get(f"/api/v1/challenges/{challenge.slug}/submissions/{entry.pk}/")
    # then
    assert listed["results"][0]["datasets"] == ["bus-stops"]
    assert detail.json()["datasets"] == ["bus-stops"]
    # and the team itself still sees everything it linked
    own = _client_for(api_client, lead).get(
        f"/api/v1/challenges/{challenge.slug}/submissions/{entry.pk}/"
    )
    assert sorted(own.json()["datasets"]) == ["bus-stops", "draft-plans", "secret-cctv"]
