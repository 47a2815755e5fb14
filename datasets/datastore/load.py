"""Writing datastore tables, following datasets/datastore/schema.py exactly.

A version's table is created empty, filled by one of the loaders (PostgreSQL `COPY`; a
batched `executemany` on SQLite), indexed, and only then made current by the publish
step. Nothing here touches Resource or ResourceVersion rows.

`columns` everywhere is `ResourceVersion.columns`: [{"id", "type", ...}] in table order.
"""

import csv
import io
import os
import queue
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, as_completed, wait
from datetime import UTC, date, datetime
from typing import IO

from django.conf import settings
from django.db import connections, transaction

from datasets.datastore import fts
from datasets.datastore.schema import COLUMN_TYPES, SQL_TYPES, is_safe_identifier

# Only tables we create may be dropped: `table_name_for` output and nothing else.
VERSION_TABLE = re.compile(r"^ds_[0-9a-f]{32}_v[0-9]+$")
# Types worth a b-tree index for the Data API's filters and sorting. Text is left out: a
# b-tree entry is capped at about 2.7 kB on PostgreSQL and one long cell would fail the load.
# Booleans too: with two values, a filter on one reads most of the table either way.
INDEXED_TYPES = ("integer", "number", "date", "datetime")
SQLITE_BATCH = 5000


class DatastoreError(ValueError):
    pass


def _alias(using: str | None) -> str:
    return using or settings.DATASTORE_DATABASE


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in SQL_TYPES:
        raise DatastoreError(f"Unsupported datastore database: {vendor}")
    return vendor


def _check_table_name(table_name: str) -> None:
    if not VERSION_TABLE.match(table_name):
        raise DatastoreError(f"Not a datastore table name: {table_name!r}")


def _check_columns(columns: Sequence[dict]) -> None:
    seen = set()
    for column in columns:
        if not is_safe_identifier(column["id"]):
            raise DatastoreError(f"Unsafe column id: {column['id']!r}")
        if column["id"] in seen:
            raise DatastoreError(f"Duplicate column id: {column['id']!r}")
        if column["type"] not in COLUMN_TYPES:
            raise DatastoreError(f"Unknown column type: {column['type']!r}")
        seen.add(column["id"])


def text_column_ids(columns: Sequence[dict]) -> list[str]:
    """The columns whose words go into `_fts`."""
    return [c["id"] for c in columns if c["type"] == "text"]


def create_version_table(*, table_name: str, columns: Sequence[dict], using: str | None = None):
    """Create the empty table: `_id` primary key, one typed column per entry, `_fts`."""
    _check_table_name(table_name)
    _check_columns(columns)
    using = _alias(using)
    vendor = _vendor(using)
    quote = connections[using].ops.quote_name
    types = SQL_TYPES[vendor]
    definitions = [
        # PostgreSQL: the primary key is added by create_indexes, after the rows are in.
        "_id bigint NOT NULL" if vendor == "postgresql" else "_id INTEGER PRIMARY KEY"
    ]
    definitions += [f"{quote(c['id'])} {types[c['type']]}" for c in columns]
    definitions.append("_fts tsvector" if vendor == "postgresql" else "_fts TEXT")
    with connections[using].cursor() as cursor:
        cursor.execute(f"CREATE TABLE {quote(table_name)} ({', '.join(definitions)})")


def drop_version_table(*, table_name: str, using: str | None = None) -> None:
    _check_table_name(table_name)
    using = _alias(using)
    with connections[using].cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {connections[using].ops.quote_name(table_name)}")


def version_tables(*, using: str | None = None) -> list[str]:
    """Every datastore table present in the database, for the orphan cleanup."""
    using = _alias(using)
    names = connections[using].introspection.table_names()
    return sorted(n for n in names if VERSION_TABLE.match(n))


def sqlite_datetime(value: datetime | str) -> str:
    """A datetime as SQLite keeps it: ISO text in UTC, so that comparing and sorting the
    text compares instants (PostgreSQL's timestamptz does this itself). A time without
    zone is taken as it is."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return (moment.astimezone(UTC) if moment.tzinfo else moment).isoformat()


def _sqlite_value(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return sqlite_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def load_rows(
    *,
    table_name: str,
    columns: Sequence[dict],
    rows: Iterable[Sequence],
    using: str | None = None,
    first_id: int = 1,
    on_batch=None,
) -> int:
    """Append typed rows (Python values in column order, None for empty) and return how
    many were written. `_id` counts from `first_id`; `_fts` is computed from text cells.
    `on_batch(rows_so_far)` is called every few thousand rows for progress reporting."""
    _check_table_name(table_name)
    _check_columns(columns)
    using = _alias(using)
    vendor = _vendor(using)
    quote = connections[using].ops.quote_name
    text_positions = [i for i, c in enumerate(columns) if c["type"] == "text"]
    names = ", ".join(["_id", *(quote(c["id"]) for c in columns), "_fts"])
    row_id = first_id - 1
    with connections[using].cursor() as cursor:
        if vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table_name)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    row_id += 1
                    document = fts.document(row[i] for i in text_positions)
                    copy.write_row((row_id, *row, document))
                    if on_batch and row_id % SQLITE_BATCH == 0:
                        on_batch(row_id - first_id + 1)
        else:
            placeholders = ", ".join(["%s"] * (len(columns) + 2))
            sql = f"INSERT INTO {quote(table_name)} ({names}) VALUES ({placeholders})"  # noqa: S608
            batch = []
            datetimes = [i for i, c in enumerate(columns) if c["type"] == "datetime"]
            for row in rows:
                row_id += 1
                document = fts.sqlite_document(row[i] for i in text_positions)
                values = [_sqlite_value(v) for v in row]
                for i in datetimes:
                    if values[i] is not None:
                        values[i] = sqlite_datetime(values[i])
                batch.append((row_id, *values, document))
                if len(batch) >= SQLITE_BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
                    if on_batch:
                        on_batch(row_id - first_id + 1)
            if batch:
                cursor.executemany(sql, batch)
    return row_id - first_id + 1


def refresh_fts(*, table_name: str, columns: Sequence[dict], using: str | None = None) -> int:
    """Compute `_fts` again for every row of a loaded table from its text cells, after the
    tokens (datasets/datastore/fts.py) changed; returns the rows refreshed. In one
    transaction, so a search never sees half the table refreshed."""
    _check_table_name(table_name)
    _check_columns(columns)
    using = _alias(using)
    postgresql = _vendor(using) == "postgresql"
    quote = connections[using].ops.quote_name
    table = quote(table_name)
    text = ", ".join(quote(c) for c in text_column_ids(columns))
    document = fts.document if postgresql else fts.sqlite_document
    refreshed, last = 0, 0
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        if postgresql:
            # Dropped at the end, not on commit: inside an outer transaction (a migration
            # refreshing several tables) the commit comes after the last table.
            cursor.execute("DROP TABLE IF EXISTS _fts_refresh")
            cursor.execute("CREATE TEMPORARY TABLE _fts_refresh (_id bigint, _fts tsvector)")
        while True:
            cursor.execute(
                f"SELECT _id{', ' if text else ''}{text} FROM {table} WHERE _id > %s "  # noqa: S608
                f"ORDER BY _id LIMIT {SQLITE_BATCH}",
                [last],
            )
            batch = [(row[0], document(row[1:])) for row in cursor.fetchall()]
            if not batch:
                break
            last, refreshed = batch[-1][0], refreshed + len(batch)
            if postgresql:
                with cursor.cursor.copy("COPY _fts_refresh (_id, _fts) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                sql = f"UPDATE {table} SET _fts = %s WHERE _id = %s"  # noqa: S608
                cursor.executemany(sql, [(doc, row_id) for row_id, doc in batch])
        if postgresql:
            cursor.execute(
                f"UPDATE {table} AS t SET _fts = r._fts FROM _fts_refresh AS r "  # noqa: S608
                f"WHERE t._id = r._id"
            )
            cursor.execute("DROP TABLE _fts_refresh")
    return refreshed


def copy_csv(
    *,
    table_name: str,
    columns: Sequence[dict],
    stream: IO[bytes],
    using: str | None = None,
) -> int:
    """Load a headerless UTF-8 CSV already in table layout (`_id`, the columns, `_fts`),
    as written by the ingestion pipeline: empty unquoted field = NULL, booleans
    true/false, `_fts` as `fts.document` (PostgreSQL) or `fts.sqlite_document` (SQLite)
    gives it. Rows may come in any order: `_id` says where each belongs. Returns the
    rows loaded.

    This is the fast path: PostgreSQL parses the file itself while we only pass bytes."""
    _check_table_name(table_name)
    _check_columns(columns)
    using = _alias(using)
    vendor = _vendor(using)
    quote = connections[using].ops.quote_name
    names = ", ".join(["_id", *(quote(c["id"]) for c in columns), "_fts"])
    with connections[using].cursor() as cursor:
        if vendor == "postgresql":
            with cursor.cursor.copy(
                f"COPY {quote(table_name)} ({names}) FROM STDIN WITH (FORMAT csv)"
            ) as copy:
                while chunk := stream.read(1 << 20):
                    copy.write(chunk)
            return cursor.cursor.rowcount
        # SQLite: parse here, turning empty fields into NULL and booleans into 0/1.
        booleans = {i + 1 for i, c in enumerate(columns) if c["type"] == "boolean"}
        datetimes = [i + 1 for i, c in enumerate(columns) if c["type"] == "datetime"]
        placeholders = ", ".join(["%s"] * (len(columns) + 2))
        sql = f"INSERT INTO {quote(table_name)} ({names}) VALUES ({placeholders})"  # noqa: S608
        loaded, batch = 0, []
        for record in csv.reader(io.TextIOWrapper(stream, encoding="utf-8", newline="")):
            values = [v if v != "" else None for v in record]
            for i in booleans:
                if values[i] is not None:
                    values[i] = int(values[i].lower() in ("true", "t", "1"))
            for i in datetimes:
                if values[i] is not None:
                    values[i] = sqlite_datetime(values[i])
            values[-1] = values[-1] or ""
            batch.append(values)
            if len(batch) >= SQLITE_BATCH:
                cursor.executemany(sql, batch)
                loaded, batch = loaded + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
        return loaded + len(batch)


def copy_csv_files(
    *,
    table_name: str,
    columns: Sequence[dict],
    paths: Iterable,
    using: str | None = None,
    on_part=None,
) -> int:
    """`copy_csv` for several files (parts of one table), on PostgreSQL one per core at a
    time, each on its own connection: a COPY is parsed by one server process, so parts
    load in parallel, each as soon as `paths` yields it. Inside a transaction other
    connections cannot see the table; there the parts load one after the other.
    `on_part(rows so far)` is called from this thread as each part is in."""
    using = _alias(using)
    loaded = 0

    def one(path) -> int:
        with open(path, "rb") as stream:
            return copy_csv(table_name=table_name, columns=columns, stream=stream, using=using)

    def count(rows: int) -> None:
        nonlocal loaded
        loaded += rows
        if on_part:
            on_part(loaded)

    connection = connections[using]
    workers = os.cpu_count() or 1
    if _vendor(using) != "postgresql" or workers < 2 or connection.in_atomic_block:
        for path in paths:
            count(one(path))
        return loaded

    def in_thread(path) -> int:
        try:
            return one(path)
        finally:
            connections[using].close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=workers) as pool:
        loading = set()
        for path in paths:  # parts still being written: count those already in
            loading.add(pool.submit(in_thread, path))
            for part in [part for part in loading if part.done()]:
                loading.remove(part)
                count(part.result())
        for part in as_completed(loading):
            count(part.result())
    return loaded


def _index_statements(table_name: str, columns: Sequence[dict], quote):
    """(b-tree statements, full-text statement or None) for the table."""
    statements = [
        f"CREATE INDEX {quote(f'{table_name}_i{number}')} "
        f"ON {quote(table_name)} ({quote(column['id'])})"
        for number, column in enumerate(columns, start=1)
        if column["type"] in INDEXED_TYPES
    ]
    fts = None
    if text_column_ids(columns):
        fts = f"CREATE INDEX {quote(f'{table_name}_fts')} ON {quote(table_name)} USING gin (_fts)"
    return statements, fts


def create_indexes(
    *, table_name: str, columns: Sequence[dict], using: str | None = None, on_index=None
):
    """Indexes for the Data API: the `_id` primary key, an index on each typed column
    (booleans excepted: with two values a filter on them reads most of the table anyway)
    and, on PostgreSQL, GIN on `_fts`. Built after loading, which is several times faster
    than maintaining them row by row; on PostgreSQL each core builds one index at a time
    on its own connection, the full-text index (the longest) first. `on_index(fraction
    built)` is called from this thread as each index is done."""
    _check_table_name(table_name)
    _check_columns(columns)
    using = _alias(using)
    vendor = _vendor(using)
    connection = connections[using]
    quote = connection.ops.quote_name
    statements, fts = _index_statements(table_name, columns, quote)
    if vendor != "postgresql":
        with connection.cursor() as cursor:
            for done, statement in enumerate(statements, start=1):
                cursor.execute(statement)
                if on_index:
                    on_index(done / len(statements))
        return
    key = quote(f"{table_name}_pkey")
    statements = [
        *([fts] if fts else []),
        f"CREATE UNIQUE INDEX {key} ON {quote(table_name)} (_id)",
        *statements,
    ]
    pending, built = queue.SimpleQueue(), queue.SimpleQueue()
    for statement in statements:
        pending.put(statement)
    done = 0

    def count_built() -> None:
        nonlocal done
        while not built.empty():
            built.get()
            done += 1
            if on_index:
                on_index(done / len(statements))

    workers = min(os.cpu_count() or 1, len(statements))
    if connection.in_atomic_block or workers < 2:
        # Other connections see the table only once it is committed (tests, or a
        # caller's atomic block): everything runs on this one.
        _run_statements(connection, pending, built, on_built=count_built)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            builders = [
                pool.submit(_run_on_new_connection, using, pending, built) for _ in range(workers)
            ]
            building = set(builders)
            while building:  # count what is built every half second
                building = wait(building, timeout=0.5, return_when=FIRST_COMPLETED).not_done
                count_built()
            for builder in builders:
                builder.result()
        count_built()
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {quote(table_name)} ADD CONSTRAINT {key} PRIMARY KEY USING INDEX {key}"
        )
        # Fresh statistics so the first Data API query gets a sensible plan.
        cursor.execute(f"ANALYZE {quote(table_name)}")


def _run_statements(
    connection, pending: queue.SimpleQueue, built: queue.SimpleQueue, shared=False, on_built=None
) -> None:
    """Run statements from `pending` until none is left, putting each into `built` when it
    is done (then calling `on_built()`); `shared`: other connections take from `pending`
    at the same time."""
    with connection.cursor() as cursor:
        # GIN and b-tree builds sort in memory when they can; the default 64 MB spills
        # a million-row full-text index to disk. Session-wide, so put it back after.
        cursor.execute("SET maintenance_work_mem = '256MB'")
        if shared:
            # Every core builds an index already: no parallel workers for one build.
            cursor.execute("SET max_parallel_maintenance_workers = 0")
        try:
            while True:
                try:
                    statement = pending.get_nowait()
                except queue.Empty:
                    return
                cursor.execute(statement)
                built.put(statement)
                if on_built:
                    on_built()
        finally:
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute("RESET max_parallel_maintenance_workers")


def _run_on_new_connection(using: str, pending: queue.SimpleQueue, built) -> None:
    connection = connections.create_connection(using)
    try:
        _run_statements(connection, pending, built, shared=True)
    finally:
        connection.close()
