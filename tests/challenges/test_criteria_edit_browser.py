"""In Chromium at phone width: an organizer gives a criterion its Chinese name after
scoring has started (its weight can no longer change), the judge reads it and scores with
a decimal comma; refused scores are listed above the form, each with its criterion."""

import re

import pytest

from challenges.judging.models import Criterion, Score
from tests.challenges.judging_setup import judged_round, score
from tests.challenges.test_judging_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_criterion_edited_after_scoring_and_judge_scores_it_on_a_phone(browser_page, live_server):
    setup = judged_round(entries=2, judges=1)
    setup.rubric.step = "0.5"
    setup.rubric.save()
    judge = setup.judges[0]
    score(setup, judge, setup.entries[0], 4, 3)  # scoring has started
    impact = setup.criteria[0]
    slug = setup.challenge.slug
    page = browser_page
    page.set_viewport_size(PHONE)

    sign_in(
        page, live_server.url, setup.organizer.username, f"/en/challenges/{slug}/rounds/1/judging/"
    )
    page.wait_for_url(re.compile(r".*/rounds/1/judging/$"))
    page.locator("summary", has_text="Edit").first.click()
    form = page.locator(f"#form-criterion-{impact.pk}")
    weight = form.get_by_label("Weight")
    assert not weight.is_editable()
    assert form.get_by_text(
        "Scoring has started: the weight can no longer be changed."
    ).is_visible()
    form.get_by_label("Criterion (Traditional Chinese)").fill("影響力")
    form.get_by_label("Description (Traditional Chinese)").fill("能幫到多少市民？")
    form.get_by_role("button", name="Save").click()
    assert page.get_by_text("Criterion saved.").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    impact.refresh_from_db()
    assert (impact.name_zh_hant, impact.name_en, impact.weight) == ("影響力", "Impact", 2)

    page.context.clear_cookies()
    sign_in(page, live_server.url, judge.user.username, f"/challenges/{slug}/judging/")
    # Each link of the queue is named with its entry, not "評分, 檢視" over and over.
    assert page.get_by_role("link", name=f"檢視 {setup.entries[0].title}", exact=True).count() == 1
    page.get_by_role("link", name=f"評分 {setup.entries[1].title}", exact=True).click()
    page.wait_for_url(re.compile(rf".*/entries/{setup.entries[1].pk}/$"))
    # The Chinese page reads the new name and description; the score boxes follow them.
    assert page.get_by_text("能幫到多少市民？").is_visible()
    page.get_by_role("group", name=re.compile("影響力")).get_by_role("textbox").first.fill("4,5")
    page.get_by_role("group", name=re.compile("Feasibility")).get_by_role("textbox").first.fill(
        "abc"
    )
    page.get_by_role("button", name=re.compile("送出|Submit")).click()
    summary = page.locator("#score-errors")
    assert summary.is_visible()
    assert summary.get_by_role("link").count() == 1
    assert "Feasibility" in summary.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The comma decimal was read, and kept in its box; only Feasibility needs correcting.
    box = page.get_by_role("group", name=re.compile("影響力")).get_by_role("textbox").first
    assert box.input_value() == "4,5"
    summary.get_by_role("link").click()
    page.get_by_role("group", name=re.compile("Feasibility")).get_by_role("textbox").first.fill("3")
    page.get_by_role("button", name=re.compile("送出|Submit")).click()
    page.wait_for_url(re.compile(r".*/judging/(#.*)?$"))  # the browser keeps the #anchor
    assert page.get_by_text("分數已送出。").is_visible()
    scores = Score.objects.filter(assignment__submission=setup.entries[1])
    assert {s.criterion_id: float(s.value) for s in scores} == {
        impact.pk: 4.5,
        Criterion.objects.get(name_en="Feasibility").pk: 3.0,
    }
