import pytest

pytestmark = pytest.mark.django_db


def test_default_language_is_traditional_chinese(client):
    page = client.get("/").content.decode()
    assert '<html lang="zh-Hant">' in page
    assert "跳到主要內容" in page


def test_english_prefix_serves_english(client):
    page = client.get("/en/").content.decode()
    assert '<html lang="en">' in page
    assert "Skip to main content" in page


def test_switching_language_keeps_the_page(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/organizations/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/organizations/"
    back = client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/en/organizations/"})
    assert back["Location"] == "/organizations/"


def test_every_page_has_the_language_switcher_and_skip_link(client):
    for url in ["/", "/en/", "/organizations/", "/en/accounts/login/", "/en/accounts/signup/"]:
        page = client.get(url).content.decode()
        assert 'name="language"' in page, url
        assert 'href="#main"' in page, url


def test_api_errors_follow_accept_language(api_client):
    response = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert response.status_code in (401, 403)
    assert "身分" in response.json()["detail"] or "認證" in response.json()["detail"]


def test_api_answers_in_the_language_the_client_asks_for(api_client):
    english = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="zh-TW,zh;q=0.9")
    assert english.json()["detail"] == "Authentication credentials were not provided."
    assert "身分驗證" in chinese.json()["detail"]
