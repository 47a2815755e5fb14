"""Results: standings, ties for the panel, publication freezes a snapshot, CSV, API, vote."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from challenges.judging.models import Award, Result, Score, Vote
from challenges.judging.selectors import round_standings
from challenges.judging.services import panel, results
from challenges.models import Submission
from tests.challenges.judging_setup import english, judged_round, score  # noqa: F401 (fixture)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def scored(tie=True):
    """Three judges score four entries; entries 1 and 2 get identical marks (a tie)."""
    setup = judged_round()
    table = {0: (5, 4), 1: (3, 3), 2: (3, 3) if tie else (2, 2), 3: (1, 2)}
    for judge in setup.judges:
        for i, entry in enumerate(setup.entries):
            score(setup, judge, entry, *table[i])
    return setup


def test_standings_flag_ties_and_never_order_them_by_id():
    setup = scored()
    standings = round_standings(round=setup.round)
    ranks = [(row.submission.pk, row.ranked.rank, row.ranked.tied) for row in standings.rows]
    e = [s.pk for s in setup.entries]
    assert ranks[0] == (e[0], 1, False)
    assert {ranks[1], ranks[2]} == {(e[1], 2, True), (e[2], 2, True)}
    assert ranks[3] == (e[3], 4, False)
    assert standings.unresolved_ties


def test_panel_resolves_a_tie_explicitly():
    setup = scored()
    e = [s.pk for s in setup.entries]
    results.result_tie_order_set(round=setup.round, by=setup.organizer, order=[e[2], e[1]])
    ranks = [
        (row.submission.pk, row.ranked.rank) for row in round_standings(round=setup.round).rows
    ]
    assert ranks[1:3] == [(e[2], 2), (e[1], 3)]


def test_publishing_needs_the_lock_and_a_decision_on_ties_across_awards():
    setup = scored()
    results.award_set(
        round=setup.round, submission=setup.entries[1], by=setup.organizer, kind="runner_up"
    )
    with pytest.raises(ValidationError, match="Lock judging"):
        results.result_publish(round=setup.round, by=setup.organizer)
    panel.judging_lock(rubric=setup.rubric, by=setup.organizer)
    with pytest.raises(ValidationError, match="tied for different awards"):
        results.result_publish(round=setup.round, by=setup.organizer)
    e = [s.pk for s in setup.entries]
    results.result_tie_order_set(round=setup.round, by=setup.organizer, order=[e[1], e[2]])
    result = results.result_publish(round=setup.round, by=setup.organizer)
    assert result.snapshot["method"] == "normalised"
    assert [entry["id"] for entry in result.snapshot["entries"]] == e


def publish(setup):
    results.award_set(
        round=setup.round,
        submission=setup.entries[0],
        by=setup.organizer,
        kind=Award.Kind.WINNER,
        prize="NT$100,000",
        feedback="Strong impact case.",
    )
    panel.judging_lock(rubric=setup.rubric, by=setup.organizer)
    return results.result_publish(round=setup.round, by=setup.organizer)


def test_published_results_are_frozen():
    setup = scored()
    result = publish(setup)
    snapshot = dict(result.snapshot)
    with pytest.raises(PermissionDenied):
        results.award_set(
            round=setup.round, submission=setup.entries[3], by=setup.organizer, kind="winner"
        )
    with pytest.raises(PermissionDenied):
        results.result_publish(round=setup.round, by=setup.organizer)
    with pytest.raises(ValidationError, match="published"):
        panel.judging_unlock(rubric=setup.rubric, by=setup.organizer)
    with pytest.raises(PermissionDenied):
        score(setup, setup.judges[0], setup.entries[3], 5, 5)
    result.refresh_from_db()
    assert result.snapshot == snapshot
    assert Award.objects.filter(kind="winner").count() == 1


def test_api_serves_published_results_without_private_feedback(api_client):
    setup = scored()
    url = f"/api/v1/challenges/{setup.challenge.slug}/results/"
    assert api_client.get(url).json()["rounds"] == []
    publish(setup)
    body = api_client.get(url).json()
    (round_,) = body["rounds"]
    assert round_["method"] == "normalised"
    winner = round_["entries"][0]
    assert (winner["title"], winner["award"], winner["prize"]) == (
        "Team 0 entry",
        "winner",
        "NT$100,000",
    )
    assert "feedback" not in winner
    assert "Strong impact case." not in str(body)


def test_public_results_page_shows_winners(client):
    setup = scored()
    publish(setup)
    page = client.get(reverse("results_public", args=[setup.challenge.slug]))
    assert page.status_code == 200
    assert "Team 0 entry" in page.content.decode()
    assert "Strong impact case." not in page.content.decode()


def test_csv_export_lists_every_score_for_organizers_only(client):
    setup = scored()
    url = reverse("results_export", args=[setup.challenge.slug, 1])
    client.force_login(setup.organizer)
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == Score.objects.count() == 3 * 4 * 2
    assert {row["judge"] for row in rows} == {j.user.username for j in setup.judges}
    client.force_login(setup.judges[0].user)
    assert client.get(url).status_code == 403


def test_manual_assignment_and_withdrawal_keep_k_judges_without_conflicts():
    setup = judged_round(entries=6, judges=4, per_entry=2)
    judge = setup.judges[0]
    panel.conflict_declare(judge=setup.judges[1], by=setup.organizer, teams=[setup.entries[0].team])
    panel.assignments_generate(round=setup.round, by=setup.organizer)
    panel.judge_withdraw(judge=judge, by=setup.organizer)
    for entry in setup.entries:
        judges = set(entry.judge_assignments.values_list("judge_id", flat=True))
        assert len(judges) == 2
        assert judge.pk not in judges
    assert setup.judges[1].pk not in set(
        setup.entries[0].judge_assignments.values_list("judge_id", flat=True)
    )


def test_public_vote_one_per_verified_user_per_challenge():
    setup = scored()
    now = timezone.now()
    results.peoples_choice_open(
        challenge=setup.challenge,
        by=setup.organizer,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    voter = UserFactory()
    Submission.objects.filter(pk__in=[e.pk for e in setup.entries]).update(showcased=True)
    for entry in setup.entries:
        entry.refresh_from_db()
    results.vote_cast(challenge=setup.challenge, submission=setup.entries[0], user=voter)
    with pytest.raises(ValidationError, match="already voted"):
        results.vote_cast(challenge=setup.challenge, submission=setup.entries[1], user=voter)
    unverified = UserFactory()
    unverified.emailaddress_set.update(verified=False)
    with pytest.raises(ValidationError, match="Verify your e-mail"):
        results.vote_cast(challenge=setup.challenge, submission=setup.entries[1], user=unverified)
    assert Vote.objects.filter(challenge=setup.challenge).count() == 1


def test_vote_outside_the_window_is_refused(client):
    setup = scored()
    voter = UserFactory()
    client.force_login(voter)
    response = client.post(
        reverse("challenge_vote", args=[setup.challenge.slug]),
        {"submission": setup.entries[0].pk},
        follow=True,
    )
    assert "The public vote is not open." in response.content.decode()
    assert not Vote.objects.exists()


def test_result_unpublished_has_no_snapshot():
    setup = scored()
    results.award_set(
        round=setup.round, submission=setup.entries[0], by=setup.organizer, kind="winner"
    )
    assert Result.objects.get(round=setup.round).snapshot == {}


def test_organizer_opens_the_public_vote_and_a_citizen_votes_once(client):
    from challenges.judging.models import PeoplesChoice

    setup = scored()
    client.force_login(setup.organizer)
    now = timezone.localtime()
    client.post(
        reverse("judging_manage", args=[setup.challenge.slug, 1]),
        {
            "action": "vote",
            "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert PeoplesChoice.objects.filter(challenge=setup.challenge).exists()
    client.force_login(UserFactory())
    url = reverse("challenge_vote", args=[setup.challenge.slug])
    # Only the public showcase is on the ballot.
    hidden = client.post(url, {"submission": setup.entries[2].pk}, follow=True).content.decode()
    assert "This entry is not part of the vote." in hidden and not Vote.objects.exists()
    for entry in setup.entries:
        entry.showcased = True
        entry.save(update_fields=["showcased"])
    client.post(url, {"submission": setup.entries[2].pk})
    page = client.post(url, {"submission": setup.entries[3].pk}, follow=True).content.decode()
    assert "You have already voted in this challenge." in page
    assert list(Vote.objects.values_list("submission_id", flat=True)) == [setup.entries[2].pk]
