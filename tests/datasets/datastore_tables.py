"""Create small datastore tables for tests, following datasets/datastore/schema.py.

Temporary stand-in until the ingest branch's loader (datasets/datastore/load.py) lands.
"""

import datetime as dt

from django.conf import settings
from django.db import connections

from datasets.datastore.query import query_terms
from datasets.datastore.schema import SQL_TYPES, table_name_for
from datasets.models import ResourceVersion

# Counting to ten million cannot finish within a one-millisecond statement timeout.
SLOW_COUNT = (
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10000000) "
    "SELECT COUNT(*) FROM c"
)


def _db_value(kind, value, vendor):
    if value is None:
        return None
    if vendor == "sqlite":
        if kind == "boolean":
            return int(value)
        if isinstance(value, dt.date | dt.datetime):
            return value.isoformat()
    return value


def make_version(resource, columns, rows, number=1, current=True):
    """columns: [(id, type, label)], rows: tuples in column order."""
    alias = settings.DATASTORE_DATABASE
    connection = connections[alias]
    vendor = connection.vendor
    table = table_name_for(resource.id, number)
    types = SQL_TYPES[vendor]
    text_ids = [c[0] for c in columns if c[1] == "text"]
    fts_type = "tsvector" if vendor == "postgresql" else "TEXT"
    defs = ", ".join(f'"{cid}" {types[kind]}' for cid, kind, _label in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE "{table}" ("_id" bigint PRIMARY KEY, {defs}, _fts {fts_type})'
        )
        names = ", ".join(['"_id"'] + [f'"{c[0]}"' for c in columns] + ["_fts"])
        fts_expr = "to_tsvector('simple', %s)" if vendor == "postgresql" else "%s"
        marks = ", ".join(["%s"] * (len(columns) + 1) + [fts_expr])
        for number_, row in enumerate(rows, start=1):
            text = " ".join(
                str(row[i]) for i, c in enumerate(columns) if c[0] in text_ids and row[i]
            )
            fts = " ".join(query_terms(text)) if vendor == "postgresql" else text.lower()
            values = [_db_value(c[1], v, vendor) for c, v in zip(columns, row, strict=True)]
            cursor.execute(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})',  # noqa: S608
                [number_, *values, fts],
            )
    version = ResourceVersion.objects.create(
        resource=resource,
        number=number,
        table_name=table,
        row_count=len(rows),
        sha256="0" * 64,
        columns=[{"id": cid, "type": kind, "label": label} for cid, kind, label in columns],
    )
    if current:
        resource.current_version = version
        resource.save(update_fields=["current_version"])
    return version
