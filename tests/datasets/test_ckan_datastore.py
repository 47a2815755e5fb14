"""CKAN's datastore_search over the same query layer as the row API."""

import json

import pytest
from ckanapi import RemoteCKAN
from ckanapi.errors import NotFound, ValidationError
from django.core.cache import cache
from knox.models import AuthToken

from datasets.models import ResourceVersion
from tests.datasets.conftest import COLUMNS, ROWS
from tests.datasets.datastore_tables import make_version
from tests.factories import MembershipFactory, ResourceFactory, seed_themes_and_licenses

pytestmark = pytest.mark.django_db


def search(client, **params):
    body = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in params.items()}
    return client.get("/api/3/action/datastore_search", body, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.django_db(transaction=True)
def test_ckanapi_datastore_search(live_server):
    seed_themes_and_licenses()
    resource = ResourceFactory(dataset__name="facilities")
    make_version(resource, COLUMNS, ROWS)
    ckan = RemoteCKAN(live_server.url)

    result = ckan.action.datastore_search(resource_id=str(resource.pk), limit=2)

    assert [f["id"] for f in result["fields"]][:3] == ["_id", "name", "district"]
    assert result["fields"][0]["type"] == "int"
    assert {f["id"]: f["type"] for f in result["fields"]}["opened"] == "date"
    assert result["total"] == 6
    assert (result["limit"], result["offset"]) == (2, 0)
    assert [r["_id"] for r in result["records"]] == [1, 2]
    assert result["records"][0]["name"] == "大安森林公園"
    assert "offset=2" in result["_links"]["next"]
    assert result["_links"]["start"].startswith("/api/3/action/datastore_search?resource_id=")


def test_datastore_info_gives_the_columns_and_row_count(client, facilities):
    # CKAN tools ask datastore_info for the columns before searching: it was "Action
    # name not known".
    response = client.get(
        "/api/3/action/datastore_info", {"id": str(facilities.pk)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    info = response.json()["result"]
    assert info["meta"]["count"] == 6
    assert [f["id"] for f in info["fields"]] == [c for c, _type, _label in COLUMNS]
    assert info["fields"][0] == {"id": "name", "type": "text", "info": {"label": "名稱"}}
    assert info["schema"]["visitors"] == "int"

    facilities.dataset.private = True
    facilities.dataset.save()
    hidden = client.get("/api/3/action/datastore_info", {"id": str(facilities.pk)})
    assert hidden.status_code == 404
    assert hidden.json()["error"]["__type"] == "Not Found Error"


def test_filters_lists_mean_in_sort_fields_and_q(client, facilities):
    body = search(
        client,
        resource_id=str(facilities.pk),
        filters={"district": ["大安區", "松山區"]},
        sort="visitors desc",
        fields="name,visitors",
    ).json()["result"]
    assert [r["name"] for r in body["records"]] == [
        "松山機場",
        "大安森林公園",
        "臺北市立圖書館總館",
    ]
    assert [f["id"] for f in body["fields"]] == ["name", "visitors"]
    assert body["total"] == 3

    equal = search(client, resource_id=str(facilities.pk), filters={"district": "信義區"})
    assert equal.json()["result"]["total"] == 2

    words = search(client, resource_id=str(facilities.pk), q="Observatory").json()["result"]
    assert [r["name"] for r in words["records"]] == ["Taipei 101 Observatory"]

    in_column = search(client, resource_id=str(facilities.pk), q={"name": "機場"})
    assert [r["name"] for r in in_column.json()["result"]["records"]] == ["松山機場"]


def test_a_null_filter_finds_the_rows_without_a_value(client, facilities):
    # {"visitors": null} was refused with '"" is not a valid whole number'.
    body = search(client, resource_id=str(facilities.pk), filters={"visitors": None}).json()
    assert [r["name"] for r in body["result"]["records"]] == ['=HYPERLINK("http://evil")']
    both = search(client, resource_id=str(facilities.pk), filters={"area": None, "lat": None})
    assert both.json()["result"]["total"] == 1


def test_records_formats_and_total(client, facilities):
    lists = search(
        client, resource_id=str(facilities.pk), fields="_id,district", limit=2,
        records_format="lists", include_total="false",
    ).json()["result"]  # fmt: skip
    assert lists["records"] == [[1, "大安區"], [2, "大安區"]]
    assert "total" not in lists
    csv_text = search(
        client, resource_id=str(facilities.pk), fields="_id,district", limit=2, records_format="csv"
    ).json()["result"]["records"]
    assert csv_text.splitlines() == ["1,大安區", "2,大安區"]


def test_the_next_link_of_a_posted_search_gives_the_next_page(client, facilities):
    # ckanapi posts JSON: its fields and sort lists went into the link as JSON text,
    # which the link's GET then read as the column '["name"'.
    posted = client.post(
        "/api/3/action/datastore_search",
        json.dumps(
            {
                "resource_id": str(facilities.pk),
                "fields": ["name", "visitors"],
                "sort": ["visitors desc", "name"],
                "filters": {"district": ["大安區", "信義區", "松山區"]},
                "limit": 2,
            }
        ),
        content_type="application/json",
    ).json()["result"]
    assert [r["visitors"] for r in posted["records"]] == [5000, 3000]

    following = client.get(posted["_links"]["next"])
    assert following.status_code == 200, following.json()
    assert following.json()["result"]["records"] == [
        {"name": "大安森林公園", "visitors": 1200},
        {"name": "臺北市立圖書館總館", "visitors": 800},
    ]


def test_a_limit_past_the_maximum_is_cut_down_as_ckan_does(client, facilities):
    # CKAN caps `limit` at its rows_max (32,000 by default) and pages on from there; a
    # client asking for that many got a Validation Error here.
    response = search(client, resource_id=str(facilities.pk), limit=32000)
    assert response.status_code == 200
    body = response.json()["result"]
    assert body["limit"] == 10000
    assert len(body["records"]) == 6
    assert body["_links"]["next"].endswith("&offset=10000")


def test_distinct_gives_each_value_once_and_pages_over_them(client, facilities):
    # CKAN's `distinct`: a client listing the districts got one row per facility.
    body = search(
        client, resource_id=str(facilities.pk), fields="district", distinct="true"
    ).json()["result"]
    districts = sorted({"大安區", "松山區", "信義區", "大同區"})
    assert [r["district"] for r in body["records"]] == districts
    assert body["total"] == 4

    seen = []
    for offset in (0, 2, 4):
        page = search(
            client,
            resource_id=str(facilities.pk),
            fields="opened",
            distinct=True,
            sort="opened desc",
            limit=2,
            offset=offset,
        ).json()["result"]
        assert page["total"] == 5  # two places opened on 2004-12-31
        seen += [r["opened"] for r in page["records"]]
    assert seen == ["2004-12-31", "1994-03-29", "1990-01-01", "1950-05-18", None]

    refused = search(
        client, resource_id=str(facilities.pk), fields="district", distinct=True, sort="name"
    )
    assert refused.status_code == 409
    assert "name" in refused.json()["error"]["sort"][0]


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"filters": {"colour": "red"}}, "filters", "colour"),
        ({"filters": {"visitors": "many"}}, "filters", "many"),
        ({"sort": "nothing desc"}, "sort", "nothing"),
        ({"fields": "name,ghost"}, "fields", "ghost"),
        ({"limit": -1}, "limit", "0"),
        ({"filters": "not json"}, "filters", "JSON"),
        ({"offset": "99999999999999999999"}, "offset", "9223372036854775807"),
        ({"filters": {"name": "\x00"}}, "filters", "NUL"),
        ({"q": {"name": "a\x00"}}, "filters", "NUL"),
    ],
)
def test_bad_queries_are_validation_errors_naming_the_problem(
    client, facilities, params, field, words
):
    response = search(client, resource_id=str(facilities.pk), **params)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["__type"] == "Validation Error"
    assert words in " ".join(error[field])


def test_too_many_calls_say_when_to_try_again(client, facilities, settings):
    # The 429 gave no Retry-After: clients that back off by it retried at once.
    settings.DATA_API_THROTTLE_ANON = "2/min"
    cache.clear()
    statuses = [search(client, resource_id=str(facilities.pk)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = search(client, resource_id=str(facilities.pk))
    assert refused.json()["error"]["__type"] == "Throttled"
    assert 0 < int(refused["Retry-After"]) <= 60


@pytest.mark.parametrize("fields", [[1], [None], "name"])
def test_fields_posted_as_json_must_be_column_names(client, facilities, fields):
    response = client.post(
        "/api/3/action/datastore_search",
        json.dumps({"resource_id": str(facilities.pk), "fields": fields, "limit": 1}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    if fields == "name":
        assert response.json()["result"]["records"][0] == {"name": "大安森林公園"}
        return
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == ["Must be a list of column names"]


def test_private_and_held_back_tables_stay_hidden(client, facilities, member, org):
    dataset = facilities.dataset
    dataset.organization = org
    dataset.private = True
    dataset.save()
    assert search(client, resource_id=str(facilities.pk)).status_code == 404
    key = AuthToken.objects.create(user=member)[1]
    as_member = client.get(
        "/api/3/action/datastore_search",
        {"resource_id": str(facilities.pk)},
        HTTP_AUTHORIZATION=key,
    )
    assert as_member.json()["result"]["total"] == 6

    dataset.private = False
    dataset.save()
    ResourceVersion.objects.filter(resource=facilities).update(
        personal_data=ResourceVersion.PersonalData.FLAGGED
    )
    assert search(client, resource_id=str(facilities.pk)).status_code == 404
    assert as_member.status_code == 200


def test_missing_table_or_resource_is_not_found(client):
    without_table = ResourceFactory()
    for resource_id in (str(without_table.pk), "not-a-uuid"):
        response = search(client, resource_id=resource_id)
        assert response.status_code == 404
        assert response.json()["error"]["__type"] == "Not Found Error"
    missing = search(client)
    assert missing.status_code == 409
    assert missing.json()["error"]["resource_id"] == ["Missing value"]


@pytest.mark.django_db(transaction=True)
def test_ckanapi_sees_the_same_errors(live_server):
    seed_themes_and_licenses()
    resource = ResourceFactory()
    make_version(resource, COLUMNS, ROWS)
    ckan = RemoteCKAN(live_server.url)
    with pytest.raises(ValidationError):
        ckan.action.datastore_search(resource_id=str(resource.pk), filters={"ghost": 1})
    with pytest.raises(NotFound):
        ckan.action.datastore_search(resource_id=str(ResourceFactory().pk))
    key = AuthToken.objects.create(user=MembershipFactory().user)[1]
    with pytest.raises(NotFound):
        RemoteCKAN(live_server.url, apikey=key).action.datastore_search(
            resource_id=str(ResourceFactory(dataset__private=True).pk)
        )
