import pytest

from datasets.models import Dataset, License, Theme
from portal.models import Membership
from tests.factories import PASSWORD, OrganizationFactory, editor_of, indexed_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/en/accounts/login/")
    page.get_by_label("Login").fill(username)
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/en/profile/")


def test_editor_creates_and_submits_admin_publishes_citizen_finds_it(
    browser_page, live_server, monkeypatch
):
    # Ingestion runs in the worker; here only the catalog flow is under test.
    monkeypatch.setattr("datasets.tasks.resource_ingest_task.delay", lambda *args: None)
    # Transactional tests flush the tables, seed rows from migrations included.
    License.objects.get_or_create(id="OGDL-Taiwan-1.0", defaults={"title": "OGDL Taiwan 1.0"})
    Theme.objects.get_or_create(
        slug="transportation", defaults={"name_en": "Transportation", "name_zh_hant": "交通運輸"}
    )
    org = OrganizationFactory(slug="taipei-dot", name_en="Transport")
    editor_of(org, "editor")
    editor_of(org, "boss", Membership.Role.ADMIN)
    page = browser_page

    sign_in(page, live_server, "editor")
    page.goto(live_server.url + "/en/datasets/new/")
    page.get_by_label("Publisher").select_option("taipei-dot")
    page.get_by_label("Short name (used in the web address)").fill("bus-routes")
    page.get_by_label("Title (Traditional Chinese)").fill("臺北市公車路線")
    page.get_by_label("Title (English)").fill("Taipei bus routes")
    page.get_by_label("Plain-language summary (English)").fill("Every bus route and its stops.")
    page.get_by_label("License").select_option("OGDL-Taiwan-1.0")
    page.get_by_label("Transportation").check()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/en/datasets/bus-routes/resources/new/")
    page.get_by_label("Upload a file").set_input_files(
        files=[{"name": "stops.csv", "mimeType": "text/csv", "buffer": "站名\n市府\n".encode()}]
    )
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url("**/en/datasets/bus-routes/")
    assert page.get_by_role("link", name="stops.csv").is_visible()
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url("**/en/datasets/bus-routes/")
    assert page.locator("#dataset-status").inner_text() == "In review"

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "boss")
    page.goto(live_server.url + "/en/datasets/bus-routes/")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_url("**/en/datasets/bus-routes/")
    assert Dataset.objects.get(name="bus-routes").status == "published"

    page.get_by_role("button", name="Sign out").click()
    page.goto(live_server.url + "/datasets/")
    page.get_by_label("搜尋資料集").fill("公車")
    page.get_by_role("button", name="搜尋").click()
    page.wait_for_url("**/datasets/?q=*")
    assert page.get_by_role("link", name="臺北市公車路線").is_visible()


def test_a_facet_picked_with_the_mouse_stays_on_the_next_search_and_sort(browser_page, live_server):
    License.objects.get_or_create(id="CC-BY-4.0", defaults={"title": "CC BY 4.0"})
    transport, _ = Theme.objects.get_or_create(
        slug="transportation", defaults={"name_en": "Transportation", "name_zh_hant": "交通運輸"}
    )
    org = OrganizationFactory()
    indexed_dataset(title_en="Bus stops", organization=org, themes=[transport])
    indexed_dataset(title_en="Bus depots", organization=org)
    page = browser_page
    page.goto(live_server.url + "/en/datasets/")

    page.locator(".facet[data-facet=theme]").get_by_role("link", name="Transportation").click()
    page.wait_for_url("**/en/datasets/?theme=transportation")
    page.get_by_label("Search datasets").fill("bus")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=bus**")

    assert "theme=transportation" in page.url and "sort=relevance" in page.url
    page.get_by_text("1 dataset found").wait_for()
    page.get_by_label("Sort by").select_option("name")
    page.wait_for_url("**sort=name**")
    assert "theme=transportation" in page.url
    assert page.get_by_role("link", name="Bus depots").count() == 0


def test_switching_language_after_picking_a_facet_keeps_the_facet_and_query(
    browser_page, live_server
):
    transport, _ = Theme.objects.get_or_create(
        slug="transportation", defaults={"name_en": "Transportation", "name_zh_hant": "交通運輸"}
    )
    License.objects.get_or_create(id="CC-BY-4.0", defaults={"title": "CC BY 4.0"})
    indexed_dataset(title_en="Bus stops", title_zh_hant="公車站牌", themes=[transport])
    indexed_dataset(title_en="Bus depots", title_zh_hant="公車機廠")
    page = browser_page
    page.goto(live_server.url + "/en/datasets/?q=bus")

    # The facet link swaps the results in place (htmx) and pushes the new address.
    page.locator(".facet[data-facet=theme]").get_by_role("link", name="Transportation").click()
    page.wait_for_url("**theme=transportation**")
    sign_in_link = page.get_by_role("link", name="Sign in").get_attribute("href")
    assert "theme%3Dtransportation" in sign_in_link
    page.get_by_label("Language").select_option("zh-hant")
    page.get_by_role("button", name="Switch").click()

    page.wait_for_url("**/datasets/?**")
    assert "/en/" not in page.url
    assert "theme=transportation" in page.url and "q=bus" in page.url
    page.get_by_text("找到 1 筆資料集").wait_for()
    assert page.get_by_role("link", name="公車機廠").count() == 0


def test_a_facet_picked_with_the_keyboard_keeps_the_focus_and_is_announced(
    browser_page, live_server
):
    License.objects.get_or_create(id="CC-BY-4.0", defaults={"title": "CC BY 4.0"})
    transport, _ = Theme.objects.get_or_create(
        slug="transportation", defaults={"name_en": "Transportation", "name_zh_hant": "交通運輸"}
    )
    indexed_dataset(title_en="Bus stops", themes=[transport])
    indexed_dataset(title_en="Parks")
    page = browser_page
    page.goto(live_server.url + "/en/datasets/")
    announcer = page.locator("[aria-live]").filter(has_text="2 datasets found").element_handle()

    page.locator(".facet[data-facet=theme]").get_by_role("link", name="Transportation").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**theme=transportation")

    # The swapped-in results did not leave the keyboard at the top of the page...
    page.get_by_role("link", name="✓ Transportation").wait_for()
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "✓ Transportation"
    # ...and the live region screen readers listen to is still there, with the new count.
    page.wait_for_function("(el) => el.textContent.includes('1 dataset found')", arg=announcer)
    assert announcer.evaluate("el => el.isConnected")
    page.keyboard.press("Enter")  # the same key takes the filter away again
    page.wait_for_function("(el) => el.textContent.includes('2 datasets found')", arg=announcer)


PHONE = {"width": 390, "height": 844}


def _catalog_with_facets():
    License.objects.get_or_create(id="CC-BY-4.0", defaults={"title": "CC BY 4.0"})
    transport, _ = Theme.objects.get_or_create(
        slug="transportation", defaults={"name_en": "Transportation", "name_zh_hant": "交通運輸"}
    )
    indexed_dataset(title_en="Bus stops", themes=[transport], tags=["bus", "stops"])
    indexed_dataset(title_en="Parks", tags=["parks"])


def test_on_a_phone_the_results_come_before_the_folded_facets(browser_page, live_server):
    _catalog_with_facets()
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/en/datasets/")

    theme_link = page.locator(".facet[data-facet=theme]").get_by_role("link", name="Transportation")
    results = page.get_by_role("link", name="Bus stops")
    assert results.is_visible() and not theme_link.is_visible()
    # Within the first screen, not below dozens of facet links.
    assert results.bounding_box()["y"] < PHONE["height"]

    toggle = page.get_by_role("button", name="Filter results")
    toggle.click()
    theme_link.wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    theme_link.click()
    page.wait_for_url("**theme=transportation")

    # The facets fold away again with the new results, but the one picked stays in
    # sight and takes the filter away.
    page.get_by_text("1 dataset found").wait_for()
    remove = page.get_by_role("link", name="Remove filter: Transportation")
    assert remove.is_visible()
    assert "1" in page.get_by_role("button", name="Filter results").inner_text()
    remove.click()
    page.get_by_text("2 datasets found").wait_for()
    assert page.get_by_role("link", name="Remove filter: Transportation").count() == 0


def test_on_a_desktop_the_facets_are_open(browser_page, live_server):
    _catalog_with_facets()
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/en/datasets/?theme=transportation")

    facet = page.locator(".facet[data-facet=theme]").get_by_role("link", name="✓ Transportation")
    assert facet.is_visible()
    assert not page.get_by_role("button", name="Filter results").is_visible()


def test_without_javascript_a_phone_still_gets_the_facets(browser_page, live_server):
    _catalog_with_facets()
    context = browser_page.context.browser.new_context(
        locale="en-US", java_script_enabled=False, viewport=PHONE
    )
    try:
        page = context.new_page()
        page.goto(live_server.url + "/en/datasets/")
        facet = page.locator(".facet[data-facet=theme]").get_by_role("link", name="Transportation")
        assert facet.is_visible()
        # A button that could do nothing is not offered.
        assert not page.get_by_role("button", name="Filter results").is_visible()
    finally:
        context.close()


def test_a_keyboard_user_skips_the_facets_to_the_results(browser_page, live_server):
    _catalog_with_facets()
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/en/datasets/")

    page.get_by_label("Sort by").focus()
    skip = page.get_by_role("link", name="Skip to results")
    for _ in range(3):  # past the search button, to the skip link
        page.keyboard.press("Tab")
        if skip.evaluate("el => el === document.activeElement"):
            break
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()  # shown when it has the focus
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused in ("Bus stops", "Parks")
