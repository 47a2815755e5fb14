"""The query layer: every operator and type, paging, errors, injection attempts."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import translation

from datasets.datastore.query import (
    QueryError,
    QueryTimeout,
    query_build,
    query_from_params,
    query_iter,
    query_rows,
)
from tests.datasets.datastore_tables import SLOW_COUNT, make_version
from tests.factories import ResourceFactory


def names(resource, **params):
    version = resource.current_version
    query = query_from_params(version=version, params={"sort": "_id", **params})
    return [r["name"] for r in query_rows(version=version, query=query).records]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"district": "大安區"}, ["大安森林公園", "臺北市立圖書館總館"]),
        ({"visitors": "800"}, ["臺北市立圖書館總館"]),
        ({"visitors__gte": "3000"}, ["松山機場", "Taipei 101 Observatory"]),
        ({"visitors__gt": "3000"}, ["松山機場"]),
        ({"visitors__lt": "800"}, ["大稻埕碼頭"]),
        ({"visitors__lte": "800"}, ["臺北市立圖書館總館", "大稻埕碼頭"]),
        ({"area__lt": "1.2"}, ["Taipei 101 Observatory"]),
        ({"area__gte": "25.9"}, ["大安森林公園", "松山機場"]),
        ({"visitors__in": "700,5000"}, ["松山機場", "大稻埕碼頭"]),
        ({"opened": "2004-12-31"}, ["Taipei 101 Observatory", "大稻埕碼頭"]),
        ({"opened__lt": "1991-01-01"}, ["臺北市立圖書館總館", "松山機場"]),
        ({"opened__gte": "1994-03-29", "opened__lte": "2000-01-01"}, ["大安森林公園"]),
        ({"open_24h": "true"}, ["大安森林公園", "松山機場", "大稻埕碼頭"]),
        ({"open_24h": "false"}, ["臺北市立圖書館總館", "Taipei 101 Observatory"]),
        ({"updated__gte": "2024-03-01T00:00:00+08:00"}, ["Taipei 101 Observatory", "大稻埕碼頭"]),
        ({"name__contains": "圖書"}, ["臺北市立圖書館總館"]),
        ({"name__contains": "taipei"}, ["Taipei 101 Observatory"]),
        ({"name__contains": "%"}, []),
        ({"visitors__isnull": "true"}, ['=HYPERLINK("http://evil")']),
        ({"district__in": "松山區,大同區"}, ["松山機場", "大稻埕碼頭"]),
        ({"q": "森林"}, ["大安森林公園"]),
        ({"q": "圖書館"}, ["臺北市立圖書館總館"]),
        ({"q": "observatory"}, ["Taipei 101 Observatory"]),
        ({"q": "TAI observ"}, ["Taipei 101 Observatory"]),  # words found as they begin
        ({"q": "大安 公園"}, ["大安森林公園"]),
    ],
)
def test_each_operator_and_type_finds_the_right_rows(facilities, params, expected):
    assert names(facilities, **params) == expected


def test_isnull_false_excludes_missing_values(facilities):
    assert len(names(facilities, visitors__isnull="false")) == 5


def test_values_come_back_typed(facilities):
    version = facilities.current_version
    query = query_build(version=version, filters=[("visitors", "eq", "1200")])
    page = query_rows(version=version, query=query)
    record = page.records[0]
    assert record["_id"] == 1
    assert record["visitors"] == 1200
    assert record["area"] == 25.9
    assert record["opened"] == "1994-03-29"
    assert record["open_24h"] is True
    assert record["updated"].startswith("2024-01-02T")
    assert page.total == 1
    assert [f["id"] for f in page.fields][:3] == ["_id", "name", "district"]
    assert page.fields[1]["label"] == "名稱"


def test_sort_descending_and_nulls_last(facilities):
    assert names(facilities, sort="-visitors")[:2] == ["松山機場", "Taipei 101 Observatory"]
    assert names(facilities, sort="-visitors")[-1] == '=HYPERLINK("http://evil")'
    assert names(facilities, sort="visitors")[-1] == '=HYPERLINK("http://evil")'


def test_fields_choose_the_columns(facilities):
    version = facilities.current_version
    query = query_from_params(version=version, params={"fields": "name,visitors"})
    page = query_rows(version=version, query=query)
    assert set(page.records[0]) == {"name", "visitors"}


def test_pages_never_skip_or_repeat_a_row(db):
    resource = ResourceFactory()
    rows = [(f"site {i}", i % 3) for i in range(57)]
    version = make_version(resource, [("name", "text", "n"), ("kind", "integer", "k")], rows)
    seen = []
    for offset in range(0, 60, 10):
        query = query_from_params(
            version=version, params={"sort": "kind", "limit": "10", "offset": str(offset)}
        )
        page = query_rows(version=version, query=query)
        assert page.total == 57
        seen.extend(r["_id"] for r in page.records)
    assert sorted(seen) == list(range(1, 58))
    assert len(seen) == 57


@pytest.mark.parametrize(
    ("params", "param", "words"),
    [
        ({"nosuch": "1"}, "nosuch", "nosuch"),
        ({"visitors__near": "1"}, "visitors__near", "near"),
        ({"visitors": "many"}, "visitors", "many"),
        ({"visitors__in": "1,two"}, "visitors__in", "two"),
        ({"area__gt": "nan"}, "area__gt", "nan"),
        ({"opened": "113/01/02"}, "opened", "113/01/02"),
        ({"open_24h": "maybe"}, "open_24h", "maybe"),
        ({"visitors__contains": "1"}, "visitors__contains", "contains"),
        ({"sort": "-nosuch"}, "sort", "nosuch"),
        ({"fields": "name,nosuch"}, "fields", "nosuch"),
        ({"limit": "10001"}, "limit", "10000"),
        ({"limit": "ten"}, "limit", "ten"),
        ({"offset": "-1"}, "offset", "offset"),
        ({"offset": "99999999999999999999"}, "offset", "9223372036854775807"),
        ({"name": "a\x00"}, "name", "NUL"),
        ({"district__in": "松山區,\x00"}, "district__in", "NUL"),
        ({"q": "\x00"}, "q", "NUL"),
    ],
)
def test_bad_queries_name_what_is_wrong(facilities, params, param, words):
    with pytest.raises(QueryError) as info:
        query_from_params(version=facilities.current_version, params=params)
    assert info.value.param == param
    assert words in info.value.message


@pytest.mark.parametrize(
    "params",
    [
        {'name" FROM x; DROP TABLE y; --': "1"},
        {"sort": "name; DROP TABLE datasets_dataset"},
        {"sort": '"_id" desc, (select 1)'},
        {"fields": "name, (SELECT password FROM portal_user)"},
        {"name__gt": "1'); DROP TABLE"},
    ],
)
def test_injection_through_names_is_refused(facilities, params):
    try:
        query = query_from_params(version=facilities.current_version, params=params)
    except QueryError:
        return
    # only a value reached here: it is bound as a parameter and matches nothing harmful
    page = query_rows(version=facilities.current_version, query=query)
    assert isinstance(page.records, list)


def test_injection_through_values_is_just_a_value(facilities):
    assert names(facilities, district="大安區' OR '1'='1") == []
    assert names(facilities, name__contains="' OR 1=1 --") == []
    assert names(facilities, q="') OR zzz=zzz --") == []
    assert len(names(facilities)) == 6  # the table is still there


def test_query_iter_streams_every_row_without_limit(db):
    resource = ResourceFactory()
    version = make_version(resource, [("n", "integer", "n")], [(i,) for i in range(250)])
    query = query_from_params(version=version, params={"n__gte": "10"}, export=True)
    rows = list(query_iter(version=version, query=query, batch_size=40))
    assert [r[1] for r in rows] == list(range(10, 250))


@override_settings(DATA_API_STATEMENT_TIMEOUT_MS=1)
def test_statement_timeout_is_reported(db, monkeypatch):
    resource = ResourceFactory()
    version = make_version(resource, [("n", "integer", "n")], [(i,) for i in range(300)])
    from datasets.datastore import query as query_module

    monkeypatch.setattr(query_module, "count_sql", lambda **kw: (SLOW_COUNT, []))
    query = query_build(version=version, filters=[("n", "gte", "0")])
    with translation.override("en"), pytest.raises(QueryTimeout) as info:
        query_rows(version=version, query=query)
    assert "0.001 second limit" in str(info.value)


def test_dates_in_the_past_compare_as_dates(facilities):
    assert names(facilities, opened__gt=dt.date(2000, 1, 1).isoformat()) == [
        "Taipei 101 Observatory",
        "大稻埕碼頭",
    ]


HUGE = "99999999999999999999"


def test_whole_numbers_past_64_bits_compare_and_match_nothing(facilities):
    assert names(facilities, visitors=HUGE) == []
    assert names(facilities, visitors__in=f"800,{HUGE}") == ["臺北市立圖書館總館"]
    assert len(names(facilities, visitors__lt=HUGE)) == 5  # every row with a number
    assert len(names(facilities, visitors__gt=f"-{HUGE}")) == 5


DATETIMES = (
    b"name,at\n"
    b"utc_late,2024-01-05T23:30:00Z\n"  # 23:30 UTC
    b"local_early,2024-01-06 01:00\n"  # Taipei time: 17:00 UTC the day before
    b"local_mid,2024-01-06 08:00\n"  # Taipei time: midnight UTC
)


def test_datetimes_sort_and_filter_as_instants_whatever_offset_they_were_written_in(db):
    from tests.datasets.ingest_helpers import ingest_bytes

    _job, resource = ingest_bytes(DATETIMES)

    assert names(resource, sort="at") == ["local_early", "utc_late", "local_mid"]
    assert names(resource, at__gte="2024-01-05T20:00:00Z") == ["utc_late", "local_mid"]
    assert names(resource, at="2024-01-05T17:00:00Z") == ["local_early"]
    # A time without zone is the city's, in a filter as in the file.
    assert names(resource, at="2024-01-06T01:00:00") == ["local_early"]
    assert names(resource, at__lt="2024-01-06T08:00:00") == ["utc_late", "local_early"]


def test_a_search_word_too_long_for_the_index_is_still_looked_for(db):
    word = "x" * 101
    resource = ResourceFactory()
    make_version(resource, [("name", "text", "name")], [(f"a {word.upper()} b",), ("plain",)])

    assert names(resource, q=word) == [f"a {word.upper()} b"]
    assert names(resource, q="y" * 101) == []  # not every row


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("台北", ["臺北市政府", "台北車站"]),
        ("臺北", ["臺北市政府", "台北車站"]),
        ("台北市", ["臺北市政府"]),
        ("臺北車站", ["台北車站"]),
        ("台", ["臺北市政府", "台北車站", "臺中 台灣大道"]),
        ("台灣 臺中", ["臺中 台灣大道"]),
    ],
)
def test_a_search_finds_tai_written_either_way(db, q, expected):
    # 台北 and 臺北 are one city, typed either way: q=台北 found none of the 臺北 rows.
    resource = ResourceFactory()
    rows = [("臺北市政府",), ("台北車站",), ("高雄市政府",), ("臺中 台灣大道",)]
    make_version(resource, [("name", "text", "name")], rows)

    assert names(resource, q=q) == expected
