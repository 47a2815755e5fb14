"""Follow-up of the challenges bug hunt, server side: who may post a challenge, strict API
payloads, publishing with entries short of judges, accurate conflict messages, demo data
in each language. Each test names what a user would have seen before the fix."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from knox.models import AuthToken

from challenges import demo as challenges_demo
from challenges import permissions
from challenges.judging import demo as judging_demo
from challenges.judging.models import Assignment, Criterion, Pilot
from challenges.judging.selectors import round_standings
from challenges.judging.services import panel, pilots, results
from challenges.models import Challenge, Invitation, Submission, Team
from challenges.services.challenges import challenge_create
from challenges.services.submissions import submission_create
from portal.demo import load as load_portal
from portal.models import Membership, Organization
from tests.challenges.judging_setup import judged_round, published_winner, score
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


def _client_for(api_client, user, language="en"):
    api_client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        _token, key = AuthToken.objects.create(user)
        api_client.credentials(HTTP_ACCEPT_LANGUAGE=language, HTTP_AUTHORIZATION=f"Token {key}")
    return api_client


# --- 1. only cities and agencies post challenges ------------------------------------------

POSTING = {
    "slug": "cool-stops",
    "title_zh_hant": "更涼爽的公車站",
    "title_en": "Cool stops",
    "problem_zh_hant": "公車站太熱。",
    "problem_en": "Bus stops are too hot.",
}


@pytest.mark.parametrize(
    "kind",
    [Organization.Kind.COMPANY, Organization.Kind.UNIVERSITY, Organization.Kind.CIVIC],
)
def test_an_admin_of_a_company_cannot_post_a_challenge_for_it(db, kind):
    # given: the admin of a startup (or a university, a civic group)
    startup = OrganizationFactory(slug="urban-pulse", kind=kind)
    admin = MembershipFactory(organization=startup, role=Membership.Role.ADMIN).user
    # then
    assert not permissions.can_create_challenge_for(admin, startup)
    with pytest.raises(PermissionDenied) as refused:
        challenge_create(organization=startup, by=admin, **POSTING)
    assert "Only editors and admins of a city or agency can post challenges." in str(refused.value)
    assert not Challenge.objects.exists()


def test_a_site_superuser_cannot_post_a_challenge_for_a_company_either(db):
    startup = OrganizationFactory(kind=Organization.Kind.COMPANY)
    staff = UserFactory(is_superuser=True, is_staff=True)
    assert not permissions.can_create_challenge_for(staff, startup)


@pytest.mark.parametrize("kind", [Organization.Kind.CITY, Organization.Kind.AGENCY])
def test_an_editor_of_a_city_or_agency_posts_a_challenge(db, kind):
    organization = OrganizationFactory(kind=kind)
    editor = MembershipFactory(organization=organization, role=Membership.Role.EDITOR).user
    assert permissions.can_create_challenge_for(editor, organization)
    challenge = challenge_create(organization=organization, by=editor, **POSTING)
    assert challenge.organization == organization


def test_the_api_has_no_way_to_post_a_challenge(api_client, db):
    # The REST API reads challenges only: creating one is the organizers' page (and the
    # service both share), so a company admin's POST creates nothing.
    startup = OrganizationFactory(kind=Organization.Kind.COMPANY)
    admin = MembershipFactory(organization=startup, role=Membership.Role.ADMIN).user
    response = _client_for(api_client, admin).post(
        "/api/v1/challenges/",
        {"slug": "ads", "title": "Buy our app", "organization": startup.slug},
        format="json",
    )
    assert response.status_code == 405
    assert not Challenge.objects.exists()


# --- 2. the challenges API refuses fields it does not take, naming each -------------------

CANNOT = ["This field cannot be set."]


def test_a_submission_patch_cannot_set_status_or_showcase_itself(
    api_client, team, lead, challenge, during_round
):
    # given: the team's draft
    entry = submission_create(team=team, round=challenge.rounds.get(), by=lead, title="Draft")
    # when
    response = _client_for(api_client, lead).patch(
        f"/api/v1/challenges/{challenge.slug}/submissions/{entry.pk}/",
        {"title": "Changed", "status": "submitted", "showcased": True},
        format="json",
    )
    # then: both named, nothing changed
    assert response.status_code == 400
    assert response.json() == {"showcased": CANNOT, "status": CANNOT}
    entry.refresh_from_db()
    assert (entry.title, entry.status, entry.showcased) == ("Draft", "draft", False)


def test_a_new_submission_cannot_arrive_showcased_or_advanced(
    api_client, team, lead, challenge, during_round
):
    response = _client_for(api_client, lead).post(
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        {"title": "Mine", "showcased": True, "advanced": True},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"advanced": CANNOT, "showcased": CANNOT}
    assert not Submission.objects.exists()


def test_submitting_cannot_set_fields_the_api_does_not_take(
    api_client, team, lead, challenge, during_round
):
    entry = submission_create(team=team, round=challenge.rounds.get(), by=lead, title="Draft")
    response = _client_for(api_client, lead).post(
        f"/api/v1/challenges/{challenge.slug}/submissions/{entry.pk}/submit/",
        {"summary": "S", "showcased": True},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"showcased": CANNOT}
    entry.refresh_from_db()
    assert entry.status == Submission.Status.DRAFT


@pytest.mark.parametrize("payload_format", ["json", "multipart"])
def test_a_client_sent_submission_time_is_ignored_the_server_clock_decides(
    api_client, team, lead, challenge, during_round, payload_format
):
    # Issue 7: "client-sent times ignored" -- not refused, not applied.
    entry = submission_create(team=team, round=challenge.rounds.get(), by=lead, title="Draft")
    response = _client_for(api_client, lead).post(
        f"/api/v1/challenges/{challenge.slug}/submissions/{entry.pk}/submit/",
        {"summary": "S", "submitted_at": "2020-01-01T00:00:00Z"},
        format=payload_format,
    )
    assert response.status_code == 200, response.content
    entry.refresh_from_db()
    assert entry.status == Submission.Status.SUBMITTED
    assert entry.submitted_at == timezone.now()


def test_a_new_team_cannot_choose_its_slug_or_members(api_client, challenge, during_round):
    member = UserFactory()
    response = _client_for(api_client, member, language="zh-hant").post(
        f"/api/v1/challenges/{challenge.slug}/teams/",
        {"name": "Team X", "slug": "admins", "members": ["someone"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"members": ["不能設定此欄位。"], "slug": ["不能設定此欄位。"]}
    assert not Team.objects.filter(challenge=challenge).exists()


def test_an_invitation_cannot_set_its_own_status(api_client, challenge, team, lead, during_round):
    response = _client_for(api_client, lead).post(
        f"/api/v1/challenges/{challenge.slug}/teams/{team.slug}/invitations/",
        {"who": "friend@example.org", "status": "accepted"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"status": CANNOT}
    assert not Invitation.objects.filter(team=team).exists()


# --- 4. an automatic conflict says what it is ---------------------------------------------


def _seat(setup, user):
    judge = panel.judge_add(challenge=setup.challenge, user=user, by=setup.organizer)
    panel.conflict_declare(judge=judge, by=user)  # "no conflicts" declared
    return judge


def test_a_judge_on_the_team_is_told_so_not_that_they_declared_a_conflict(db):
    setup = judged_round(entries=2, judges=1)
    judge = _seat(setup, setup.members[0])
    with pytest.raises(ValidationError) as refused:
        panel.assignment_add(judge=judge, submission=setup.entries[0], by=setup.organizer)
    assert refused.value.messages == ["This judge is a member of that team."]
    assert not Assignment.objects.filter(judge=judge).exists()


def test_a_judge_working_for_the_teams_company_is_told_so(db):
    setup = judged_round(entries=2, judges=1)
    company = OrganizationFactory(kind=Organization.Kind.COMPANY)
    team = setup.entries[0].team
    team.company = company
    team.save()
    employee = MembershipFactory(organization=company, role=Membership.Role.MEMBER).user
    judge = _seat(setup, employee)
    with pytest.raises(ValidationError) as refused:
        panel.assignment_add(judge=judge, submission=setup.entries[0], by=setup.organizer)
    assert refused.value.messages == ["This judge works for the company that team represents."]
    assert not Assignment.objects.filter(judge=judge).exists()


def test_a_declared_conflict_keeps_its_message(db):
    setup = judged_round(entries=2, judges=1)
    judge = _seat(setup, UserFactory())
    panel.conflict_declare(judge=judge, by=judge.user, teams=[setup.entries[0].team])
    with pytest.raises(ValidationError) as refused:
        panel.assignment_add(judge=judge, submission=setup.entries[0], by=setup.organizer)
    assert refused.value.messages == ["This judge declared a conflict with that team."]


# --- 3. publishing with entries short of judges tells the organizers which ----------------


def _three_judges_score_everything():
    setup = judged_round(entries=3, judges=3, per_entry=3)
    for judge in setup.judges:
        for i, entry in enumerate(setup.entries):
            score(setup, judge, entry, 5 - i, 3)
    return setup


def test_results_publish_but_name_entries_with_fewer_scores_than_asked(db):
    # given: every entry scored by its 3 judges, then a late conflict takes one judge's
    # scores off the first entry and two judges' off the second
    setup = _three_judges_score_everything()
    first, second, third = setup.entries
    panel.conflict_declare(judge=setup.judges[0], by=setup.organizer, teams=[first.team])
    for judge in setup.judges[:2]:
        panel.conflict_declare(judge=judge, by=setup.organizer, teams=[second.team])
    panel.judging_lock(rubric=setup.rubric, by=setup.organizer)
    # when
    result = results.result_publish(round=setup.round, by=setup.organizer)
    # then: published, with every entry, and the organizers are told which are short
    assert result.is_published
    assert {e["title"]: e["judges"] for e in result.snapshot["entries"]} == {
        first.title: 2,
        second.title: 1,
        third.title: 3,
    }
    assert result.warnings == [
        "Fewer scores than the rubric asks for (3 per entry): "
        f"{first.title} (2), {second.title} (1)."
    ]
    standings = round_standings(round=setup.round)
    assert [(s.title, n) for s, n in standings.short_of_judges] == [
        (first.title, 2),
        (second.title, 1),
    ]


def test_results_with_every_entry_fully_scored_carry_no_warning(db):
    setup = _three_judges_score_everything()
    panel.judging_lock(rubric=setup.rubric, by=setup.organizer)
    result = results.result_publish(round=setup.round, by=setup.organizer)
    assert result.warnings == []
    assert round_standings(round=setup.round).short_of_judges == []


def test_when_every_judge_scores_every_entry_no_count_is_asked(db):
    # per_entry empty: "every judge scores every entry"; a conflict is no shortfall.
    setup = judged_round(entries=2, judges=2, per_entry=None)
    for judge in setup.judges:
        for entry in setup.entries:
            score(setup, judge, entry, 4, 4)
    panel.conflict_declare(judge=setup.judges[0], by=setup.organizer, teams=[setup.entries[0].team])
    panel.judging_lock(rubric=setup.rubric, by=setup.organizer)
    assert results.result_publish(round=setup.round, by=setup.organizer).warnings == []


# --- 6. demo pilots and criteria in each language, not both at once -----------------------


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def demo_loaded(db):
    load_portal(io.StringIO())
    challenges_demo.load(io.StringIO())


def test_the_demo_pilot_reads_in_one_language_per_page(client, demo_loaded):
    pilot = Pilot.objects.get(slug=judging_demo.PILOT_SLUGS[0])
    with translation.override("zh-hant"):
        assert _has_han(pilot.title) and "Shaded" not in pilot.title
        assert _has_han(pilot.summary)
    with translation.override("en"):
        assert pilot.title == "Shaded bus stops in Xinyi"
        assert not _has_han(pilot.summary)
    zh_page = client.get(f"/pilots/{pilot.slug}/").content.decode()
    en_page = client.get(f"/en/pilots/{pilot.slug}/").content.decode()
    assert "信義區遮蔭公車站" in zh_page and "Shaded bus stops in Xinyi" not in zh_page
    assert "Shaded bus stops in Xinyi" in en_page and "信義區遮蔭公車站" not in en_page


@pytest.mark.parametrize("slug", [judging_demo.SLUG, judging_demo.LIVE_SLUG])
def test_demo_criteria_are_named_in_the_readers_language(demo_loaded, slug):
    criteria = Criterion.objects.filter(rubric__round__challenge__slug=slug)
    assert criteria.count() == 3
    with translation.override("zh-hant"):
        assert all(_has_han(c.name) for c in criteria)
    with translation.override("en"):
        assert {c.name for c in criteria} == {"Impact", "Feasibility", "Use of open data"}


def test_published_criteria_are_served_in_the_readers_language(api_client, demo_loaded):
    url = f"/api/v1/challenges/{judging_demo.SLUG}/results/"
    zh = api_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hant").json()["rounds"][0]
    en = api_client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["rounds"][0]
    assert [c["name"] for c in en["criteria"]] == ["Impact", "Feasibility", "Use of open data"]
    assert all(_has_han(c["name"]) for c in zh["criteria"])
    assert all(_has_han(c["name"]) for c in zh["entries"][0]["criteria"])
    assert en["entries"][0]["criteria"][0]["name"] == "Impact"


def test_a_criterion_named_in_one_language_reads_in_the_other_by_fallback(db):
    setup = judged_round(entries=1, judges=0)
    with translation.override("zh-hant"):
        criterion = panel.criterion_add(rubric=setup.rubric, by=setup.organizer, name="創意")
    assert (criterion.name_zh_hant, criterion.name_en) == ("創意", None)
    with translation.override("en"):
        assert Criterion.objects.get(pk=criterion.pk).name == "創意"


def test_criteria_named_in_english_only_do_not_collide_in_chinese(db):
    # judged_round's criteria ("Impact", "Feasibility") are named in English only
    setup = judged_round(entries=1, judges=0)
    added = panel.criterion_add(
        rubric=setup.rubric, by=setup.organizer, name_zh_hant="創意", name_en="Creativity"
    )
    assert added.rubric.criteria.count() == 3
    with pytest.raises(ValidationError) as refused:
        panel.criterion_add(rubric=setup.rubric, by=setup.organizer, name_zh_hant="創意")
    assert refused.value.message_dict == {
        "name": ["This rubric already has a criterion with that name."]
    }


def test_a_pilot_title_changes_in_one_language_only(db):
    setup = published_winner()
    pilot = pilots.pilot_create(
        by=setup.organizer,
        title_zh_hant="遮蔭公車站",
        title="Shaded stops",
        host_agency=setup.challenge.organization,
        submission=setup.entries[0],
        slug="shaded-stops",
    )
    changed = pilots.pilot_update(pilot=pilot, by=setup.organizer, title_zh_hant="信義區遮蔭公車站")
    assert (changed.title_zh_hant, changed.title_en) == ("信義區遮蔭公車站", "Shaded stops")
