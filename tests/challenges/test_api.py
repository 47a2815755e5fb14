"""API v1 for challenges: reads per role, writes with API keys, refusals as JSON."""

import pytest
from knox.models import AuthToken

from challenges.models import Submission
from challenges.services.submissions import submission_create, submission_submit
from tests.factories import ChallengeFactory, RoundFactory, TeamMembershipFactory, UserFactory


def _client_for(api_client, user):
    api_client.credentials()
    if user is not None:
        _token, key = AuthToken.objects.create(user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client


@pytest.fixture
def entries(team, lead, challenge, during_round):
    round_ = challenge.rounds.get()
    draft = submission_create(team=team, round=round_, by=lead, title="Our draft")
    other = TeamMembershipFactory(team__challenge=challenge, role="lead")
    submitted = submission_create(team=other.team, round=round_, by=other.user, title="Theirs")
    submission_submit(submission=submitted, by=other.user, summary="S")
    challenge.max_entries_per_round = 2
    challenge.save()
    showcased = submission_create(team=other.team, round=round_, by=other.user, title="Shown")
    submission_submit(submission=showcased, by=other.user, summary="S")
    Submission.objects.filter(pk=showcased.pk).update(showcased=True)
    return {"draft": draft, "submitted": submitted, "showcased": showcased}


def test_challenge_list_filters_and_hides_drafts(api_client, challenge, agency, city, during_round):
    ChallengeFactory(organization=agency, status="draft", slug="secret-draft")
    pilot = ChallengeFactory(organization=agency, offers_pilot=True, slug="with-pilot")
    RoundFactory(challenge=pilot)
    body = api_client.get("/api/v1/challenges/").json()
    slugs = {c["slug"] for c in body["results"]}
    assert slugs == {"late-buses", "with-pilot"}
    assert body["results"][0]["city"] == "taipei"
    only_pilots = api_client.get("/api/v1/challenges/?prize=pilot").json()
    assert [c["slug"] for c in only_pilots["results"]] == ["with-pilot"]
    by_city = api_client.get("/api/v1/challenges/?city=taipei").json()
    assert len(by_city["results"]) == 2
    open_now = api_client.get("/api/v1/challenges/?status=open").json()
    assert {c["slug"] for c in open_now["results"]} <= slugs


def test_challenge_list_query_count_does_not_grow(
    api_client, agency, django_assert_max_num_queries
):
    for _ in range(8):
        RoundFactory(challenge=ChallengeFactory(organization=agency))
    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v1/challenges/")
    assert len(response.json()["results"]) == 8


def test_challenge_detail_and_hidden_ones(api_client, challenge, agency, during_round):
    response = api_client.get(f"/api/v1/challenges/{challenge.slug}/")
    assert response.status_code == 200
    assert response.json()["problem_en"] == "Buses are often late."
    draft = ChallengeFactory(organization=agency, status="draft")
    assert api_client.get(f"/api/v1/challenges/{draft.slug}/").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", {"Shown"}),
        ("outsider", {"Shown"}),
        ("other_organizer", {"Shown"}),
        ("organizer", {"Theirs", "Shown"}),
        ("lead", {"Our draft", "Shown"}),
    ],
)
def test_submission_list_per_role(
    api_client, entries, challenge, role, expected, outsider, other_organizer, organizer, lead
):
    user = {
        "anonymous": None,
        "outsider": outsider,
        "other_organizer": other_organizer,
        "organizer": organizer,
        "lead": lead,
    }[role]
    response = _client_for(api_client, user).get(
        f"/api/v1/challenges/{challenge.slug}/submissions/"
    )
    assert response.status_code == 200
    assert {s["title"] for s in response.json()["results"]} == expected


def test_team_member_writes_with_an_api_key(api_client, challenge, during_round):
    member = UserFactory(username="api-user")
    client = _client_for(api_client, member)
    team = client.post(
        f"/api/v1/challenges/{challenge.slug}/teams/", {"name": "API Team"}, format="json"
    )
    assert team.status_code == 201, team.content
    created = client.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        {"title": "Via API", "summary": "Built with the API"},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    patched = client.patch(
        f"/api/v1/challenges/{challenge.slug}/submissions/{pk}/",
        {"repository_url": "https://git.example.org/x"},
        format="json",
    )
    assert patched.status_code == 200
    submitted = client.post(f"/api/v1/challenges/{challenge.slug}/submissions/{pk}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["versions"] == 1


def test_writes_refused_for_others(api_client, entries, challenge, outsider, caplog):
    url = f"/api/v1/challenges/{challenge.slug}/submissions/"
    anonymous = _client_for(api_client, None).post(url, {"title": "x"}, format="json")
    assert anonymous.status_code == 401
    client = _client_for(api_client, outsider)
    assert client.post(url, {"title": "x"}, format="json").status_code == 404
    draft = entries["draft"]
    assert client.patch(f"{url}{draft.pk}/", {"title": "Hijack"}, format="json").status_code == 404
    assert client.post(f"{url}{draft.pk}/submit/").status_code == 404
    showcased = entries["showcased"]
    # visible to everyone, still not editable by them
    assert (
        client.patch(f"{url}{showcased.pk}/", {"title": "Hijack"}, format="json").status_code == 404
    )
    draft.refresh_from_db()
    assert draft.title == "Our draft"
    assert "api_submission" in caplog.text or "submission_view" in caplog.text


def test_bad_input_names_the_field(api_client, team, lead, challenge, during_round):
    client = _client_for(api_client, lead)
    response = client.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        {"title": "X", "description": "<script>alert(1)</script>", "technology_readiness": 12},
        format="json",
    )
    assert response.status_code == 400
    assert "technology_readiness" in response.json()
    response = client.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        {"title": "X", "description": "<script>alert(1)</script>"},
        format="json",
    )
    assert response.status_code == 400
    assert "description" in response.json()
    assert not Submission.objects.exists()


def test_submitting_after_the_deadline_via_api_is_refused(
    api_client, team, lead, challenge, time_machine
):
    from datetime import timedelta

    from tests.challenges.conftest import CLOSES, OPENS

    time_machine.move_to(OPENS, tick=False)
    client = _client_for(api_client, lead)
    pk = client.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/", {"title": "T"}, format="json"
    ).json()["id"]
    time_machine.move_to(CLOSES + timedelta(seconds=1), tick=False)
    response = client.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/{pk}/submit/",
        {"summary": "late", "submitted_at": "2026-03-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert "2026-03-31 23:59:59 (Asia/Taipei)" in str(response.json())
