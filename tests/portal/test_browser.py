import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_switch_language_in_a_real_browser(browser_page, live_server):
    UserFactory(username="citizen")
    page = browser_page
    page.goto(live_server.url + "/en/accounts/login/")
    page.get_by_label("Login").fill("citizen")
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/en/profile/")
    assert page.get_by_role("heading", name="Your profile").is_visible()

    page.get_by_label("Language").select_option("zh-hant")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_url(live_server.url + "/profile/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    assert page.get_by_role("heading", name="個人資料").is_visible()
