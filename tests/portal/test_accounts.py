import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_sign_in_with_username_and_password(client):
    UserFactory(username="citizen")
    response = client.post("/en/accounts/login/", {"login": "citizen", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/en/profile/").status_code == 200


def test_wrong_password_gets_a_clear_message_in_chinese(client):
    UserFactory(username="citizen")
    response = client.post("/accounts/login/", {"login": "citizen", "password": "wrong"})
    assert response.status_code == 200
    assert "不正確" in response.content.decode()
    assert client.get("/profile/").status_code == 302


def test_sign_up_sends_a_verification_email(client):
    response = client.post(
        "/en/accounts/signup/",
        {
            "email": "new@example.org",
            "username": "newbie",
            "password1": "a-long-and-unusual-pass",
            "password2": "a-long-and-unusual-pass",
        },
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "new@example.org" in mail.outbox[0].to
    # Signed up on the English pages: later e-mail (reviews, failed updates) in English.
    assert get_user_model().objects.get(username="newbie").language == "en"


def test_profile_requires_sign_in(client):
    response = client.get("/en/profile/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_profile_time_zone_is_saved(client):
    user = UserFactory()
    client.force_login(user)
    client.post("/en/profile/", {"display_name": "Ms. Lin", "time_zone": "Europe/Brussels"})
    user.refresh_from_db()
    assert (user.display_name, user.time_zone) == ("Ms. Lin", "Europe/Brussels")


def test_language_of_emails_is_chosen_in_the_profile_or_by_switching_language(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/en/profile/").content.decode()
    assert "Language of e-mails" in page
    assert "電子郵件語言" in client.get("/profile/").content.decode()

    client.post("/en/profile/", {"display_name": "", "time_zone": "", "language": "en"})
    user.refresh_from_db()
    assert user.language == "en"

    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/en/profile/"})
    user.refresh_from_db()
    assert user.language == "zh-hant"

    bad = client.post("/en/profile/", {"display_name": "", "time_zone": "", "language": "fr"})
    assert bad.status_code == 200 and "is not one of the available choices" in bad.content.decode()
    user.refresh_from_db()
    assert user.language == "zh-hant"


def test_switching_language_signed_out_changes_no_account(client):
    user = UserFactory()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == ""
