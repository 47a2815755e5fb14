import pytest
from django.contrib.auth import get_user_model

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

    page.get_by_label("Language", exact=True).select_option("zh-hant")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_url(live_server.url + "/profile/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    assert page.get_by_role("heading", name="個人資料").is_visible()
    # Remembered for e-mail, and shown so in the profile's settings.
    assert get_user_model().objects.get(username="citizen").language == "zh-hant"
    assert page.get_by_label("電子郵件語言").input_value() == "zh-hant"
