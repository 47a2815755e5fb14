"""Bug hunt on the server side of challenges: hostile or confused callers through the REST
API and the services. Each test names what a user would have seen before the fix."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone
from knox.models import AuthToken

from challenges.judging.models import (
    Assignment,
    Award,
    Judge,
    JudgeInvitation,
    Pilot,
    Result,
    Rubric,
    Score,
)
from challenges.judging.selectors import round_standings, scores_csv
from challenges.judging.services import panel, pilots, results
from challenges.models import (
    Challenge,
    DeadlineExtension,
    Invitation,
    Question,
    Round,
    Submission,
    Team,
    TeamMembership,
)
from challenges.services.challenges import challenge_advance_stage, round_extend_deadline
from challenges.services.community import question_ask, question_merge
from challenges.services.submissions import submission_create, submission_submit
from challenges.services.teams import team_create, team_leave
from portal.models import Membership, Organization
from tests.challenges.judging_setup import judged_round, published_winner, score
from tests.factories import (
    ChallengeFactory,
    DatasetFactory,
    MembershipFactory,
    OrganizationFactory,
    TeamMembershipFactory,
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


# --- judging: the panel ----------------------------------------------------------------------


def _open_round_again(setup):
    """The round's deadline is still ahead (e.g. the organizer set judging up early)."""
    Round.objects.filter(pk=setup.round.pk).update(closes_at=timezone.now() + timedelta(days=2))
    setup.round.refresh_from_db()


def test_a_used_judge_invitation_does_not_seat_someone_else(db):
    setup = judged_round(judges=0)
    invitation = panel.judge_invite(
        challenge=setup.challenge, email="j@example.org", by=setup.organizer
    )
    first = UserFactory(email="j@example.org")
    panel.judge_invitation_accept(invitation=invitation, user=first)
    # when: the link is forwarded and opened by someone else
    with pytest.raises(ValidationError) as error:
        panel.judge_invitation_accept(invitation=invitation, user=UserFactory())
    # then
    assert "already been used" in error.value.messages[0]
    assert list(Judge.objects.filter(challenge=setup.challenge)) == [Judge.objects.get(user=first)]
    # and a second click by the judge who accepted it is harmless
    assert panel.judge_invitation_accept(invitation=invitation, user=first).user == first


def test_a_withdrawn_judge_cannot_reseat_themselves_with_the_old_link(db):
    setup = judged_round(judges=0)
    invitation = panel.judge_invite(
        challenge=setup.challenge, email="j@example.org", by=setup.organizer
    )
    judge = panel.judge_invitation_accept(invitation=invitation, user=UserFactory())
    panel.judge_withdraw(judge=judge, by=setup.organizer)
    with pytest.raises(ValidationError):
        panel.judge_invitation_accept(invitation=invitation, user=judge.user)
    judge.refresh_from_db()
    assert judge.status == Judge.Status.WITHDRAWN


def test_a_judge_on_a_team_is_never_given_their_own_teams_entry(db):
    # given: a judge who is also a member of team 0, and one who works for team 1's company
    setup = judged_round(entries=3, judges=0, per_entry=None)
    member = setup.members[0]
    company = OrganizationFactory(kind=Organization.Kind.COMPANY)
    Team.objects.filter(pk=setup.entries[1].team_id).update(company=company)
    employee = MembershipFactory(organization=company).user
    seats = []
    for user in (member, employee, UserFactory()):
        judge = panel.judge_add(challenge=setup.challenge, user=user, by=setup.organizer)
        panel.conflict_declare(judge=judge, by=user)  # declares "none"
        seats.append(judge)
    # when
    panel.assignments_generate(round=setup.round, by=setup.organizer)

    # then
    def entries_of(judge):
        return set(Assignment.objects.filter(judge=judge).values_list("submission_id", flat=True))

    ids = [e.pk for e in setup.entries]
    assert entries_of(seats[0]) == {ids[1], ids[2]}
    assert entries_of(seats[1]) == {ids[0], ids[2]}
    assert entries_of(seats[2]) == set(ids)
    with pytest.raises(ValidationError):
        panel.assignment_add(judge=seats[0], submission=setup.entries[0], by=setup.organizer)


def test_a_judge_cannot_score_their_own_teams_entry_assigned_earlier(db):
    # given: an assignment made before the judge joined the team
    setup = judged_round(entries=1, judges=1)
    judge, entry = setup.judges[0], setup.entries[0]
    TeamMembership.objects.create(team=entry.team, user=judge.user)
    # when / then
    with pytest.raises(PermissionDenied):
        score(setup, judge, entry, 5, 5)
    assert not Score.objects.exists()


def test_assignments_wait_for_the_round_to_close(db):
    setup = judged_round(judges=0)
    judge = panel.judge_add(challenge=setup.challenge, user=UserFactory(), by=setup.organizer)
    panel.conflict_declare(judge=judge, by=judge.user)
    _open_round_again(setup)
    with pytest.raises(ValidationError) as error:
        panel.assignments_generate(round=setup.round, by=setup.organizer)
    assert "closes" in error.value.messages[0]
    with pytest.raises(ValidationError):
        panel.assignment_add(judge=judge, submission=setup.entries[0], by=setup.organizer)
    assert not Assignment.objects.exists()


def test_a_judge_cannot_score_while_the_team_may_still_change_its_entry(db):
    setup = judged_round(entries=1, judges=1)
    _open_round_again(setup)
    with pytest.raises(ValidationError) as error:
        score(setup, setup.judges[0], setup.entries[0], 4, 4)
    assert "closes" in error.value.messages[0]
    assert not Score.objects.exists()
    setup.rubric.refresh_from_db()
    assert setup.rubric.frozen_at is None


def test_no_scoring_once_the_challenge_is_at_results(db):
    setup = judged_round(entries=1, judges=1)
    Challenge.objects.filter(pk=setup.challenge.pk).update(status=Challenge.Status.RESULTS)
    with pytest.raises(PermissionDenied):
        score(setup, setup.judges[0], setup.entries[0], 4, 4)
    assert not Score.objects.exists()


def test_a_deadline_cannot_move_once_judging_has_started(db):
    setup = judged_round(entries=1, judges=1)
    before = setup.round.closes_at
    with pytest.raises(ValidationError) as error:
        round_extend_deadline(
            round=setup.round, by=setup.organizer, closes_at=timezone.now() + timedelta(days=3)
        )
    assert "closes_at" in error.value.message_dict
    setup.round.refresh_from_db()
    assert setup.round.closes_at == before
    assert not DeadlineExtension.objects.exists()


@pytest.mark.parametrize("status", [Submission.Status.DRAFT, Submission.Status.WITHDRAWN])
def test_an_organizer_cannot_hand_a_judge_an_entry_that_is_not_submitted(db, status):
    # A draft is hidden even from the organizers; assigning it would show it to a judge.
    setup = judged_round(entries=2, judges=1, per_entry=1)
    entry = setup.entries[0]
    Assignment.objects.filter(submission=entry).delete()
    Submission.objects.filter(pk=entry.pk).update(status=status)
    entry.refresh_from_db()
    with pytest.raises(ValidationError):
        panel.assignment_add(judge=setup.judges[0], submission=entry, by=setup.organizer)
    assert not Assignment.objects.filter(submission=entry).exists()


def test_an_organizer_cannot_give_work_to_a_withdrawn_judge(db):
    setup = judged_round(entries=1, judges=2, per_entry=1)
    idle = next(j for j in setup.judges if not j.assignments.exists())
    panel.judge_withdraw(judge=idle, by=setup.organizer)
    with pytest.raises(ValidationError):
        panel.assignment_add(judge=idle, submission=setup.entries[0], by=setup.organizer)
    assert not idle.assignments.exists()


# --- judging: rubric numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"scale_min": "abc"}, "scale_min"),
        ({"scale_max": "NaN"}, "scale_max"),
        ({"scale_max": "1000"}, "scale_max"),
        ({"scale_max": "1e10"}, "scale_max"),
        ({"scale_min": "0.25"}, "scale_min"),
        ({"step": "x"}, "step"),
        ({"tie_margin": "abc"}, "tie_margin"),
        ({"tie_margin": "100"}, "tie_margin"),
        ({"tie_margin": "0.001"}, "tie_margin"),
        ({"judges_per_entry": 2**70}, "judges_per_entry"),
        ({"judges_per_entry": 70000}, "judges_per_entry"),
        ({"method": "loudest"}, "method"),
    ],
)
def test_rubric_settings_out_of_bounds_are_refused_naming_the_field(db, values, field):
    setup = judged_round(judges=0)
    before = Rubric.objects.values().get(pk=setup.rubric.pk)
    with pytest.raises(ValidationError) as error:
        panel.rubric_save(round=setup.round, by=setup.organizer, **values)
    assert list(error.value.message_dict) == [field]
    assert Rubric.objects.values().get(pk=setup.rubric.pk) == before


@pytest.mark.parametrize("weight", ["1000", "999.999", "1e400", "0.001"])
def test_criterion_weights_the_database_cannot_hold_are_refused(db, weight):
    setup = judged_round(judges=0)
    with pytest.raises(ValidationError) as error:
        panel.criterion_add(rubric=setup.rubric, by=setup.organizer, name="Reach", weight=weight)
    assert list(error.value.message_dict) == ["weight"]
    assert not setup.rubric.criteria.filter(name="Reach").exists()


def test_a_criterion_name_longer_than_the_column_is_refused(db):
    setup = judged_round(judges=0)
    with pytest.raises(ValidationError) as error:
        panel.criterion_add(rubric=setup.rubric, by=setup.organizer, name="x" * 201)
    assert list(error.value.message_dict) == ["name"]


def test_weights_need_not_add_up_to_100(db):
    # Weights are relative: 2 and 1 rank exactly as 66.67 and 33.33 would.
    setup = judged_round(entries=2, judges=1)
    score(setup, setup.judges[0], setup.entries[0], 5, 2)  # (10 + 2) / 3 = 4
    score(setup, setup.judges[0], setup.entries[1], 3, 5)  # (6 + 5) / 3 = 3.67
    rows = round_standings(round=setup.round, method="raw").rows
    assert [r.submission.pk for r in rows] == [setup.entries[0].pk, setup.entries[1].pk]
    assert rows[0].ranked.raw == pytest.approx(4.0)
    assert rows[1].ranked.raw == pytest.approx(11 / 3)


# --- judging pages: posted ids and values ----------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"action": "criterion_delete", "criterion": "abc"},
        {"action": "conflict", "judge": "abc", "team": "1"},
        {"action": "withdraw", "judge": BEYOND_64_BITS},
        {"action": "assignment_add", "judge": "x", "submission": "²"},
        {"action": "vote", "opens_at": "2026-13-45T00:00", "closes_at": "2026-13-46T00:00"},
    ],
)
def test_judging_panel_answers_a_bad_id_or_date_without_a_server_error(client, db, data):
    setup = judged_round(judges=1)
    client.force_login(setup.organizer)
    response = client.post(f"/en/challenges/{setup.challenge.slug}/rounds/1/judging/", data)
    assert response.status_code in (302, 404)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "rubric", "judges_per_entry": "²"}, "judges per entry"),
        ({"action": "rubric", "judges_per_entry": "three"}, "judges per entry"),
        ({"action": "rubric", "scale_min": "abc"}, "Enter a number."),
        ({"action": "invite", "email": "a\x00b@example.org"}, "valid e-mail"),
        ({"action": "invite", "email": "a@b@example.org"}, "valid e-mail"),
    ],
)
def test_judging_panel_explains_a_bad_setting(client, db, data, message):
    setup = judged_round(judges=1)
    client.force_login(setup.organizer)
    response = client.post(
        f"/en/challenges/{setup.challenge.slug}/rounds/1/judging/", data, follow=True
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not JudgeInvitation.objects.exists()


def test_results_and_vote_answer_a_bad_entry_id_with_404(client, db):
    setup = judged_round(judges=1)
    client.force_login(setup.organizer)
    slug = setup.challenge.slug
    response = client.post(
        f"/en/challenges/{slug}/rounds/1/results/", {"action": "award", "submission": "abc"}
    )
    assert response.status_code == 404
    assert client.post(f"/en/challenges/{slug}/vote/", {"submission": "x"}).status_code == 404


def test_a_judge_opening_an_entry_id_past_64_bits_gets_a_refusal(client, db):
    setup = judged_round(judges=1)
    client.force_login(setup.judges[0].user)
    slug = setup.challenge.slug
    response = client.get(f"/en/challenges/{slug}/judging/entries/{BEYOND_64_BITS}/")
    assert response.status_code in (403, 404)
    response = client.post(f"/en/challenges/{slug}/judging/conflicts/", {"teams": ["²"]})
    assert response.status_code == 302


def test_piloting_an_entry_id_that_is_not_a_number_is_a_404(client, db):
    setup = judged_round(judges=1)
    client.force_login(setup.organizer)
    assert client.get("/en/pilots/new/?entry=²").status_code == 404


# --- results: entries the panel never scored -------------------------------------------------


def test_results_are_not_published_while_an_entry_has_no_submitted_score(db):
    # given: the judge scored one of two entries and the organizer locked judging
    setup = judged_round(entries=2, judges=1)
    score(setup, setup.judges[0], setup.entries[0], 5, 4)
    panel.judging_lock(rubric=setup.rubric, by=setup.organizer)
    # when / then: the second team would simply be missing from the published results
    with pytest.raises(ValidationError) as error:
        results.result_publish(round=setup.round, by=setup.organizer)
    assert setup.entries[1].title in error.value.messages[0]
    assert not Result.objects.filter(published_at__isnull=False).exists()


def test_a_late_conflict_that_leaves_an_entry_unscored_blocks_publication(db):
    # given: one judge per entry; a judge's conflict, recorded after scoring, removes the
    # only scores an entry had
    setup = judged_round(entries=2, judges=2, per_entry=1)
    for judge in setup.judges:
        for assignment in judge.assignments.all():
            score(setup, judge, assignment.submission, 4, 4)
    victim = setup.entries[1]
    judge = Assignment.objects.get(submission=victim).judge
    panel.conflict_declare(judge=judge, by=setup.organizer, teams=[victim.team])
    panel.judging_lock(rubric=setup.rubric, by=setup.organizer)
    with pytest.raises(ValidationError) as error:
        results.result_publish(round=setup.round, by=setup.organizer)
    assert victim.title in error.value.messages[0]


# --- Q&A --------------------------------------------------------------------------------------


def test_merging_a_question_into_its_own_duplicate_is_refused(challenge, organizer, outsider):
    first = question_ask(challenge=challenge, by=outsider, text="Is the GPS data real-time?")
    second = question_ask(challenge=challenge, by=UserFactory(), text="Real-time GPS?")
    question_merge(question=first, into=second, by=organizer)
    # when: the organizer changes their mind and merges the other way round
    with pytest.raises(ValidationError):
        question_merge(question=second, into=first, by=organizer)
    # then: no question points at itself, nothing changed
    second.refresh_from_db()
    assert (second.status, second.duplicate_of) == (Question.Status.OPEN, None)
    assert not Question.objects.filter(duplicate_of=F("pk")).exists()


# --- teams: leaving ---------------------------------------------------------------------------


def test_the_last_member_cannot_leave_a_team_with_a_live_entry(challenge, team, lead, during_round):
    entry = submission_create(team=team, round=challenge.rounds.get(), by=lead, title="T")
    with pytest.raises(ValidationError) as error:
        team_leave(team=team, by=lead)
    assert "entry" in error.value.messages[0]
    assert team.memberships.filter(user=lead).exists()
    # once the entry is withdrawn they may go
    Submission.objects.filter(pk=entry.pk).update(status=Submission.Status.WITHDRAWN)
    team_leave(team=team, by=lead)
    assert not team.memberships.exists()


def test_the_last_member_leaving_a_team_without_entries_removes_the_team(
    challenge, team, lead, during_round
):
    team_leave(team=team, by=lead)
    assert not Team.objects.filter(pk=team.pk).exists()
    # and the name is free again
    team_create(challenge=challenge, by=UserFactory(), name=team.name)


def test_a_lead_who_leaves_hands_the_lead_to_the_longest_standing_member(
    challenge, team, lead, during_round
):
    # given: there is no way to hand the lead over, so the lead used to be stuck for good
    first = TeamMembershipFactory(team=team).user
    TeamMembershipFactory(team=team)
    # when
    team_leave(team=team, by=lead)
    # then
    assert not team.memberships.filter(user=lead).exists()
    assert list(
        team.memberships.filter(role=TeamMembership.Role.LEAD).values_list("user", flat=True)
    ) == [first.pk]


# --- pilots ----------------------------------------------------------------------------------


def test_a_public_pilot_page_does_not_name_private_datasets(client, db):
    setup = published_winner()
    secret = DatasetFactory(private=True, title_en="Secret camera feed", name="secret-cams")
    public = DatasetFactory(title_en="Bus stops", name="bus-stops")
    pilot = pilots.pilot_create(
        by=setup.organizer,
        title="Shaded stops",
        host_agency=setup.challenge.organization,
        submission=setup.entries[0],
        datasets=[secret, public],
    )
    page = client.get(f"/en/pilots/{pilot.slug}/").content.decode()
    assert "Bus stops" in page
    assert "Secret camera feed" not in page


# --- challenge list filters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("q=%00", "q"),
        ("status=%00", "status"),
        ("city=a%00b", "city"),
        ("theme=%00", "theme"),
        ("organization=%00", "organization"),
        ("status=finished", "status"),
        ("prize=gold", "prize"),
    ],
)
def test_a_bad_list_filter_is_a_400_naming_it(api_client, challenge, query, field):
    response = api_client.get(f"/api/v1/challenges/?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert list(response.json()) == [field]


# --- text longer than its column ---------------------------------------------------------------


def test_a_prize_longer_than_its_column_is_refused_naming_it(db):
    # PostgreSQL refused the row (value too long): a 500 on the results page
    setup = judged_round(judges=1)
    with pytest.raises(ValidationError) as error:
        results.award_set(
            round=setup.round,
            submission=setup.entries[0],
            by=setup.organizer,
            kind="winner",
            prize="x" * 201,
        )
    assert list(error.value.message_dict) == ["prize"]
    assert not Award.objects.exists()


def test_a_judge_address_longer_than_its_column_is_refused_naming_it(db):
    setup = judged_round(judges=0)
    address = "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "org"  # valid, but 313 characters
    with pytest.raises(ValidationError) as error:
        panel.judge_invite(challenge=setup.challenge, email=address, by=setup.organizer)
    assert list(error.value.message_dict) == ["email"]
    assert not JudgeInvitation.objects.exists()


def test_inviting_an_address_again_sends_its_link_again_and_lists_it_once(
    client, db, django_capture_on_commit_callbacks
):
    setup = judged_round(judges=0)
    client.force_login(setup.organizer)
    url = f"/en/challenges/{setup.challenge.slug}/rounds/1/judging/"

    for address in ("judge@example.org", "Judge@Example.org "):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"action": "invite", "email": address})

    page = client.get(url).content.decode()
    assert page.count("Invitation waiting: judge@example.org") == 1
    assert [m.to for m in mail.outbox] == [["judge@example.org"]] * 2
    (invitation,) = JudgeInvitation.objects.all()
    assert all(invitation.token in m.body for m in mail.outbox)


def test_a_judge_of_the_challenge_is_not_invited_again(client, db):
    setup = judged_round(judges=1)
    client.force_login(setup.organizer)
    email = setup.judges[0].user.email
    mail.outbox.clear()

    response = client.post(
        f"/en/challenges/{setup.challenge.slug}/rounds/1/judging/",
        {"action": "invite", "email": email.upper()},
        follow=True,
    )

    assert f"{email} already judges this challenge." in response.content.decode()
    assert not JudgeInvitation.objects.exists() and not mail.outbox


def test_withdrawing_a_judge_with_work_in_a_still_open_round_keeps_it_open(db):
    # given: assignments made in a round that is open again (before judging had to wait)
    setup = judged_round(entries=2, judges=2, per_entry=1)
    _open_round_again(setup)
    judge = setup.judges[0]
    # when
    panel.judge_withdraw(judge=judge, by=setup.organizer)
    # then: the judge is off the panel; the entries are handed out once the round closes
    judge.refresh_from_db()
    assert judge.status == Judge.Status.WITHDRAWN
    assert not judge.assignments.exists()


# --- stages out of order ------------------------------------------------------------------------


def test_a_deadline_cannot_move_once_the_challenge_is_being_judged(db):
    # given: judging stage, no assignment yet; extending used to e-mail everyone a new
    # deadline that no entry could use (entries are refused at this stage)
    setup = judged_round(judges=0)
    with pytest.raises(ValidationError) as error:
        round_extend_deadline(
            round=setup.round, by=setup.organizer, closes_at=timezone.now() + timedelta(days=3)
        )
    assert list(error.value.message_dict) == ["closes_at"]
    assert not DeadlineExtension.objects.exists()


def test_results_stage_waits_for_the_judged_rounds_results(db):
    setup = published_winner()
    admin = MembershipFactory(
        organization=setup.challenge.organization, role=Membership.Role.ADMIN
    ).user
    Result.objects.update(published_at=None)  # judged, locked, but not yet published
    with pytest.raises(ValidationError) as error:
        challenge_advance_stage(challenge=setup.challenge, by=admin, to=Challenge.Status.RESULTS)
    assert setup.round.title in error.value.messages[0]
    setup.challenge.refresh_from_db()
    assert setup.challenge.status == Challenge.Status.JUDGING
    # once published, the stage may move on
    Result.objects.update(published_at=timezone.now())
    challenge_advance_stage(challenge=setup.challenge, by=admin, to=Challenge.Status.RESULTS)


# --- pilots: where they come from ---------------------------------------------------------------


def test_a_pilot_names_only_a_challenge_and_entry_its_host_can_see(db):
    # given: an editor of another agency, and an invite-only challenge they were not
    # invited to (a public pilot page would show its title, entry and team)
    setup = published_winner()
    Challenge.objects.filter(pk=setup.challenge.pk).update(private=True)
    setup.challenge.refresh_from_db()
    setup.entries[0].refresh_from_db()
    stranger = MembershipFactory(role=Membership.Role.EDITOR)
    # when / then
    with pytest.raises(PermissionDenied):
        pilots.pilot_create(
            by=stranger.user,
            title="Borrowed idea",
            host_agency=stranger.organization,
            submission=setup.entries[0],
        )
    with pytest.raises(PermissionDenied):
        pilots.pilot_create(
            by=stranger.user,
            title="Borrowed challenge",
            host_agency=stranger.organization,
            challenge=setup.challenge,
        )
    assert not Pilot.objects.exists()


def test_a_host_agency_may_pilot_a_published_winner_of_a_public_challenge(db):
    setup = published_winner()
    host = MembershipFactory(role=Membership.Role.EDITOR)
    pilot = pilots.pilot_create(
        by=host.user, title="Shade", host_agency=host.organization, submission=setup.entries[0]
    )
    assert pilot.challenge == setup.challenge


def test_a_host_agency_cannot_pilot_an_entry_that_is_not_public(db):
    # submitted, not showcased, no results yet: only the team and organizers know it
    setup = judged_round(entries=1, judges=0)
    host = MembershipFactory(role=Membership.Role.EDITOR)
    with pytest.raises(PermissionDenied):
        pilots.pilot_create(
            by=host.user, title="Other", host_agency=host.organization, submission=setup.entries[0]
        )
    assert not Pilot.objects.exists()


# --- the organizers' score export -------------------------------------------------------------


def test_the_score_export_does_not_run_participant_or_judge_text_as_formulas(db):
    # given: a team named like a formula, and a judge's comment that starts with one
    setup = judged_round(entries=1, judges=1)
    entry = setup.entries[0]
    Team.objects.filter(pk=entry.team_id).update(name='=HYPERLINK("http://evil.example","x")')
    Submission.objects.filter(pk=entry.pk).update(title="@SUM(A1:A9)")
    impact, feasibility = setup.criteria
    from challenges.judging.services.scoring import scores_save

    scores_save(
        assignment=Assignment.objects.get(submission=entry),
        by=setup.judges[0].user,
        values={impact.pk: 4, feasibility.pk: 3},
        comments={impact.pk: "-2+3 looks fine"},
        submit=True,
    )
    # when
    rows = list(csv.reader(io.StringIO(scores_csv(round=setup.round))))
    # then: every text cell that a spreadsheet would run starts with an apostrophe
    cells = [cell for row in rows[1:] for cell in row]
    assert "'@SUM(A1:A9)" in cells
    assert """'=HYPERLINK("http://evil.example","x")""" in cells
    assert "'-2+3 looks fine" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
