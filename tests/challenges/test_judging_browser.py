"""The whole journey in Chromium: a judge declares a conflict and scores the queue; the
organizer locks judging and publishes the results."""

import re

import pytest

from challenges.judging.models import Assignment, Result
from challenges.judging.services import panel
from tests.challenges.judging_setup import judged_round, score
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username, next_path):
    page.goto(f"{base}/en/accounts/login/?next={next_path}")
    page.get_by_label("Login").fill(username)
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_judge_scores_the_queue_and_organizer_publishes(browser_page, live_server):
    setup = judged_round(entries=3, judges=1, declare=False)
    judge = setup.judges[0]
    slug = setup.challenge.slug
    page = browser_page

    sign_in(page, live_server.url, judge.user.username, f"/en/challenges/{slug}/judging/")
    # Entries stay hidden until the conflicts are declared.
    page.wait_for_url(re.compile(r".*/judging/conflicts/$"))
    page.get_by_label("Team 2").check()
    page.get_by_role("button", name="Save my declaration").click()
    page.wait_for_url(re.compile(r".*/judging/$"))
    assert page.get_by_text("0 of 2 scored").is_visible()

    for done in (1, 2):
        page.get_by_role("link", name="Score").first.click()
        page.get_by_label("Score (1–5)").first.fill("4")
        page.get_by_label("Score (1–5)").nth(1).fill("9")
        page.get_by_role("button", name="Submit scores").click()
        refused = "Feasibility: the score must be between 1 and 5."
        # Listed above the form, and said again under the box.
        assert page.locator("#score-errors").get_by_role("link", name=refused).is_visible()
        assert page.locator(".invalid-feedback", has_text=refused).is_visible()
        page.get_by_label("Score (1–5)").nth(1).fill(str(2 + done))
        page.get_by_role("button", name="Submit scores").click()
        page.wait_for_url(re.compile(r".*/judging/$"))
        assert page.get_by_text(f"{done} of 2 scored").is_visible()
    assert Assignment.objects.submitted().count() == 2
    assert not Assignment.objects.filter(submission=setup.entries[2]).exists()
    # Team 2's entry needs a judge without the conflict: results wait for every entry's
    # scores. The organizer adds one, who scores it.
    second = panel.judge_add(challenge=setup.challenge, user=UserFactory(), by=setup.organizer)
    panel.conflict_declare(judge=second, by=second.user)
    panel.assignment_add(judge=second, submission=setup.entries[2], by=setup.organizer)
    score(setup, second, setup.entries[2], 2, 2)

    page.context.clear_cookies()
    sign_in(
        page, live_server.url, setup.organizer.username, f"/en/challenges/{slug}/rounds/1/judging/"
    )
    page.get_by_role("button", name="Lock judging").click()
    page.get_by_role("link", name="Review the results").click()
    winner = setup.entries[1]  # scored 4 and 4: the best weighted mean
    row = page.locator("#standings tbody tr").first
    assert winner.title in row.inner_text()
    row.get_by_label("Award").select_option("winner")
    row.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Publish results").click()
    assert page.get_by_text("Results published.").is_visible()

    page.goto(f"{live_server.url}/en/challenges/{slug}/results/")
    assert page.locator(".card", has_text=winner.title).get_by_text("Winner").is_visible()
    assert Result.objects.get(round=setup.round).is_published
