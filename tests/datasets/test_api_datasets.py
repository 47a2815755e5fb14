"""REST API v1 for the catalog, used the way a developer with an API key would."""

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from datasets.models import Dataset, IngestJob, Resource, Theme
from tests.datasets.openapi import assert_matches_schema, response_schema
from tests.factories import ResourceFactory, indexed_dataset

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    _token, key = AuthToken.objects.create(user=user, expiry=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


NEW = {
    "name": "bus-routes",
    "organization": "taipei-dot",
    "title_zh_hant": "臺北市公車路線",
    "title_en": "Bus routes",
    "summary_zh_hant": "每條公車路線的站點與班距。",
    "summary_en": "Stops and headways of every bus route.",
    "license": "OGDL-Taiwan-1.0",
    "themes": ["transportation"],
    "tags": ["公車", "bus"],
    "update_frequency": "MONTHLY",
}


def test_editor_creates_uploads_submits_and_admin_publishes_with_keys(org, editor, admin):
    api = client_for(editor)
    created = api.post("/api/v1/datasets/", NEW, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "draft"
    assert created.json()["themes"] == ["transportation"]

    upload = SimpleUploadedFile("stops.csv", "站名,經度\n市府,121.56\n".encode())
    added = api.post(
        "/api/v1/datasets/bus-routes/resources/",
        {"file": upload, "name": "站點"},
        format="multipart",
    )
    assert added.status_code == 201, added.json()
    resource = added.json()
    assert resource["format"] == "CSV"
    assert resource["ingest"] == {
        "status": "queued",
        "stage": "",
        "progress": 0.0,
        "rows": 0,
        "error": "",
    }
    linked = api.post(
        "/api/v1/datasets/bus-routes/resources/",
        {"url": "https://example.org/routes.json"},
        format="json",
    )
    assert linked.status_code == 201
    assert linked.json()["url_type"] == "link"

    assert api.post("/api/v1/datasets/bus-routes/submit/").json()["status"] == "in_review"
    assert api.post("/api/v1/datasets/bus-routes/publish/").status_code == 403
    assert client_for(admin).post("/api/v1/datasets/bus-routes/publish/").status_code == 200

    found = APIClient().get("/api/v1/datasets/", {"q": "公車"}).json()
    assert [d["name"] for d in found["results"]] == ["bus-routes"]
    detail = APIClient().get("/api/v1/datasets/bus-routes/").json()
    assert len(detail["resources"]) == 2
    assert APIClient().get(f"/api/v1/resources/{resource['id']}/").json()["ingest"]["status"] == (
        "queued"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ftp://files.example.org/a.csv", "Only http and https links can be fetched."),
        ("http://10.0.0.5/a.csv", "internal or private network addresses"),
        ("http://[::ffff:127.0.0.1]/a.csv", "internal or private network addresses"),
        ("http://169.254.169.254/latest/meta-data/", "internal or private network addresses"),
    ],
)
def test_a_link_the_worker_would_refuse_is_refused_by_the_api_too(org, editor, url, expected):
    api = client_for(editor)
    assert api.post("/api/v1/datasets/", NEW, format="json").status_code == 201

    response = api.post(
        "/api/v1/datasets/bus-routes/resources/",
        {"url": url},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert expected in " ".join(response.json()["url"])
    assert not Resource.objects.filter(dataset__name="bus-routes").exists()


def test_resource_shows_the_latest_ingest_job(org):
    resource = ResourceFactory(dataset=indexed_dataset(organization=org))
    IngestJob.objects.create(resource=resource, status="failed", error="old")
    IngestJob.objects.create(
        resource=resource, status="running", stage="load", progress=0.5, rows=100
    )
    body = APIClient().get(f"/api/v1/resources/{resource.id}/").json()
    assert body["ingest"] == {
        "status": "running",
        "stage": "load",
        "progress": 0.5,
        "rows": 100,
        "error": "",
    }


def test_anonymous_cannot_write(org):
    response = APIClient().post("/api/v1/datasets/", NEW, format="json")
    assert response.status_code == 401
    assert not Dataset.objects.exists()


def test_other_organization_and_members_cannot_write(org, member, outsider):
    for user in (member, outsider):
        response = client_for(user).post("/api/v1/datasets/", NEW, format="json")
        assert response.status_code == 403
    assert not Dataset.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "Bad Name"}, "name"),
        ({"summary_zh_hant": "", "summary_en": ""}, "summary"),
        ({"license": "no-such-license"}, "license"),
        ({"themes": ["no-such-theme"]}, "themes"),
        ({"organization": "nowhere"}, "organization"),
    ],
)
def test_bad_input_answers_400_naming_the_field(org, editor, change, field):
    response = client_for(editor).post("/api/v1/datasets/", {**NEW, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Dataset.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [{"status": "published"}, {"id": "00000000-0000-0000-0000-000000000000"}, {"view_count": 9}],
)
def test_mass_assignment_is_rejected(org, editor, payload):
    api = client_for(editor)
    response = api.post("/api/v1/datasets/", {**NEW, **payload}, format="json")
    assert response.status_code == 400
    assert next(iter(payload)) in response.json()
    assert not Dataset.objects.exists()

    api.post("/api/v1/datasets/", NEW, format="json")
    patched = api.patch(
        "/api/v1/datasets/bus-routes/", {**payload, "organization": "x"}, format="json"
    )
    assert patched.status_code == 400
    assert Dataset.objects.get().status == "draft"


def test_update_changes_metadata(org, editor):
    api = client_for(editor)
    api.post("/api/v1/datasets/", NEW, format="json")
    response = api.patch(
        "/api/v1/datasets/bus-routes/",
        {"title_en": "Bus routes 2025", "tags": ["x"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["title_en"] == "Bus routes 2025"
    assert response.json()["tags"] == ["x"]


def test_oversized_upload_is_413_with_the_limit(org, editor, settings):
    settings.MAX_UPLOAD_SIZE = 20
    api = client_for(editor)
    api.post("/api/v1/datasets/", NEW, format="json")
    big = SimpleUploadedFile("big.csv", b"a,b\n" + b"1,2\n" * 100)
    response = api.post("/api/v1/datasets/bus-routes/resources/", {"file": big}, format="multipart")
    assert response.status_code == 413
    assert "20\xa0位元組" in response.json()["detail"]


def test_api_key_lifecycle(client, editor):
    client.force_login(editor)
    client.post("/en/profile/api-keys/", {"name": "Bus data loader"})
    key = client.get("/en/profile/").context["new_key"]
    token = AuthToken.objects.get(user=editor)
    assert key not in token.digest  # stored hashed

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").json()["username"] == "editor"
    client.post(f"/en/profile/api-keys/{token.token_key}/revoke/")
    assert api.get("/api/v1/me/").status_code == 401


def test_anonymous_callers_are_throttled_with_retry_after(org, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "100/min"})
    api = APIClient()
    statuses = [api.get("/api/v1/datasets/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/datasets/")
    assert int(response["Retry-After"]) > 0


def test_list_filters_orders_and_returns_facets(org, other_org):
    transport = Theme.objects.get(slug="transportation")
    indexed_dataset(
        name="a-bus",
        title_en="Bus stops",
        title_zh_hant="公車站",
        organization=org,
        themes=[transport],
    )
    indexed_dataset(
        name="b-bus",
        title_en="Bus fares",
        title_zh_hant="公",
        organization=other_org,
        themes=[transport],
    )
    indexed_dataset(name="c-parks", title_en="Parks", title_zh_hant="公車站牌", organization=org)

    body = APIClient().get("/api/v1/datasets/", {"q": "bus", "organization": "taipei-dot"}).json()
    assert body["count"] == 1
    assert [d["name"] for d in body["results"]] == ["a-bus"]
    assert body["facets"]["theme"] == [
        {"value": "transportation", "label": transport.name, "count": 1}
    ]
    # The API speaks the default language (zh-hant): names sort by the Chinese title.
    named = APIClient().get("/api/v1/datasets/", {"ordering": "name"}).json()
    assert [d["name"] for d in named["results"]] == ["b-bus", "a-bus", "c-parks"]
    paged = APIClient().get("/api/v1/datasets/", {"limit": 1, "offset": 1}).json()
    assert paged["count"] == 3 and len(paged["results"]) == 1 and paged["next"]


def test_list_query_count_does_not_grow_with_results(org):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert APIClient().get("/api/v1/datasets/", {"q": "bus"}).status_code == 200
        return len(ctx)

    first = indexed_dataset(
        title_en="Bus one", organization=org, tags=["a"], themes=[Theme.objects.first()]
    )
    ResourceFactory(dataset=first)
    few = count_queries()
    for i in range(8):
        dataset = indexed_dataset(
            title_en=f"Bus {i}",
            organization=org,
            tags=[f"t{i}"],
            themes=[Theme.objects.first()],
        )
        ResourceFactory(dataset=dataset)
    assert count_queries() == few


def test_themes_licenses_and_tags(org):
    indexed_dataset(organization=org, tags=["公車"])
    indexed_dataset(organization=org, status="draft", tags=["secret"])
    themes = APIClient().get("/api/v1/themes/").json()
    assert {
        "slug": "transportation",
        "name_en": "Transportation",
        "name_zh_hant": "交通運輸",
    }.items() <= next(t for t in themes if t["slug"] == "transportation").items()
    licenses = {lic["id"]: lic for lic in APIClient().get("/api/v1/licenses/").json()}
    assert licenses["OGDL-Taiwan-1.0"]["is_open"] is True
    tags = APIClient().get("/api/v1/tags/").json()["results"]
    assert tags == [{"name": "公車", "count": 1}]


def test_schema_and_docs_are_served(client):
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200


def test_schema_says_what_the_row_api_answers_in_each_format(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    answers = schema["paths"]["/api/v1/resources/{resource_id}/data/"]["get"]["responses"]
    assert set(answers["200"]["content"]) == {
        "application/json",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/geo+json",
        "application/vnd.apache.parquet",
    }


def test_a_datasets_files_are_listed_as_the_schema_says(client, org):
    # The schema promised a page ({"count", "results", ...}, with limit and offset): a
    # client generated from it failed on the plain list the endpoint answers.
    dataset = indexed_dataset(name="with-files", organization=org)
    ResourceFactory(dataset=dataset, format="CSV", url="https://example.org/a.csv")
    path = "/api/v1/datasets/{name}/resources/"

    response = client.get("/api/v1/datasets/with-files/resources/", {"limit": 1})

    assert [r["format"] for r in response.json()] == ["CSV"]
    assert_matches_schema(client, path, "get", response)
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    parameters = schema["paths"][path]["get"].get("parameters", [])
    assert not [p["name"] for p in parameters if p["in"] == "query"]


def test_the_catalog_lists_facets_as_the_schema_says(client, org):
    # The facets beside the page were not in the schema: generated clients dropped them.
    indexed_dataset(name="one", organization=org)
    response = client.get("/api/v1/datasets/")
    assert response.json()["facets"]["organization"][0]["value"] == org.slug

    assert_matches_schema(client, "/api/v1/datasets/", "get", response)
    page = response_schema(client, "/api/v1/datasets/", "get", 200)
    assert set(page["properties"]["facets"]["properties"]) == set(response.json()["facets"])


def test_file_format_facet_is_res_format(org):
    csv = indexed_dataset(name="with-csv", organization=org)
    ResourceFactory(dataset=csv, format="CSV")
    indexed_dataset(name="without", organization=org)
    body = APIClient().get("/api/v1/datasets/", {"res_format": "csv"}).json()
    assert [d["name"] for d in body["results"]] == ["with-csv"]
    assert body["results"][0]["formats"] == ["CSV"]


def test_editor_sets_the_data_dictionary_others_cannot(org, editor, outsider):
    resource = ResourceFactory(dataset=indexed_dataset(organization=org))
    schema = {"fields": [{"name": "stop", "title": "站名", "type": "string", "unit": ""}]}
    url = f"/api/v1/resources/{resource.id}/"
    assert client_for(outsider).patch(url, {"schema": schema}, format="json").status_code == 403
    bad = client_for(editor).patch(url, {"schema": {"columns": []}}, format="json")
    assert bad.status_code == 400 and "schema" in bad.json()
    response = client_for(editor).patch(url, {"schema": schema, "name_en": "Stops"}, format="json")
    assert response.status_code == 200
    assert response.json()["schema"] == schema
    assert response.json()["name_en"] == "Stops"
    assert client_for(editor).patch(url, {"dataset": "x"}, format="json").status_code == 400
    pattern = {"fields": [{"name": "stop", "constraints": {"pattern": "[0-9"}}]}
    refused = client_for(editor).patch(url, {"schema": pattern}, format="json")
    assert refused.status_code == 400  # in the site's language unless the client asks
    assert "「stop」的樣式不是有效的正規表示式" in str(refused.json()["schema"])
    english = client_for(editor).patch(
        url, {"schema": pattern}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert (
        "The pattern for 'stop' is not a regular expression: a [ is not closed with ], at "
        "character 1." in str(english.json()["schema"])
    )
    for bad, message in [
        ({"fields": [{"name": "stop", "type": "interger"}]},
         "The type of 'stop' is 'interger'; it can be one of string, integer, number"),
        ({"fields": [{"name": "stop", "constraints": ["required"]}]},
         "The constraints of 'stop' are an object"),
        ({"fields": [], "missingValues": "-"}, "missingValues is a list of texts"),
    ]:  # fmt: skip
        refused = client_for(editor).patch(
            url, {"schema": bad}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert refused.status_code == 400 and message in " ".join(refused.json()["schema"])
    resource.refresh_from_db()
    assert resource.schema == schema  # kept as it was


@pytest.mark.parametrize(
    "params, param",
    [
        ({"organization": "taipei-dot\x00"}, "organization"),
        ({"tag": "\x00"}, "tag"),
        ({"theme": "a\x00"}, "theme"),
        ({"license": "\x00"}, "license"),
        ({"frequency": "\x00"}, "frequency"),
        ({"res_format": "CSV\x00"}, "res_format"),
        ({"q": "bus\x00"}, "q"),
        ({"ordering": "popularity"}, "ordering"),
    ],
)
def test_list_refuses_a_bad_filter_with_400_naming_it(org, params, param):
    # PostgreSQL refuses a NUL character in a query: it was a 500 there. An unknown
    # ordering was silently replaced by another order.
    indexed_dataset(organization=org)
    response = APIClient().get("/api/v1/datasets/", params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_tags_refuse_a_nul_character_with_400(org):
    indexed_dataset(organization=org, tags=["公車"])
    response = APIClient().get("/api/v1/tags/", {"q": "\x00"})
    assert response.status_code == 400
    assert list(response.json()) == ["q"]


@pytest.mark.parametrize("path", ["datasets/", "tags/", "organizations/"])
def test_lists_cut_a_huge_limit_down_instead_of_failing(org, path):
    # A limit past 64 bits reached the database, which could not take it: a 500.
    indexed_dataset(organization=org, tags=["公車"])
    response = APIClient().get(f"/api/v1/{path}", {"limit": "99999999999999999999"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_review_comment_is_for_the_editors_as_on_the_page(org, member, editor):
    # The page shows an admin's review comment to the editors only; the API gave it to
    # every member who could open the draft.
    indexed_dataset(
        name="sent-back", organization=org, status="draft", review_comment="請補上欄位說明"
    )
    assert client_for(editor).get("/api/v1/datasets/sent-back/").json()["review_comment"] == (
        "請補上欄位說明"
    )
    seen_by_member = client_for(member).get("/api/v1/datasets/sent-back/")
    assert seen_by_member.status_code == 200
    assert seen_by_member.json()["review_comment"] == ""
