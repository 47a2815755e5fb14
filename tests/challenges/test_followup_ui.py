"""Challenge pages after the bug hunts: forms that keep input, headings screen readers can
announce, dates with their zone, an export a city official can read, leaving a team,
pilots that name only what the reader may see, the public vote's ballot, results not out."""

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from challenges.judging.models import PeoplesChoice, Pilot, Vote
from challenges.models import Challenge, Submission, TeamMembership
from tests.challenges.judging_setup import judged_round, published_winner
from tests.factories import SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db

TAIPEI = ZoneInfo("Asia/Taipei")


def _html(response) -> str:
    return response.content.decode()


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# 1. Extending a deadline keeps what was typed ----------------------------------------------


def test_extension_to_an_earlier_date_keeps_the_reason_and_names_the_field(
    client, challenge, organizer
):
    client.force_login(organizer)
    response = client.post(
        f"/en/challenges/{challenge.slug}/rounds/1/extend/",
        {"closes_at": "2026-03-01T10:00", "reason": "Typhoon day"},
    )
    html = _html(response)
    assert response.status_code == 400
    assert 'value="Typhoon day"' in html
    assert re.search(
        r'id="extend-1-closes_at_error"[^>]*>The new deadline must be later than the current one\.',
        html,
    ), html
    assert 'aria-describedby="extend-1-closes_at_error"' in html
    assert not challenge.rounds.get().extensions.exists()


def test_extension_error_is_in_the_readers_language(client, challenge, organizer):
    client.force_login(organizer)
    response = client.post(
        f"/challenges/{challenge.slug}/rounds/1/extend/",
        {"closes_at": "", "reason": "颱風假"},
    )
    html = _html(response)
    assert response.status_code == 400
    assert "颱風假" in html
    assert re.search(r'id="extend-1-closes_at_error"[^>]*>請輸入新的截止時間。', html), html


def test_extension_with_an_impossible_date_keeps_the_typed_date(client, challenge, organizer):
    client.force_login(organizer)
    response = client.post(
        f"/en/challenges/{challenge.slug}/rounds/1/extend/",
        {"closes_at": "2026-13-45T10:00", "reason": "x"},
    )
    html = _html(response)
    assert response.status_code == 400
    assert 'value="2026-13-45T10:00"' in html
    assert 'id="extend-1-closes_at_error"' in html


def test_a_good_extension_still_moves_the_deadline(client, challenge, organizer):
    client.force_login(organizer)
    response = client.post(
        f"/en/challenges/{challenge.slug}/rounds/1/extend/",
        {"closes_at": "2026-04-07T23:59:59", "reason": "More time"},
    )
    assert response.status_code == 302
    assert challenge.rounds.get().closes_at == datetime(2026, 4, 7, 23, 59, 59, tzinfo=TAIPEI)


# 2. Every column heading has words ----------------------------------------------------------


def _headings(html: str) -> list[str]:
    return [_text(cell) for cell in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)]


def test_judge_queue_action_column_has_a_heading(client):
    setup = judged_round(entries=2, judges=1)
    client.force_login(setup.judges[0].user)
    response = client.get(f"/en/challenges/{setup.challenge.slug}/judging/")
    assert response.status_code == 200
    headings = _headings(_html(response))
    assert len(headings) == 3
    assert all(headings), headings
    assert '<span class="visually-hidden">' in _html(response)


def test_judging_panel_tables_have_a_heading_on_every_column(client):
    setup = judged_round(entries=2, judges=1)
    client.force_login(setup.organizer)
    html = _html(client.get(f"/en/challenges/{setup.challenge.slug}/rounds/1/judging/"))
    headings = _headings(html)
    assert len(headings) == 7  # criteria (3) and panel (4)
    assert all(headings), headings


# 3. The public vote's window: dates with their zone, inputs kept ---------------------------


def _vote_window(setup, opens, closes):
    return PeoplesChoice.objects.create(challenge=setup.challenge, opens_at=opens, closes_at=closes)


def test_vote_window_is_shown_with_the_zone_by_name(client):
    setup = judged_round(entries=2, judges=1)
    _vote_window(
        setup,
        datetime(2030, 5, 1, 9, 0, tzinfo=TAIPEI),
        datetime(2030, 5, 8, 18, 0, tzinfo=TAIPEI),
    )
    client.force_login(setup.organizer)
    html = _html(client.get(f"/en/challenges/{setup.challenge.slug}/rounds/1/judging/"))
    assert "2030-05-01 09:00:00 (Asia/Taipei)" in html
    assert "2030-05-08 18:00:00 (Asia/Taipei)" in html
    # the form shows the window it would change
    assert 'value="2030-05-01T09:00"' in html
    # and the public page tells voters when
    public = _html(client.get(f"/en/challenges/{setup.challenge.slug}/results/"))
    assert "The public vote opens on 2030-05-01 09:00:00 (Asia/Taipei)." in public


def test_refused_vote_window_keeps_the_typed_times(client):
    setup = judged_round(entries=2, judges=1)
    client.force_login(setup.organizer)
    url = f"/en/challenges/{setup.challenge.slug}/rounds/1/judging/"
    response = client.post(
        url,
        {"action": "vote", "opens_at": "2030-05-08T18:00", "closes_at": "2030-05-01T09:00"},
        follow=True,
    )
    html = _html(response)
    assert "Voting must close after it opens." in html
    assert 'value="2030-05-08T18:00"' in html
    assert 'value="2030-05-01T09:00"' in html
    assert not PeoplesChoice.objects.exists()


def test_ballot_is_offered_only_while_the_vote_is_open(client):
    setup = judged_round(entries=1, judges=0)
    Submission.objects.filter(pk=setup.entries[0].pk).update(showcased=True)
    now = timezone.now()
    _vote_window(setup, now + timedelta(days=1), now + timedelta(days=2))
    client.force_login(UserFactory())
    html = _html(client.get(f"/en/challenges/{setup.challenge.slug}/results/"))
    assert 'name="submission"' not in html
    assert "The public vote opens" in html


# 4. The organizers' entries CSV -------------------------------------------------------------


def _entries_csv(client, challenge, prefix="/en") -> list[dict]:
    response = client.get(f"{prefix}/challenges/{challenge.slug}/workspace/entries.csv")
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_entries_csv_escapes_formulas_but_not_negative_numbers(client, challenge, organizer, team):
    SubmissionFactory(
        team=team,
        round=challenge.rounds.get(),
        title="-42",
        summary='\t=HYPERLINK("http://evil.example")',
        status=Submission.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    team.name = "=cmd|' /C calc'!A0"
    team.save(update_fields=["name"])
    client.force_login(organizer)
    [row] = _entries_csv(client, challenge)
    assert row["title"] == "-42"
    assert row["summary"].startswith("'\t=")
    assert row["team"].startswith("'=")


def test_entries_csv_writes_status_and_yes_no_in_the_readers_language(
    client, challenge, organizer, team
):
    SubmissionFactory(
        team=team,
        round=challenge.rounds.get(),
        status=Submission.Status.SUBMITTED,
        submitted_at=timezone.now(),
        showcased=True,
        advanced=False,
    )
    client.force_login(organizer)
    [row] = _entries_csv(client, challenge)
    assert (row["status"], row["showcased"], row["advanced"]) == ("Submitted", "Yes", "No")
    [row] = _entries_csv(client, challenge, prefix="")
    assert (row["status"], row["showcased"], row["advanced"]) == ("已送出", "是", "否")


# 5. Leaving a team ---------------------------------------------------------------------------


def _team_url(challenge, team, prefix="/en"):
    return f"{prefix}/challenges/{challenge.slug}/teams/{team.slug}/"


def test_member_is_offered_to_leave_and_asked_to_confirm(client, challenge, team, lead):
    client.force_login(lead)
    html = _html(client.get(_team_url(challenge, team)))
    assert f'href="{_team_url(challenge, team)}?leave=1#leave"' in html
    confirm = _html(client.get(_team_url(challenge, team) + "?leave=1"))
    assert "Leave Bus Finders?" in confirm
    assert 'name="action" value="leave"' in confirm
    # asking is not leaving
    assert team.memberships.filter(user=lead).exists()


def test_outsider_is_not_offered_to_leave(client, challenge, team, outsider):
    client.force_login(outsider)
    html = _html(client.get(_team_url(challenge, team) + "?leave=1"))
    assert 'value="leave"' not in html
    assert f'href="{_team_url(challenge, team)}?leave=1#leave"' not in html
    assert client.post(_team_url(challenge, team), {"action": "leave"}).status_code == 404


def test_lead_leaves_and_the_lead_passes_on(client, challenge, team, lead):
    other = UserFactory(username="other")
    TeamMembership.objects.create(team=team, user=other)
    client.force_login(lead)
    response = client.post(_team_url(challenge, team), {"action": "leave"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/en/challenges/{challenge.slug}/"
    assert "You left Bus Finders." in _html(response)
    assert not team.memberships.filter(user=lead).exists()
    assert team.memberships.get(user=other).role == TeamMembership.Role.LEAD


def test_last_member_with_an_entry_is_told_why_they_cannot_leave(client, challenge, team, lead):
    SubmissionFactory(team=team, round=challenge.rounds.get())
    client.force_login(lead)
    response = client.post(_team_url(challenge, team, prefix=""), {"action": "leave"})
    html = _html(response)
    assert response.status_code == 400
    assert "你是團隊最後一位成員，且團隊還有作品：請先撤回作品。" in html
    assert team.memberships.filter(user=lead).exists()


def test_inviting_still_works_on_the_team_page(client, challenge, team, lead, during_round):
    UserFactory(username="friend")
    client.force_login(lead)
    response = client.post(_team_url(challenge, team), {"who": "friend"})
    assert response.status_code == 302
    assert team.invitations.filter(user__username="friend").exists()


# 6. A pilot names only the challenge and entry its reader may see ---------------------------


def _pilot(setup, entry, **fields) -> Pilot:
    return Pilot.objects.create(
        slug="shade",
        title="Shade at bus stops",
        host_agency=setup.challenge.organization,
        challenge=setup.challenge,
        submission=entry,
        public=True,
        **fields,
    )


def test_pilot_from_an_invite_only_challenge_does_not_name_it(client):
    setup = published_winner()
    Challenge.objects.filter(pk=setup.challenge.pk).update(private=True)
    _pilot(setup, setup.entries[0])
    html = _html(client.get("/en/pilots/shade/"))
    assert "Shade at bus stops" in html
    assert "Cooler streets" not in html
    assert "Team 0" not in html
    # its organizers still see where it came from
    client.force_login(setup.organizer)
    html = _html(client.get("/en/pilots/shade/"))
    assert "Cooler streets" in html and "Team 0 entry" in html


def test_pilot_names_an_entry_only_once_it_is_public(client):
    setup = judged_round(entries=1, judges=0)  # submitted, not showcased, no results
    _pilot(setup, setup.entries[0])
    html = _html(client.get("/en/pilots/shade/"))
    assert "Cooler streets" in html
    assert "Team 0 entry" not in html and "Team 0" not in html
    Submission.objects.filter(pk=setup.entries[0].pk).update(showcased=True)
    html = _html(client.get("/en/pilots/shade/"))
    assert "Team 0 entry" in html and "(Team 0)" in html


def test_pilot_names_a_winner_from_published_results(client):
    setup = published_winner()
    _pilot(setup, setup.entries[0])
    html = _html(client.get("/en/pilots/shade/"))
    assert "Cooler streets" in html and "Team 0 entry" in html


# 7. The public vote's ballot holds the showcased entries ------------------------------------


def test_ballot_lists_only_showcased_entries(client):
    setup = judged_round(entries=3, judges=0)
    Submission.objects.filter(pk=setup.entries[1].pk).update(showcased=True)
    now = timezone.now()
    _vote_window(setup, now - timedelta(hours=1), now + timedelta(days=1))
    voter = UserFactory()
    client.force_login(voter)
    html = _html(client.get(f"/en/challenges/{setup.challenge.slug}/results/"))
    assert "Team 1 entry" in html
    assert "Team 0 entry" not in html and "Team 2 entry" not in html
    client.post(f"/en/challenges/{setup.challenge.slug}/vote/", {"submission": setup.entries[1].pk})
    assert list(Vote.objects.values_list("submission_id", flat=True)) == [setup.entries[1].pk]


def test_ballot_without_showcased_entries_says_so(client):
    setup = judged_round(entries=2, judges=0)
    now = timezone.now()
    _vote_window(setup, now - timedelta(hours=1), now + timedelta(days=1))
    client.force_login(UserFactory())
    html = _html(client.get(f"/en/challenges/{setup.challenge.slug}/results/"))
    assert "Team 0 entry" not in html
    assert 'name="submission"' not in html
    assert "No entries are on the ballot yet." in html


# 9. Round results before there is a rubric --------------------------------------------------


def test_round_results_before_a_rubric_say_they_are_not_out_yet(client, challenge, organizer):
    client.force_login(organizer)
    response = client.get(f"/en/challenges/{challenge.slug}/rounds/1/results/")
    # still not found (there are no results), but a page that says why and what to do
    assert response.status_code == 404
    html = _html(response)
    assert "The results of this round are not out yet." in html
    assert f"/en/challenges/{challenge.slug}/rounds/1/judging/" in html


def test_public_results_page_before_judging_is_not_a_404(client, challenge):
    response = client.get(f"/en/challenges/{challenge.slug}/results/")
    assert response.status_code == 200
    assert "The results have not been published yet." in _html(response)


# 8. DRF's own messages in Traditional Chinese -----------------------------------------------
# DRF's zh_Hant catalog translates only some of its messages; locale/zh_Hant holds the
# project's translations of the others. The language itself is activated for the API.


def test_api_answers_a_zh_hant_request_with_drf_messages_in_chinese(client, challenge):
    response = client.post(
        f"/api/v1/challenges/{challenge.slug}/teams/",
        {"name": "Team"},
        content_type="application/json",
        headers={"accept-language": "zh-hant"},
    )
    assert response.status_code in (401, 403)
    assert response.json()["detail"].startswith("未提供身分驗證資訊。")


def test_api_speaks_traditional_chinese_for_drf_field_messages(
    client, challenge, lead, during_round
):
    client.force_login(lead)
    response = client.post(
        f"/api/v1/challenges/{challenge.slug}/teams/",
        {"name": ["not", "text"], "company": "not a slug!"},
        content_type="application/json",
        headers={"accept-language": "zh-hant"},
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors["name"] == ["不是有效的字串。"], errors
    assert "字母" in errors["company"][0], errors


def test_publishing_results_tells_the_organizer_which_entries_are_short_of_judges(client, db):
    from challenges.judging.services import panel
    from tests.challenges.test_followup_server import _three_judges_score_everything

    setup = _three_judges_score_everything()
    first = setup.entries[0]
    panel.conflict_declare(judge=setup.judges[0], by=setup.organizer, teams=[first.team])
    panel.judging_lock(rubric=setup.rubric, by=setup.organizer)
    client.force_login(setup.organizer)

    page = client.post(
        f"/en/challenges/{setup.challenge.slug}/rounds/1/results/",
        {"action": "publish"},
        follow=True,
    ).content.decode()

    assert "Results published." in page
    assert f"Fewer scores than the rubric asks for (3 per entry): {first.title} (2)." in page
