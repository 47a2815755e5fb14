"""Publisher pages in a real browser: keyboard and screen-reader basics, phone width."""

import pytest

from portal.models import Membership
from tests.factories import OrganizationFactory, editor_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_dataset_form_moves_the_focus_to_its_list_of_problems(
    browser_page, live_server, client
):
    org = OrganizationFactory(slug="taipei-dot")
    editor = editor_of(org, "editor", Membership.Role.EDITOR)
    client.force_login(editor)
    page = browser_page
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + "/en/datasets/new/")
    page.get_by_label("Short name (used in the web address)").fill("bus-routes")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()

    focused = page.locator(":focus")
    assert focused.get_attribute("id") == "error-summary"
    assert "Title (Traditional Chinese): Give the dataset a title" in focused.inner_text()
    # Each problem leads the keyboard to its field, which kept what was typed.
    page.get_by_role("link", name="Title (Traditional Chinese):").click()
    assert page.locator(":focus").get_attribute("id") == "id_title_zh_hant"
    assert page.get_by_label("Short name (used in the web address)").input_value() == "bus-routes"


def _signed_in(page, live_server, client, user):
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_workspace_fits_a_phone(browser_page, live_server, client):
    from tests.factories import DatasetFactory

    org = OrganizationFactory(name_en="Department of Information Technology, Taipei")
    editor = editor_of(org, "editor", Membership.Role.EDITOR)
    DatasetFactory(organization=org, title_en="Streetlight fault reports", status="draft")
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    _signed_in(page, live_server, client, editor)

    page.goto(live_server.url + "/en/workspace/datasets/")
    assert page.get_by_role("link", name="Streetlight fault reports").is_visible()
    assert _sideways_scroll(page) <= 0


def test_a_send_back_without_a_comment_moves_the_focus_to_the_problem(
    browser_page, live_server, client
):
    from tests.factories import DatasetFactory

    org = OrganizationFactory(slug="taipei-dot")
    admin = editor_of(org, "orgadmin", Membership.Role.ADMIN)
    DatasetFactory(organization=org, name="bus-routes", title_en="Bus routes", status="in_review")
    page = browser_page
    _signed_in(page, live_server, client, admin)

    page.goto(live_server.url + "/en/datasets/bus-routes/")
    page.get_by_role("button", name="Send back").click()
    page.wait_for_load_state()

    focused = page.locator(":focus")
    assert focused.get_attribute("id") == "error-summary"
    assert "Say what the editors should change." in focused.inner_text()
    page.get_by_role("link", name="What should the editors change?:").click()
    assert page.locator(":focus").get_attribute("id") == "id_comment"
