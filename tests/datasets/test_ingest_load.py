# ruff: noqa: S608  (table names come from table_name_for, not from input)
"""Datastore tables written by the loader can be read back as the schema contract says."""

import importlib
import io
import uuid
from datetime import date
from types import SimpleNamespace

import pytest
from django.db import connections

from datasets.datastore import fts
from datasets.datastore.load import (
    DatastoreError,
    copy_csv,
    copy_csv_files,
    create_indexes,
    create_version_table,
    drop_version_table,
    load_rows,
    refresh_fts,
    text_column_ids,
    version_tables,
)
from datasets.datastore.query import _full_text
from datasets.datastore.schema import table_name_for
from tests.datasets.ingest_helpers import ingest_bytes

pytestmark = pytest.mark.django_db

COLUMNS = [
    {"id": "name", "label": "名稱", "type": "text"},
    {"id": "count", "label": "數量", "type": "integer"},
    {"id": "ratio", "label": "比率", "type": "number"},
    {"id": "open", "label": "開放", "type": "boolean"},
    {"id": "day", "label": "日期", "type": "date"},
    {"id": "note", "label": "備註", "type": "text"},
]


@pytest.fixture
def table():
    name = table_name_for(uuid.uuid4(), 1)
    create_version_table(table_name=name, columns=COLUMNS, using="default")
    yield name
    drop_version_table(table_name=name, using="default")


def fetch(sql, params=()):
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fts_match(table, query, columns=COLUMNS):
    """Rows of `table` the Data API's `q=query` keeps."""
    text = text_column_ids(columns)
    clause, params = _full_text(query, connections["default"].vendor, text)
    return [r[0] for r in fetch(f"SELECT _id FROM {table} WHERE {clause} ORDER BY _id", params)]


def test_rows_are_numbered_typed_and_searchable(table):
    rows = [
        ("臺北市政府資訊局", 1234, 0.5, True, date(2024, 1, 5), "Open Data"),
        ("新北市", None, None, False, None, None),
        ("Taipei Zoo", 7, 2.25, None, "2023-12-31", "動物園"),
    ]

    written = load_rows(table_name=table, columns=COLUMNS, rows=rows, using="default")

    assert written == 3
    got = fetch(f"SELECT _id, name, count, ratio, open, day FROM {table} ORDER BY _id")
    assert [r[0] for r in got] == [1, 2, 3]
    assert got[0][1:4] == ("臺北市政府資訊局", 1234, 0.5)
    assert bool(got[0][4]) is True and bool(got[1][4]) is False and got[2][4] is None
    assert str(got[0][5]) == "2024-01-05" and got[1][5] is None and str(got[2][5]) == "2023-12-31"
    assert fts_match(table, "資訊局") == [1]
    assert fts_match(table, "open") == [1]
    assert fts_match(table, "動物") == [3]
    assert fts_match(table, "新北") == [2]


def test_search_finds_runs_inside_numbers_and_cjk_text_but_not_scattered_pairs(table):
    rows = [
        ("case 12345 北市 臺北", None, None, None, None, None),
        ("12 34", None, None, None, None, "臺北市政府"),
        ("call 0912-345-678", None, None, None, None, None),
    ]
    load_rows(table_name=table, columns=COLUMNS, rows=rows, using="default")
    create_indexes(table_name=table, columns=COLUMNS, using="default")

    assert fts_match(table, "2345") == [1]
    assert fts_match(table, "1234") == [1]  # not row 2: "12" and "34" are apart
    assert fts_match(table, "34") == [1, 2, 3]
    assert fts_match(table, "臺北市") == [2]  # not row 1: 北市 comes before 臺北
    assert fts_match(table, "臺北") == [1, 2]
    assert fts_match(table, "0912 678") == [3]
    assert fts_match(table, "CASE 臺北") == [1]
    assert fts_match(table, "市") == [1, 2]  # one character finds it inside longer runs
    assert fts_match(table, "5") == [1, 3]
    assert fts_match(table, "政府 9") == []
    assert fts_match(table, "臺北 市 1") == [1, 2]


def test_copy_csv_loads_the_pipeline_layout(table):
    document = fts.document(["臺北, 市", "x"])
    data = (
        f'1,"臺北, 市",10,1.5,true,2024-01-05,x,{document}\n'
        '2,"",,,,,,\n'
        '3,"a ""quoted"" word",-3,,false,,,a quoted word\n'
    ).encode()

    assert copy_csv(table_name=table, columns=COLUMNS, stream=io.BytesIO(data), using="default")

    got = fetch(f"SELECT _id, name, count, ratio, open, day, note FROM {table} ORDER BY _id")
    assert got[0][1:4] == ("臺北, 市", 10, 1.5) and bool(got[0][4]) is True
    assert got[1][2:] == (None, None, None, None, None)
    assert got[2][1] == 'a "quoted" word' and got[2][2] == -3 and bool(got[2][4]) is False
    if connections["default"].vendor == "postgresql":
        assert got[1][1] == ""  # a quoted empty field is text, not NULL
    assert fts_match(table, "臺北") == [1]


def test_indexes_build_and_tables_are_listed_then_dropped(table):
    load_rows(
        table_name=table,
        columns=COLUMNS,
        rows=[("x" * 200_000, 1, 1.0, True, "2024-01-01", "long cell")],
        using="default",
    )

    create_indexes(table_name=table, columns=COLUMNS, using="default")

    indexes = connections["default"].introspection.get_constraints(
        connections["default"].cursor(), table
    )
    indexed_columns = {tuple(i["columns"]) for i in indexes.values() if i["index"]}
    assert {("count",), ("ratio",), ("day",)} <= indexed_columns
    assert table in version_tables(using="default")
    drop_version_table(table_name=table, using="default")
    assert table not in version_tables(using="default")


@pytest.mark.parametrize(
    ("table_name", "columns"),
    [
        ("datasets_dataset", COLUMNS),
        ("ds_x; DROP TABLE users", COLUMNS),
        (table_name_for(uuid.uuid4(), 2), [{"id": "Bad Name", "type": "text"}]),
        (table_name_for(uuid.uuid4(), 2), [{"id": "_fts", "type": "text"}]),
        (table_name_for(uuid.uuid4(), 2), [{"id": "a", "type": "money"}]),
        (table_name_for(uuid.uuid4(), 2), [{"id": "a", "type": "text"}] * 2),
    ],
)
def test_unsafe_names_and_types_are_refused(table_name, columns):
    with pytest.raises(DatastoreError):
        create_version_table(table_name=table_name, columns=columns, using="default")
    with pytest.raises(DatastoreError):
        drop_version_table(table_name="datasets_dataset", using="default")


@pytest.mark.django_db(transaction=True)
def test_parts_load_in_parallel_out_of_order_and_get_their_indexes(tmp_path):
    # Committed table, no transaction around: on PostgreSQL each part goes through its own
    # connection, and the full-text index is built on another one next to the b-trees.
    name = table_name_for(uuid.uuid4(), 1)
    create_version_table(table_name=name, columns=COLUMNS, using="default")
    try:
        postgresql = connections["default"].vendor == "postgresql"
        document = (
            fts.document(["臺北市政府"]) if postgresql else fts.sqlite_document(["臺北市政府"])
        )
        first = tmp_path / "data_0.csv"
        second = tmp_path / "data_1.csv"
        first.write_text(f"3,臺北市政府,3,,,,,{document}\n1,a,1,,true,,,a\n", encoding="utf-8")
        second.write_text("2,b,2,0.5,false,2024-01-05,,b\n", encoding="utf-8")

        # Parts may come one by one, as the columnar path writes them.
        so_far = []
        loaded = copy_csv_files(
            table_name=name, columns=COLUMNS, paths=iter([first, second]), on_part=so_far.append
        )
        built = []
        create_indexes(table_name=name, columns=COLUMNS, using="default", on_index=built.append)

        assert loaded == 3
        assert so_far in ([2, 3], [1, 3])  # rows so far, as each part is in
        # Progress as each index is built: count, ratio, day, and on PostgreSQL the
        # primary key and full-text index too.
        assert len(built) == (5 if postgresql else 3)
        assert built == sorted(built) and built[-1] == 1
        assert fetch(f"SELECT _id, name, count FROM {name} ORDER BY _id") == [
            (1, "a", 1),
            (2, "b", 2),
            (3, "臺北市政府", 3),
        ]
        assert fts_match(name, "市政") == [3]
        constraints = connections["default"].introspection.get_constraints(
            connections["default"].cursor(), name
        )
        assert any(c["primary_key"] and c["columns"] == ["_id"] for c in constraints.values())
        # _id stays the primary key (psycopg's own error: COPY bypasses Django's wrapper).
        with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
            copy_csv_files(table_name=name, columns=COLUMNS, paths=[second])
    finally:
        drop_version_table(table_name=name, using="default")


def test_refresh_fts_recomputes_the_search_column_of_a_loaded_table(table):
    rows = [
        ("case 12345", None, None, None, None, "臺北市"),
        ("other", None, None, None, None, None),
    ]
    load_rows(table_name=table, columns=COLUMNS, rows=rows, using="default")
    with connections["default"].cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET _fts = ''")  # as tokens from before a change
    assert fts_match(table, "2345") == []

    assert refresh_fts(table_name=table, columns=COLUMNS, using="default") == 2

    assert fts_match(table, "2345") == [1]
    assert fts_match(table, "臺北市 case") == [1]
    assert fts_match(table, "other") == [2]


def test_migration_refreshes_every_loaded_version():
    from django.apps import apps

    refresh = importlib.import_module("datasets.migrations.0007_refresh_fulltext_tokens").refresh
    versions = [
        ingest_bytes("id,note\n1,case 12345\n2,臺北市政府\n".encode())[0].version,
        ingest_bytes("id,note\n1,市政府 2024\n".encode())[0].version,
    ]
    with connections["default"].cursor() as cursor:
        for version in versions:
            cursor.execute(f"UPDATE {version.table_name} SET _fts = ''")

    refresh(apps, SimpleNamespace(connection=connections["default"]))

    first, second = versions
    assert fts_match(first.table_name, "2345", first.columns) == [1]
    assert fts_match(first.table_name, "市政", first.columns) == [2]
    assert fts_match(second.table_name, "政府 024", second.columns) == [1]
