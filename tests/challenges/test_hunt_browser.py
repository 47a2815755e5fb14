"""Organizer pages on a phone: nothing wider than the screen, in both languages."""

import pytest

from tests.challenges.judging_setup import judged_round, score
from tests.challenges.test_browser import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}

# What sticks out past the right edge of the screen, to name in a failure.
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName + ' ' + (e.id || e.name || e.className))"""


def test_organizer_pages_fit_a_phone_screen(browser_page, live_server):
    setup = judged_round(entries=3, judges=3)
    for judge in setup.judges:
        for assignment in judge.assignments.all():
            score(setup, judge, assignment.submission, 4, 3)
    slug = setup.challenge.slug
    setup.organizer.username = "official"
    setup.organizer.save(update_fields=["username"])
    page, base = browser_page, live_server.url
    _sign_in(page, base, "official")
    page.set_viewport_size(PHONE)

    too_wide = []
    for prefix in ("", "/en"):
        for path in (
            "/challenges/workspace/",
            f"/challenges/{slug}/workspace/",
            f"/challenges/{slug}/rounds/1/judging/",
            f"/challenges/{slug}/rounds/1/results/",
        ):
            response = page.goto(base + prefix + path)
            assert response.status == 200, path
            if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
                too_wide.append((prefix + path, page.evaluate(WIDER_THAN_SCREEN)[:5]))
    assert too_wide == [], repr(too_wide)
