"""In Chromium: an organizer writes a rubric criterion and a pilot's milestone in both
languages on the English pages; the Chinese pages read the Chinese, and a text left empty
in one language shows the other's."""

import re

import pytest

from challenges.judging.models import Criterion, Milestone
from challenges.judging.services import pilots
from tests.challenges.judging_setup import judged_round
from tests.challenges.test_judging_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organizer_writes_a_criterion_and_a_milestone_in_both_languages(browser_page, live_server):
    setup = judged_round(entries=1, judges=0)
    slug = setup.challenge.slug
    page = browser_page
    manage = f"/en/challenges/{slug}/rounds/1/judging/"

    sign_in(page, live_server.url, setup.organizer.username, manage)
    page.wait_for_url(re.compile(r".*/rounds/1/judging/$"))
    form = page.locator("#form-criterion")
    # Nothing typed in either language: the error says so under the English name.
    form.get_by_role("button", name="Add the criterion").click()
    assert page.get_by_text(
        "Criterion (English): Give the criterion a name in at least one language."
    ).is_visible()
    form = page.locator("#form-criterion")
    form.get_by_label("Criterion (Traditional Chinese)").fill("創意")
    form.get_by_label("Criterion (English)").fill("Originality")
    form.get_by_label("Weight").fill("2")
    form.get_by_label("Description (English)").fill("How new is the idea?")
    form.get_by_role("button", name="Add the criterion").click()
    assert page.get_by_text("Criterion added.").is_visible()
    assert page.get_by_role("cell", name=re.compile("^Originality")).is_visible()
    criterion = Criterion.objects.get(name_en="Originality")
    assert criterion.name_zh_hant == "創意" and criterion.description_zh_hant is None

    page.goto(f"{live_server.url}/challenges/{slug}/rounds/1/judging/")
    row = page.get_by_role("row", name=re.compile("創意"))
    assert row.is_visible()
    # No Chinese description was given: the Chinese page shows the English one.
    assert row.get_by_text("How new is the idea?").is_visible()

    pilot = pilots.pilot_create(
        by=setup.organizer,
        title_zh_hant="遮蔭公車站",
        title_en="Shaded bus stops",
        host_agency=setup.challenge.organization,
    )
    page.goto(f"{live_server.url}/en/pilots/{pilot.slug}/manage/")
    milestone = page.locator("#form-milestone")
    milestone.get_by_label("Milestone (Traditional Chinese)").fill("十站完工")
    milestone.get_by_label("Milestone (English)").fill("Ten stops equipped")
    milestone.get_by_label("Evidence (Traditional Chinese)").fill("安裝報告")
    milestone.get_by_role("button", name="Add the milestone").click()
    assert page.get_by_text("Milestone added.").is_visible()
    assert Milestone.objects.get().title_en == "Ten stops equipped"

    # Edit it: the English title changes, the Chinese one stays as it was.
    page.get_by_text("Edit", exact=True).first.click()
    edit = page.locator(f"#form-milestone-{Milestone.objects.get().pk}")
    assert edit.get_by_label("Milestone (Traditional Chinese)").input_value() == "十站完工"
    edit.get_by_label("Milestone (English)").fill("Twelve stops equipped")
    edit.get_by_role("button", name="Save").click()
    assert page.get_by_text("Milestone saved.").is_visible()

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/en/pilots/{pilot.slug}/")
    assert page.get_by_role("heading", name="Shaded bus stops").is_visible()
    assert page.get_by_text("Twelve stops equipped").is_visible()
    assert page.get_by_text("安裝報告").is_visible()  # evidence in Chinese only: shown as is
    page.goto(f"{live_server.url}/pilots/{pilot.slug}/")
    assert page.get_by_role("heading", name="遮蔭公車站").is_visible()
    assert page.get_by_text("十站完工").is_visible()
    assert page.get_by_text("Twelve stops equipped").count() == 0
