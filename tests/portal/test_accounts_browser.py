"""Sign-in and sign-up pages in a real browser: keyboard and screen-reader basics."""

import pytest

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_sign_in_moves_the_focus_to_the_reason(browser_page, live_server):
    UserFactory(username="citizen")
    page = browser_page
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_login").fill("citizen")
    page.locator("#id_password").fill("wrong")
    page.locator("main form").get_by_role("button", name="登入").click()
    page.wait_for_load_state()

    focused = page.locator(":focus")
    assert focused.get_attribute("id") == "error-summary"
    assert "請修正以下錯誤。" in focused.inner_text()
    assert "不正確" in focused.inner_text()


def test_the_password_rules_are_read_with_the_password_field(browser_page, live_server):
    page = browser_page
    page.goto(live_server.url + "/en/accounts/signup/")
    password = page.locator("#id_password1")
    described_by = password.get_attribute("aria-describedby").split()
    read_with_it = " ".join(page.locator(f"#{i}").inner_text() for i in described_by)
    # allauth's own layout left the rules outside the element the field points to.
    assert "at least 8 characters" in read_with_it
