"""API keys on the profile page: each has the name its owner gave it and the last time a
program used it, so the owner knows which key to revoke."""

import pytest
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

from portal.models import ApiKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    user = UserFactory(username="dev")
    client.force_login(user)
    return user


def _new_key(client, name="Bus data loader") -> str:
    client.post("/en/profile/api-keys/", {"name": name})
    return client.get("/en/profile/").context["new_key"]


def _key_row(client, name) -> str:
    page = client.get("/en/profile/").content.decode()
    start = page.index(f"<tr><td>{name}</td>")
    return page[start : page.index("</tr>", start)]


def _call_api(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.get("/api/v1/me/")
    assert response.status_code == 200
    return response


def test_a_key_is_listed_with_the_name_it_was_given_and_not_used_yet(client, owner):
    _new_key(client, "Bus data loader")
    _new_key(client, "Air quality dashboard")

    page = client.get("/en/profile/").content.decode()

    assert "Bus data loader" in page
    assert "Air quality dashboard" in page
    assert "Not used yet" in _key_row(client, "Bus data loader")


def test_a_key_without_a_name_is_refused_on_its_field(client, owner):
    response = client.post("/en/profile/api-keys/", {"name": "  "})

    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_name_error"' in content
    assert '<a href="#id_name">Name of the new key: Give the key a name.</a>' in content
    assert not AuthToken.objects.filter(user=owner).exists()


def test_the_profile_shows_when_a_program_last_used_each_key(client, owner):
    used = _new_key(client, "Bus data loader")
    _new_key(client, "Air quality dashboard")

    _call_api(used)

    assert "Not used yet" not in _key_row(client, "Bus data loader")
    assert "Not used yet" in _key_row(client, "Air quality dashboard")


def test_a_busy_program_is_recorded_once_a_minute_not_on_every_request(client, owner):
    key = _new_key(client)
    _call_api(key)
    details = ApiKey.objects.get(token__user=owner)
    first_use = details.last_used_at

    _call_api(key)  # within the minute
    details.refresh_from_db()
    assert details.last_used_at == first_use

    cache.clear()  # as after a minute: the note in the cache is gone
    _call_api(key)
    details.refresh_from_db()
    assert details.last_used_at > first_use


def test_a_key_made_before_names_existed_gets_its_last_use(client, owner):
    _token, key = AuthToken.objects.create(user=owner, expiry=None)  # no name, as before
    _call_api(key)
    assert ApiKey.objects.get(token__user=owner).last_used_at is not None
    page = client.get("/en/profile/").content.decode()
    assert "(no name)" in page


def test_a_revoked_key_leaves_nothing_behind(client, owner):
    _new_key(client)
    token = AuthToken.objects.get(user=owner)
    client.post(f"/en/profile/api-keys/{token.token_key}/revoke/")
    assert not ApiKey.objects.exists()


def test_a_key_used_by_a_ckan_client_shows_its_last_use(client, owner):
    """CKAN clients (ckanapi, harvesters) send the key bare in Authorization."""
    key = _new_key(client, "CKAN harvester")

    response = APIClient().get("/api/3/action/package_list", HTTP_AUTHORIZATION=key)

    assert response.status_code == 200
    assert "Not used yet" not in _key_row(client, "CKAN harvester")
