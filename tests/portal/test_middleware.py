"""Site-wide request handling: a NUL character in an address, addresses leading nowhere."""

import pytest

from tests.factories import OrganizationFactory, ResourceFactory, indexed_dataset

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/datasets/bus%00/",
        "/en/datasets/bus%00/",
        "/datasets/bus%00.jsonld",
        "/datasets/bus%00.ttl",
        "/api/v1/datasets/bus%00/",
        "/api/v1/datasets/bus%00/resources/",
        "/api/v1/organizations/taipei-dot%00/",
        "/api/v1/themes/transportation%00/",
        "/api/v1/licenses/CC0-1.0%00/",
    ],
)
def test_an_address_holding_a_nul_character_is_not_found(client, path):
    # PostgreSQL refuses NUL in a query: looking the name up was a 500 there.
    org = OrganizationFactory(slug="taipei-dot")
    ResourceFactory(dataset=indexed_dataset(name="bus", organization=org))
    response = client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("path", "language", "detail"),
    [
        ("/api/v1/resources/not-a-uuid/data/", "en", "Not found."),
        ("/api/v1/resources/not-a-uuid/report/", "en", "Not found."),
        ("/api/v1/no-such-endpoint/", "zh-hant", "找不到。"),
    ],
)
def test_an_api_address_that_leads_nowhere_is_a_json_404(client, path, language, detail):
    # Programs got the site's HTML page and failed reading it as JSON.
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": detail}


def test_a_page_address_that_leads_nowhere_is_still_the_sites_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
