"""In Chromium: an organizer starts a pilot from the winning entry, adds a milestone and a
measure, and an anonymous visitor sees them on the pilot's public page."""

import re

import pytest

from challenges.judging.models import Pilot
from tests.challenges.judging_setup import published_winner
from tests.challenges.test_judging_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organizer_starts_a_pilot_and_the_public_sees_it(browser_page, live_server):
    setup = published_winner()
    slug = setup.challenge.slug
    page = browser_page

    sign_in(page, live_server.url, setup.organizer.username, f"/en/challenges/{slug}/results/")
    page.locator(".card", has_text="Team 0 entry").get_by_role("link", name="Start a pilot").click()
    page.wait_for_url(re.compile(r".*/pilots/new/\?entry=\d+$"))
    assert page.get_by_label("Title (English)").input_value() == "Team 0 entry"
    page.get_by_label("Title (English)").fill("Cooler bus stops")
    page.get_by_label("Short name (used in the web address)").fill("cooler-bus-stops")
    page.get_by_label("Start date").fill("2026-03-01")
    page.get_by_label("End date").fill("2026-02-01")
    page.get_by_label("Budget").fill("1,500,000")
    page.get_by_role("button", name="Create the pilot").click()
    assert page.get_by_text("End date: The pilot must end after it starts.").is_visible()
    assert not Pilot.objects.exists()
    page.get_by_label("End date").fill("2026-09-30")
    page.get_by_role("button", name="Create the pilot").click()
    page.wait_for_url(re.compile(r".*/pilots/cooler-bus-stops/manage/$"))

    milestone = page.locator("#form-milestone")
    milestone.get_by_label("Milestone (English)").fill("Ten stops equipped")
    milestone.get_by_label("Due").fill("2026-04-15")
    milestone.get_by_role("button", name="Add the milestone").click()
    assert page.get_by_text("Milestone added.").is_visible()
    measure = page.locator("#form-measure")
    measure.get_by_label("Measure (English)").fill("Peak temperature")
    measure.get_by_label("Unit (English)").fill("°C")
    measure.get_by_label("Baseline").fill("40")
    measure.get_by_label("Target").fill("34")
    measure.get_by_role("button", name="Add the measure").click()
    assert page.get_by_text("Measure saved.").is_visible()

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/en/pilots/cooler-bus-stops/")
    assert page.get_by_role("heading", name="Cooler bus stops").is_visible()
    assert page.get_by_text("Ten stops equipped").is_visible()
    assert page.get_by_text("Peak temperature (°C)").is_visible()
    assert page.get_by_text("1500000 TWD").is_visible()
    assert page.get_by_role("link", name="Manage").count() == 0
