"""Site-wide request handling: a NUL character in an address."""

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
