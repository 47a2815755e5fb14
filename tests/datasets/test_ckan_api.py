"""The CKAN Action API as the `ckanapi` client and plain HTTP clients see it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from ckanapi import RemoteCKAN
from ckanapi.errors import NotAuthorized, NotFound, SearchQueryError, ValidationError
from knox.models import AuthToken

from datasets.models import Dataset, Tag, Theme
from datasets.selectors import dataset_search
from datasets.services.catalog import dataset_index
from tests.factories import (
    DatasetFactory,
    MembershipFactory,
    OrganizationFactory,
    ResourceFactory,
    UserFactory,
    seed_themes_and_licenses,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    seed_themes_and_licenses()
    org = OrganizationFactory(slug="dot", name_en="Department of Transportation")
    water = DatasetFactory(name="water-quality", organization=org, title_en="Water quality")
    water.tags.add(Tag.objects.create(name="water"), Tag.objects.create(name="river"))
    water.themes.add(Theme.objects.get(slug="water"))
    ResourceFactory(dataset=water, format="CSV", name_en="Samples 2024")
    bus = DatasetFactory(name="bus-stops", organization=org, title_en="Bus stops")
    bus.tags.add(Tag.objects.get_or_create(name="transport")[0])
    bus.themes.add(Theme.objects.get(slug="transportation"))
    ResourceFactory(dataset=bus, format="GeoJSON")
    other = OrganizationFactory(slug="health-dept")
    DatasetFactory(name="secret-plan", organization=org, private=True)
    DatasetFactory(name="draft-plan", organization=org, status=Dataset.Status.DRAFT)
    DatasetFactory(name="clinics", organization=other, license_id="CC0-1.0")
    for dataset in Dataset.objects.all():
        dataset_index(dataset=dataset)
    return org


@pytest.fixture
def ckan(live_server):
    return RemoteCKAN(live_server.url)


def key_for(user) -> str:
    _token, key = AuthToken.objects.create(user=user)
    return key


def test_status_show(ckan):
    result = ckan.action.status_show()
    assert result["ckan_version"].startswith("2.")
    assert "datastore" in result["extensions"]


def test_package_list_hides_private_and_drafts(ckan, catalog):
    assert ckan.action.package_list() == ["bus-stops", "clinics", "water-quality"]
    assert ckan.action.package_list(limit=1, offset=1) == ["clinics"]


def test_package_show_has_ckan_fields(ckan, catalog):
    result = ckan.action.package_show(id="water-quality")
    assert result["name"] == "water-quality"
    assert result["organization"]["name"] == "dot"
    assert result["owner_org"] == str(catalog.pk)
    assert result["license_id"] == "CC-BY-4.0"
    assert result["isopen"] is True
    assert result["state"] == "active"
    assert result["private"] is False
    assert {t["name"] for t in result["tags"]} == {"water", "river"}
    assert result["num_tags"] == 2
    assert [g["name"] for g in result["groups"]] == ["water"]
    assert result["num_resources"] == 1
    resource = result["resources"][0]
    assert resource["package_id"] == result["id"]
    assert resource["format"] == "CSV"
    assert resource["datastore_active"] is False
    assert resource["url"].startswith("http")
    extras = {e["key"]: e["value"] for e in result["extras"]}
    assert extras["title_en"] == "Water quality"
    assert extras["summary_zh_hant"] == "這份資料的白話說明。"
    # by id too
    assert ckan.action.package_show(id=result["id"])["name"] == "water-quality"


def test_package_show_never_reveals_private_or_draft(ckan, catalog):
    for name in ("secret-plan", "draft-plan", "no-such-dataset", "not-a-uuid"):
        with pytest.raises(NotFound):
            ckan.action.package_show(id=name)


def test_member_sees_private_dataset_with_raw_api_key(live_server, catalog):
    member = MembershipFactory(organization=catalog).user
    outsider = MembershipFactory().user
    as_member = RemoteCKAN(live_server.url, apikey=key_for(member))
    as_outsider = RemoteCKAN(live_server.url, apikey=key_for(outsider))
    assert as_member.action.package_show(id="secret-plan")["private"] is True
    with pytest.raises(NotFound):
        as_outsider.action.package_show(id="secret-plan")
    names = lambda client: {  # noqa: E731
        d["name"] for d in client.action.package_search(include_private=True, rows=100)["results"]
    }
    assert "secret-plan" in names(as_member)
    assert "secret-plan" not in names(as_outsider)
    # without include_private even a member gets only public datasets, as in CKAN
    assert "secret-plan" not in {
        d["name"] for d in as_member.action.package_search(rows=100)["results"]
    }


def test_bad_api_key_is_an_authorization_error(live_server, catalog):
    with pytest.raises(NotAuthorized):
        RemoteCKAN(live_server.url, apikey="not-a-key").action.package_list()


def test_package_search_fq_facets_and_sort(ckan, catalog):
    result = ckan.action.package_search(
        fq="organization:dot",
        sort="name asc",
        **{"facet.field": json.dumps(["tags", "res_format", "groups"])},
    )
    assert result["count"] == 2
    assert [d["name"] for d in result["results"]] == ["bus-stops", "water-quality"]
    assert result["facets"]["res_format"] == {"CSV": 1, "GeoJSON": 1}
    assert result["search_facets"]["groups"]["items"][0]["count"] == 1
    assert result["sort"] == "name asc"
    only_water = ckan.action.package_search(fq="tags:water AND res_format:CSV")
    assert [d["name"] for d in only_water["results"]] == ["water-quality"]
    not_dot = ckan.action.package_search(fq="-organization:dot")
    assert [d["name"] for d in not_dot["results"]] == ["clinics"]
    fq_list = ckan.action.package_search(fq_list=["groups:water", "license_id:CC-BY-4.0"])
    assert fq_list["count"] == 1


def test_package_search_q_rows_start_and_date_range(ckan, catalog):
    assert [d["name"] for d in ckan.action.package_search(q="quality")["results"]] == [
        "water-quality"
    ]
    assert ckan.action.package_search(q="quality -organization:dot")["count"] == 0
    assert ckan.action.package_search(q="tags:transport")["results"][0]["name"] == "bus-stops"
    page = ckan.action.package_search(rows=1, start=1, sort="name desc")
    assert page["count"] == 3
    assert [d["name"] for d in page["results"]] == ["clinics"]
    recent = ckan.action.package_search(fq="metadata_modified:[2020-01-01T00:00:00Z TO *]")
    assert recent["count"] == 3
    future = ckan.action.package_search(fq="metadata_modified:[NOW+1DAY TO *]")
    assert future["count"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"q": 'title:"unclosed'},
        {"fq": "tags:(water"},
        {"fq": "nosuchfield:1"},
        {"fq": "metadata_modified:[yesterday TO *]"},
        {"sort": "colour desc"},
        {"fq": "metadata_modified:[NOW-999999YEARS TO *]"},
        {"q": "metadata_modified:[NOW-99999999999DAYS TO *]"},
    ],
)
def test_malformed_search_is_a_search_query_error(ckan, catalog, params):
    with pytest.raises(SearchQueryError):
        ckan.action.package_search(**params)


def test_invalid_rows_is_a_validation_error(ckan, catalog):
    with pytest.raises(ValidationError) as error:
        ckan.action.package_search(rows="many")
    assert "rows" in error.value.error_dict


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("action", "params", "field"),
    [
        ("package_search", {"start": HUGE}, "start"),
        ("package_search", {"facet.field": '["tags"]', "facet.limit": HUGE}, "facet.limit"),
        ("package_list", {"offset": HUGE}, "offset"),
        ("package_list", {"limit": HUGE}, "limit"),
        ("organization_list", {"offset": HUGE}, "offset"),
        ("package_show", {"id": "\x00"}, "id"),
        ("organization_show", {"id": "bus\x00"}, "id"),
        ("tag_list", {"query": "\x00"}, "query"),
        ("package_search", {"fq": "tags:\x00"}, "fq"),
    ],
)
def test_numbers_past_64_bits_and_nul_characters_are_validation_errors(
    client, catalog, action, params, field
):
    response = client.get(f"/api/3/action/{action}", params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["__type"] == "Validation Error" and error[field]


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("package_search", {"rows": HUGE}),
        ("organization_list", {"limit": HUGE}),
        ("group_list", {"limit": HUGE}),
    ],
)
def test_a_page_size_past_64_bits_is_cut_down_as_any_past_the_maximum(
    client, catalog, action, params
):
    # CKAN cuts rows (and these lists' limit) down to its maximum; 5000 was, but a number
    # past 64 bits was a Validation Error.
    response = client.get(f"/api/3/action/{action}", params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.json()["success"] is True


@pytest.mark.parametrize(
    ("request_kwargs", "field"),
    [
        ({"path": "/api/3/action/package_search?sort=name+asc&sort=title+asc"}, "sort"),
        (
            {
                "path": "/api/3/action/package_search",
                "data": {"sort": ["name asc"]},
                "content_type": "application/json",
            },
            "sort",
        ),
        (
            {
                "path": "/api/3/action/package_search",
                "data": {"q": {"tags": "water"}},
                "content_type": "application/json",
            },
            "q",
        ),
    ],
)
def test_search_text_given_as_a_list_or_object_is_a_validation_error(
    client, catalog, request_kwargs, field
):
    # A repeated `sort` (or a JSON list) was a 500; a JSON object as `q` searched for its
    # Python spelling.
    method = client.post if "data" in request_kwargs else client.get
    response = method(**request_kwargs, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["__type"] == "Validation Error" and error[field]


def test_organizations_groups_tags_licenses(ckan, catalog):
    assert "dot" in ckan.action.organization_list()
    org = ckan.action.organization_show(id="dot", include_datasets=True)
    assert org["package_count"] == 2
    assert {p["name"] for p in org["packages"]} == {"bus-stops", "water-quality"}
    groups = ckan.action.group_list(all_fields=True)
    water = next(g for g in groups if g["name"] == "water")
    assert water["package_count"] == 1
    assert ckan.action.group_show(id="transportation")["package_count"] == 1
    assert ckan.action.tag_list() == ["river", "transport", "water"]
    licenses = {lic["id"]: lic for lic in ckan.action.license_list()}
    assert licenses["CC-BY-4.0"]["url"].startswith("https://creativecommons.org")
    with pytest.raises(NotFound):
        ckan.action.organization_show(id="nope")


def test_resource_show(ckan, catalog):
    resource = Dataset.objects.get(name="water-quality").resources.get()
    result = ckan.action.resource_show(id=str(resource.pk))
    assert result["package_id"] == str(resource.dataset_id)
    hidden = ResourceFactory(dataset=Dataset.objects.get(name="secret-plan"))
    with pytest.raises(NotFound):
        ckan.action.resource_show(id=str(hidden.pk))


def test_tag_list_never_shows_tags_of_hidden_datasets(ckan, catalog):
    Dataset.objects.get(name="secret-plan").tags.add(Tag.objects.create(name="hush"))
    assert "hush" not in ckan.action.tag_list()


def test_envelope_and_error_shapes(client):
    ok = client.get("/api/3/action/status_show")
    assert ok.status_code == 200
    body = ok.json()
    assert body["success"] is True and "help" in body and "result" in body

    unknown = client.get("/api/action/package_teleport")
    assert unknown.status_code == 400
    assert unknown.json()["success"] is False
    assert unknown.json()["error"]["message"] == (
        "Bad request: Action name not known: package_teleport"
    )

    missing = client.get("/api/3/action/package_show", {"id": "nothing"})
    assert missing.status_code == 404
    assert missing.json()["error"]["__type"] == "Not Found Error"
    assert missing.json()["error"]["message"].startswith("Not found")

    no_id = client.post(
        "/api/3/action/package_show", "{}", content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert no_id.status_code == 409
    assert no_id.json()["error"] == {"__type": "Validation Error", "id": ["Missing value"]}

    broken = client.post("/api/3/action/package_search", "{oops", content_type="application/json")
    assert broken.status_code == 400

    bad_query = client.get("/api/3/action/package_search", {"fq": "tags:("})
    assert bad_query.status_code == 400
    assert bad_query.json()["error"]["__type"] == "Search Query Error"


def test_post_form_body_and_no_redirects(client, catalog):
    response = client.post("/api/action/package_show", {"id": "bus-stops"})
    assert response.status_code == 200
    assert response.json()["result"]["name"] == "bus-stops"
    assert client.get("/api/3/action/package_list").status_code == 200
    assert client.get("/api/3").json() == {"version": 3}


def test_package_search_query_count_does_not_grow_with_results(
    client, catalog, django_assert_max_num_queries
):
    for _ in range(10):
        ResourceFactory(dataset=DatasetFactory(organization=catalog))
    with django_assert_max_num_queries(12):
        response = client.get("/api/3/action/package_search", {"rows": 50})
    assert response.json()["result"]["count"] == 13


def test_raw_key_works_over_plain_http(client, catalog):
    user = UserFactory()
    MembershipFactory(user=user, organization=catalog)
    response = client.get(
        "/api/3/action/package_show", {"id": "secret-plan"}, HTTP_AUTHORIZATION=key_for(user)
    )
    assert response.status_code == 200


def test_error_explanations_follow_the_callers_language(client):
    response = client.get(
        "/api/3/action/package_search", {"fq": "colour:red"}, HTTP_ACCEPT_LANGUAGE="zh-Hant"
    )
    message = response.json()["error"]["message"]
    assert message.startswith("Search Query is invalid: ")  # CKAN's prefix, for clients
    assert "未知的欄位" in message
    missing = client.get("/api/3/action/package_show", {"id": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert missing.json()["error"]["message"] == "Not found: Dataset was not found"


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("package_list", {}),
        ("package_search", {"rows": 1000, "include_private": "true", "q": "*:*"}),
        ("package_search", {"fq": "private:true"}),
        ("organization_show", {"id": "dot", "include_datasets": "true"}),
        ("group_show", {"id": "water", "include_datasets": "true"}),
        ("group_list", {"all_fields": "true"}),
        ("organization_list", {"all_fields": "true"}),
        ("tag_list", {}),
    ],
)
def test_no_action_leaks_private_or_draft_datasets_to_anonymous(client, catalog, action, params):
    for name in ("secret-plan", "draft-plan"):
        dataset = Dataset.objects.get(name=name)
        dataset.themes.add(Theme.objects.get(slug="water"))
        dataset.tags.add(Tag.objects.get_or_create(name=f"tag-of-{name}")[0])
    response = client.get(f"/api/3/action/{action}", params)
    assert response.status_code == 200
    body = response.content.decode()
    assert "secret-plan" not in body and "draft-plan" not in body
    if action == "group_list":
        water = next(g for g in response.json()["result"] if g["name"] == "water")
        assert water["package_count"] == 1
    if action == "organization_show":
        assert response.json()["result"]["package_count"] == 2


def test_ckanapi_command_line(live_server, catalog):
    """What the issue's "done when" runs: the ckanapi CLI against a running portal."""
    ckanapi = Path(sys.executable).parent / "ckanapi"
    result = subprocess.run(
        [ckanapi, "action", "package_search", "-r", live_server.url, "q=tags:water"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found = json.loads(result.stdout)
    assert found["count"] == 1
    assert found["results"][0]["name"] == "water-quality"


def test_free_text_q_uses_the_catalog_search_and_its_relevance(ckan, catalog):
    # "bus" in the title of one, only in the summary of the other (and an archived one).
    summary_only = DatasetFactory(
        name="depots", organization=catalog, title_en="Depots", summary_en="Where the bus sleeps"
    )
    dataset_index(dataset=summary_only)
    archived = DatasetFactory(name="old-bus", title_en="Old bus routes", status="archived")
    dataset_index(dataset=archived)
    result = ckan.action.package_search(q="bus")
    catalog_order = [d.name for d in dataset_search(user=None, q="bus").datasets]
    assert [d["name"] for d in result["results"]] == catalog_order
    assert sorted(catalog_order) == ["bus-stops", "depots"]
    # Chinese words work as on the search page
    assert ckan.action.package_search(q="資料集")["count"] >= 3
