"""GET /api/v1/resources/{id}/data/ from the outside: shape, paging, errors, who sees what."""

import pytest
import yaml
from django.core.cache import cache
from knox.models import AuthToken

from datasets.models import ResourceVersion
from tests.datasets.datastore_tables import SLOW_COUNT, make_version
from tests.datasets.openapi import assert_matches_schema, response_schema
from tests.factories import MembershipFactory, ResourceFactory, UserFactory


def url(resource):
    return f"/api/v1/resources/{resource.pk}/data/"


def test_rows_come_in_the_documented_shape(api_client, facilities):
    response = api_client.get(url(facilities), {"district": "大安區", "sort": "-visitors"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "fields",
        "records",
        "total",
        "total_was_estimated",
        "limit",
        "offset",
        "next",
        "previous",
    }
    assert body["fields"][1] == {"id": "name", "type": "text", "label": "名稱"}
    assert [r["name"] for r in body["records"]] == ["大安森林公園", "臺北市立圖書館總館"]
    assert body["total"] == 2
    assert body["total_was_estimated"] is False
    assert (body["limit"], body["offset"], body["next"], body["previous"]) == (100, 0, None, None)


def test_next_and_previous_walk_the_pages(api_client, facilities):
    body = api_client.get(url(facilities), {"limit": 2, "sort": "name"}).json()
    seen = [r["_id"] for r in body["records"]]
    while body["next"]:
        body = api_client.get(body["next"]).json()
        seen.extend(r["_id"] for r in body["records"])
    assert sorted(seen) == [1, 2, 3, 4, 5, 6]
    assert "offset=2" in body["previous"]


def test_asking_for_the_total_only_gives_no_next_page(api_client, facilities):
    body = api_client.get(url(facilities), {"limit": 0}).json()
    assert (body["total"], body["records"], body["next"]) == (6, [], None)


def test_answers_are_described_by_the_schema(api_client, facilities):
    # The schema said "an object" for every answer: clients generated from it had no
    # records, next or param to read.
    path = "/api/v1/resources/{resource_id}/data/"
    page = response_schema(api_client, path, "get", 200)
    assert {"fields", "records", "total", "next", "previous"} <= set(page["required"])
    assert "param" in response_schema(api_client, path, "get", 400)["properties"]

    rows = api_client.get(url(facilities), {"limit": 2, "offset": 2})
    assert_matches_schema(api_client, path, "get", rows)
    for params in ({"visitors": "many"}, {"version": 9}):
        refused = api_client.get(url(facilities), params)
        assert refused.status_code in (400, 404)
        assert_matches_schema(api_client, path, "get", refused)


def test_the_schema_says_filters_are_parameters_named_by_the_columns(api_client, facilities):
    # The schema named one parameter "{column}[__op]": Swagger UI and generated clients sent
    # that name itself and were told the column "{column}[" does not exist.
    schema = yaml.safe_load(api_client.get("/api/v1/schema/").content)
    parameters = schema["paths"]["/api/v1/resources/{resource_id}/data/"]["get"]["parameters"]
    assert not [p["name"] for p in parameters if not p["name"].isidentifier()]
    (filters,) = [p for p in parameters if p["schema"].get("type") == "object"]
    assert (filters["in"], filters["style"], filters["explode"]) == ("query", "form", True)

    # Which is how such a client sends {"district": "大安區", "visitors__gte": "1000"}:
    sent = api_client.get(url(facilities), {"district": "大安區", "visitors__gte": "1000"})
    assert [r["name"] for r in sent.json()["records"]] == ["大安森林公園"]


@pytest.mark.parametrize(
    ("params", "total"),
    [
        ({"updated__gte": "0001-01-01"}, 5),
        ({"updated__lt": "0001-01-01"}, 0),
        ({"updated": "0001-01-01T00:00:00"}, 0),
        ({"updated__in": "0001-01-01,2024-01-02T09:00:00+08:00"}, 1),
        ({"updated__lte": "9999-12-31T23:59:59-01:00"}, 5),
        ({"updated__gt": "9999-12-31T23:59:59-01:00"}, 0),
    ],
)
def test_times_at_the_ends_of_the_calendar_filter_rows(
    api_client, facilities, settings, params, total
):
    # "From the year 1 on" in the city's time is before year 1 in UTC: a 500 on SQLite.
    settings.TIME_ZONE = "Asia/Taipei"
    response = api_client.get(url(facilities), params)
    assert response.status_code == 200
    assert response.json()["total"] == total


def test_older_version_by_number(api_client, facilities):
    make_version(facilities, [("only", "integer", "only")], [(1,), (2,)], number=2)
    assert api_client.get(url(facilities)).json()["total"] == 2
    old = api_client.get(url(facilities), {"version": 1}).json()
    assert old["total"] == 6
    assert api_client.get(url(facilities), {"version": 9}).status_code == 404


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"nosuch": "1"}, "nosuch"),
        ({"visitors__like": "1"}, "visitors__like"),
        ({"opened__gte": "yesterday"}, "opened__gte"),
        ({"sort": "nosuch"}, "sort"),
        ({"limit": "100000"}, "limit"),
        ({"format": "docx"}, "format"),
        ({"version": "²"}, "version"),
        ({"version": "99999999999999999999"}, "version"),
        ({"offset": "99999999999999999999"}, "offset"),
        ({"name": "\x00"}, "name"),
    ],
)
def test_bad_query_is_a_400_naming_the_parameter(api_client, facilities, params, param):
    response = api_client.get(url(facilities), params)
    assert response.status_code == 400
    assert response.json()["param"] == param
    assert response.json()["detail"]


def test_errors_speak_the_callers_language(api_client, facilities):
    response = api_client.get(url(facilities), {"visitors": "many"}, HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert response.status_code == 400
    assert "visitors" in response.json()["detail"]
    assert "整數" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "language", "detail"),
    [
        ({"visitors": "many"}, "zh-hant", "「many」不是欄位「人次」（visitors）有效的整數。"),
        (
            {"visitors": "many"},
            "en",
            "“many” is not a valid whole number for column “人次” (visitors).",
        ),
        (
            {"open_24h": "maybe"},
            "zh-hant",
            "「maybe」不是 true 或 false（欄位「全天開放」（open_24h））。",
        ),
        (
            {"lat__contains": "2"},
            "en",
            "Operator “contains” does not apply to column “緯度” (lat) of type number.",
        ),
    ],
)
def test_errors_name_the_column_as_readers_see_it(api_client, facilities, params, language, detail):
    # The table header shows the label; the id stays for whoever writes the query.
    response = api_client.get(url(facilities), params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    body = response.json()
    assert (set(body), body["param"], body["detail"]) == (
        {"detail", "param", "code"},
        *params,
        detail,
    )


@pytest.mark.parametrize("change", [{"status": "draft"}, {"private": True}])
def test_private_or_draft_data_is_invisible_to_outsiders(api_client, facilities, change):
    dataset = facilities.dataset
    for field, value in change.items():
        setattr(dataset, field, value)
    dataset.save()
    assert api_client.get(url(facilities)).status_code == 404
    outsider = MembershipFactory(role="admin").user  # admin of another organization
    api_client.force_authenticate(outsider)
    assert api_client.get(url(facilities)).status_code == 404
    member = MembershipFactory(organization=dataset.organization, role="member").user
    api_client.force_authenticate(member)
    assert api_client.get(url(facilities)).status_code == 200


def test_api_key_reads_its_organizations_private_data(api_client, facilities):
    facilities.dataset.private = True
    facilities.dataset.save()
    editor = MembershipFactory(organization=facilities.dataset.organization, role="editor").user
    _token, key = AuthToken.objects.create(editor)
    response = api_client.get(url(facilities), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_version_flagged_for_personal_data_is_held_back_from_the_public(api_client, facilities):
    ResourceVersion.objects.filter(pk=facilities.current_version_id).update(personal_data="flagged")
    assert api_client.get(url(facilities)).status_code == 404
    editor = MembershipFactory(organization=facilities.dataset.organization, role="editor").user
    api_client.force_authenticate(editor)
    assert api_client.get(url(facilities)).status_code == 200


def test_resource_without_data_is_404(api_client, db):
    resource = ResourceFactory()
    assert api_client.get(url(resource)).status_code == 404


def test_anonymous_callers_are_throttled_before_api_keys(api_client, facilities, settings):
    settings.DATA_API_THROTTLE_ANON = "3/min"
    settings.DATA_API_THROTTLE_USER = "6/min"
    cache.clear()
    codes = [api_client.get(url(facilities)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = api_client.get(url(facilities))
    assert int(response["Retry-After"]) > 0
    _token, key = AuthToken.objects.create(UserFactory())
    codes = [
        api_client.get(url(facilities), HTTP_AUTHORIZATION=f"Token {key}").status_code
        for _ in range(6)
    ]
    assert codes == [200] * 6


def test_statement_timeout_is_a_503_naming_the_cap(api_client, facilities, settings, monkeypatch):
    from datasets.datastore import query as query_module

    settings.DATA_API_STATEMENT_TIMEOUT_MS = 1
    monkeypatch.setattr(query_module, "count_sql", lambda **kw: (SLOW_COUNT, []))
    response = api_client.get(url(facilities), {"district": "大安區"})
    assert response.status_code == 503
    assert "0.001 秒的上限" in response.json()["detail"]


def test_total_is_estimated_and_flagged_on_huge_tables(
    api_client, facilities, settings, monkeypatch
):
    from django.db import connections

    from datasets.datastore import query as query_module

    settings.DATA_API_EXACT_COUNT_MAX = 3  # "huge" = more than 3 rows, for this test
    # Few matches on a huge table are still counted exactly (the count is bounded).
    body = api_client.get(url(facilities), {"district": "大安區"}).json()
    assert (body["total"], body["total_was_estimated"]) == (2, False)
    # Many matches: the planner's estimate, flagged.
    monkeypatch.setattr(query_module, "EXACT_COUNT_CAP", 1)
    body = api_client.get(url(facilities), {"district": "大安區"}).json()
    if connections[settings.DATASTORE_DATABASE].vendor == "postgresql":
        assert body["total_was_estimated"] is True
        assert body["total"] >= 1
    else:
        # SQLite has no planner estimate: counts stay exact.
        assert (body["total"], body["total_was_estimated"]) == (2, False)
    # Without filters the row count stored at ingestion is exact and free.
    body = api_client.get(url(facilities)).json()
    assert (body["total"], body["total_was_estimated"]) == (6, False)


def test_view_beacon_counts_without_personal_data(api_client, facilities):
    response = api_client.post(
        f"/api/v1/resources/{facilities.pk}/views/", HTTP_USER_AGENT="Firefox"
    )
    assert response.status_code == 204
    facilities.refresh_from_db()
    assert facilities.view_count == 1
    api_client.post(f"/api/v1/resources/{facilities.pk}/views/", HTTP_USER_AGENT="Googlebot/2.1")
    facilities.refresh_from_db()
    assert facilities.view_count == 1
