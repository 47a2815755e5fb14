import pytest
from django.core.management import call_command
from knox.models import AuthToken

from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_me_requires_authentication(api_client):
    assert api_client.get("/api/v1/me/").status_code in (401, 403)


def test_me_with_an_api_key_lists_organizations_and_roles(api_client):
    org = OrganizationFactory(slug="taipei-dit")
    user = MembershipFactory(organization=org, role="editor").user
    _token, key = AuthToken.objects.create(user=user)
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == user.username
    assert body["organizations"] == [
        {"organization": "taipei-dit", "name": org.name, "kind": "agency", "role": "editor"}
    ]


def test_a_revoked_key_stops_working(api_client, client):
    user = UserFactory()
    token, key = AuthToken.objects.create(user=user)
    client.force_login(user)
    client.post(f"/en/profile/api-keys/{token.token_key}/revoke/")
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401


def test_profile_page_creates_a_key_shown_once(client, api_client):
    user = UserFactory()
    client.force_login(user)
    client.post("/en/profile/api-keys/", {"name": "Nightly export"})
    page = client.get("/en/profile/").content.decode()
    key = page.split('id="new-api-key" class="user-select-all">')[1].split("<")[0]
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert key not in client.get("/en/profile/").content.decode()
    assert AuthToken.objects.filter(user=user).count() == 1


def test_apikey_command_prints_a_working_key(api_client, capsys):
    UserFactory(username="script-user")
    call_command("apikey", "script-user")
    key = capsys.readouterr().out.strip()
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.json()["username"] == "script-user"


def test_organizations_api_lists_and_filters(api_client):
    city = OrganizationFactory(slug="taipei", kind="city")
    OrganizationFactory(slug="taipei-dot", parent=city)
    OrganizationFactory(slug="gent", kind="city")
    slugs = [
        o["slug"] for o in api_client.get("/api/v1/organizations/?kind=city").json()["results"]
    ]
    assert slugs == ["gent", "taipei"]
    detail = api_client.get("/api/v1/organizations/taipei-dot/").json()
    assert detail["parent"] == "taipei"


def test_oversized_api_body_gets_413_naming_the_limit(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_client.post(
        "/api/v1/me/", data="x" * 5000, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 413
    assert "1000\xa0bytes" in response.json()["detail"]


def test_oversized_body_names_the_limit_in_the_callers_words(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_client.post(
        "/api/v1/me/",
        data="x" * 5000,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hant",
    )
    assert response.status_code == 413
    assert "1000\xa0位元組" in response.json()["detail"]


def test_oversized_upload_gets_413_in_the_users_language(client, settings):
    settings.MAX_UPLOAD_SIZE = 2048
    response = client.post(
        "/organizations/new/",
        data=b"x" * 5000,
        content_type="multipart/form-data; boundary=xyz",
    )
    assert response.status_code == 413
    assert "上限" in response.content.decode()
