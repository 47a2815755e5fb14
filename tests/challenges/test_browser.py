from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.models import Submission
from portal.models import Membership
from tests.factories import (
    PASSWORD,
    ChallengeFactory,
    MembershipFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, username):
    page.goto(base + "/en/accounts/login/")
    page.get_by_label("Login").fill(username)
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/en/profile/")


def test_organizer_publishes_and_a_team_submits(browser_page, live_server):
    admin = MembershipFactory(user=UserFactory(username="official"), role=Membership.Role.ADMIN)
    challenge = ChallengeFactory(
        organization=admin.organization,
        slug="late-buses",
        title_en="Fewer late buses",
        status="draft",
        published_at=None,
    )
    now = timezone.now()
    RoundFactory(
        challenge=challenge, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=7)
    )
    UserFactory(username="builder")
    page, base = browser_page, live_server.url

    _sign_in(page, base, "official")
    page.goto(f"{base}/en/challenges/late-buses/workspace/")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_selector("text=The challenge is published.")
    assert page.locator("#challenge-status").inner_text() == "Open for submissions"
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, base, "builder")
    page.goto(f"{base}/en/challenges/")
    page.get_by_role("link", name="Fewer late buses").click()
    page.get_by_role("link", name="Form a team").click()
    page.get_by_label("Team name").fill("Bus Finders")
    page.get_by_role("button", name="Create team").click()
    page.get_by_role("link", name="Start an entry").click()
    page.get_by_label("Title").fill("Arrival predictor")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_selector("text=Draft saved. Only your team can see it.")

    # autosave: typing is saved without pressing a button
    page.get_by_label("Summary").fill("Predicts bus arrivals from GPS traces.")
    page.wait_for_selector("#autosave-status:has-text('Draft saved at')")
    entry = Submission.objects.get()
    assert entry.summary == "Predicts bus arrivals from GPS traces."

    page.get_by_role("button", name="Submit entry").click()
    page.wait_for_selector("text=Submitted: version 1 is recorded.")
    assert page.locator("#entry-status").inner_text() == "Submitted"
    entry.refresh_from_db()
    assert entry.status == Submission.Status.SUBMITTED
    assert entry.versions.count() == 1
