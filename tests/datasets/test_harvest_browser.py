"""An official harvests another portal into their organization, in a real browser."""

import pytest

from datasets.models import Dataset
from portal.models import Membership
from tests.factories import (
    PASSWORD,
    DatasetFactory,
    OrganizationFactory,
    ResourceFactory,
    editor_of,
    seed_themes_and_licenses,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_registers_a_ckan_source_and_reads_the_run_report(
    browser_page, live_server, settings
):
    # The "remote portal" is this same live server, serving another organization.
    port = int(live_server.url.rsplit(":", 1)[1])
    settings.INGEST_FETCH_ALLOWED_ADDRESSES = [("127.0.0.1", port), ("::1", port)]
    seed_themes_and_licenses()
    remote = OrganizationFactory(slug="remote-city")
    for name in ("bus-stops", "parks"):
        ResourceFactory(dataset=DatasetFactory(name=name, organization=remote), format="PDF")
    ours = OrganizationFactory(slug="our-city", name_en="Our city")
    editor_of(ours, "official", Membership.Role.EDITOR)

    page = browser_page
    page.goto(live_server.url + "/en/accounts/login/")
    page.get_by_label("Login").fill("official")
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/en/profile/")
    page.goto(live_server.url + "/en/organizations/our-city/")
    page.get_by_role("link", name="Harvest sources").click()
    page.get_by_label("Name").fill("Remote city portal")
    page.get_by_label("Address").fill(live_server.url)
    page.get_by_label("Only this remote organization").fill("remote-city")
    page.get_by_role("button", name="Add and harvest").click()

    page.wait_for_url("**/en/organizations/our-city/harvest/*/")
    assert page.get_by_text("2 created, 0 updated, 0 unchanged, 0 archived").is_visible()
    harvested = Dataset.objects.filter(organization__slug="our-city")
    assert sorted(harvested.values_list("name", flat=True)) == ["bus-stops-2", "parks-2"]
