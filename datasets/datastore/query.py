"""The one query layer over datastore tables (see schema.py for their layout).

The Data API, exports, previews and CKAN's `datastore_search` all read rows through here:

    query = query_build(version=v, filters=[Filter("district", "eq", "大安區")], sort=["-_id"])
    page = query_rows(version=v, query=query)          # one page + total
    for row in query_iter(version=v, query=query): ...  # every matching row, streamed

    query = query_from_params(version=v, params=request.GET)  # the HTTP parameter syntax

No user text ever becomes SQL: column names are checked against the version's columns
(and the safe-identifier rule) before being quoted, operators come from a fixed table,
and every value is parsed by its column's type and bound as a parameter. Anything wrong
raises QueryError naming the parameter, column, operator or value, so callers answer 400.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from datasets.datastore import fts
from datasets.datastore.load import sqlite_datetime, text_column_ids
from datasets.datastore.schema import is_safe_identifier

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
# On large tables at most this many matching rows are counted exactly (see _count).
EXACT_COUNT_CAP = 10_000
OPERATORS = ("eq", "gte", "lte", "gt", "lt", "in", "contains", "isnull")
# Which operators make sense for which column type.
_ORDERED = {"integer", "number", "date", "datetime", "text"}
_ALLOWED = {
    "eq": {"integer", "number", "boolean", "date", "datetime", "text"},
    "in": {"integer", "number", "boolean", "date", "datetime", "text"},
    "gte": _ORDERED,
    "lte": _ORDERED,
    "gt": _ORDERED,
    "lt": _ORDERED,
    "contains": {"text"},
    "isnull": {"integer", "number", "boolean", "date", "datetime", "text", "geometry"},
}
_SQL_OPERATOR = {"eq": "=", "gte": ">=", "lte": "<=", "gt": ">", "lt": "<"}
# Parameters of the HTTP syntax that are not filters.
CONTROL_PARAMS = {"limit", "offset", "sort", "fields", "q", "format", "version", "header"}
_TABLE_NAME = re.compile(r"^ds_[0-9a-f]{32}_v[0-9]+$")
_TRUE = {"true", "t", "1", "yes", "y", "是"}
_FALSE = {"false", "f", "0", "no", "n", "否"}
ID_COLUMN = {"id": "_id", "type": "integer", "label": "_id"}
# The largest offset or limit a database takes (a 64-bit integer).
MAX_ROWS = 2**63 - 1


class QueryError(Exception):
    """A query the caller got wrong: unknown column/operator, unparsable value, bad limit.

    `param` is the offending parameter (e.g. "population__gte"), `message` says what is
    wrong in the active language; the API answers 400 with both.
    """

    def __init__(self, message: str, *, param: str = "", code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


class QueryTimeout(Exception):
    """The database gave up after the statement timeout; the API answers 503."""

    def __init__(self, timeout_ms: int) -> None:
        self.timeout_ms = timeout_ms
        super().__init__(
            _(
                "The query took longer than the %(seconds)s second limit. Narrow it with "
                "filters, or download the whole file instead."
            )
            % {"seconds": f"{timeout_ms / 1000:g}"}
        )


@dataclass(frozen=True)
class Filter:
    column: str
    op: str
    value: Any  # already parsed by the column type (a list for "in", a bool for "isnull")


@dataclass(frozen=True)
class DataQuery:
    fields: tuple[dict, ...]  # column dicts from ResourceVersion.columns, in output order
    filters: tuple[Filter, ...] = ()
    sort: tuple[tuple[str, bool], ...] = ()  # (column id, descending)
    q: str = ""
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    distinct: bool = False  # each combination of `fields` once (CKAN's `distinct`)


@dataclass
class RowPage:
    fields: list[dict]
    records: list[dict]
    total: int
    total_was_estimated: bool = False
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    extra: dict = field(default_factory=dict)


# --- building a query ------------------------------------------------------------------------


def version_columns(version) -> list[dict]:
    """The version's columns, `_id` first, each {"id", "type", "label"}."""
    columns = [ID_COLUMN]
    for column in version.columns:
        columns.append(
            {
                "id": column["id"],
                "type": column.get("type", "text"),
                "label": column.get("title") or column.get("label") or column["id"],
            }
        )
    return columns


def query_build(
    *,
    version,
    fields: Sequence[str] | None = None,
    filters: Sequence[Filter | tuple[str, str, Any]] = (),
    sort: Sequence[str] = (),
    q: str = "",
    limit: int | None = DEFAULT_LIMIT,
    offset: int = 0,
    max_limit: int | None = MAX_LIMIT,
    parse_values: bool = True,
    distinct: bool = False,
) -> DataQuery:
    """Check a query against the version's columns. Filter values are raw strings (parsed by
    the column type here) unless `parse_values` is False. `sort` items are "col" or "-col".
    `limit=None` means no limit (exports); otherwise 0 <= limit <= max_limit. `distinct`
    gives each combination of the chosen fields once, so it sorts by those fields only."""
    columns = {c["id"]: c for c in version_columns(version)}

    def column(name: str, param: str) -> dict:
        if name not in columns:
            raise QueryError(
                _("Unknown column “%(column)s”. Columns: %(known)s.")
                % {"column": name, "known": ", ".join(columns)},
                param=param,
                code="unknown_column",
            )
        return columns[name]

    if fields:
        chosen = []
        for name in fields:
            col = column(name.strip(), "fields")
            if col not in chosen:
                chosen.append(col)
        out_fields = tuple(chosen)
    else:
        out_fields = tuple(columns.values())

    checked = []
    for item in filters:
        name, op, value = (item.column, item.op, item.value) if isinstance(item, Filter) else item
        param = name if op == "eq" else f"{name}__{op}"
        col = column(name, param)
        if op not in OPERATORS:
            raise QueryError(
                _("Unknown operator “%(op)s”. Operators: %(known)s.")
                % {"op": op, "known": ", ".join(OPERATORS)},
                param=param,
                code="unknown_operator",
            )
        if col["type"] not in _ALLOWED[op]:
            raise QueryError(
                _("Operator “%(op)s” does not apply to column %(column)s of type %(type)s.")
                % {"op": op, "column": column_name(col), "type": _type_name(col["type"])},
                param=param,
                code="unknown_operator",
            )
        if parse_values:
            value = _parse_filter_value(col, op, value, param)
        checked.append(Filter(name, op, value))

    order = []
    for item in sort:
        item = item.strip()
        if not item:
            continue
        descending = item.startswith("-")
        name = item.lstrip("-+")
        col = column(name, "sort")
        if col["type"] == "geometry":
            raise QueryError(
                _("Column %(column)s cannot be sorted.") % {"column": column_name(col)},
                param="sort",
            )
        if distinct and col not in out_fields:
            raise QueryError(
                _("With distinct, sort by the columns in fields only: %(column)s is not one.")
                % {"column": column_name(col)},
                param="sort",
            )
        order.append((name, descending))

    if limit is not None and (limit < 0 or limit > (max_limit or MAX_ROWS)):
        raise QueryError(
            _("limit must be between 0 and %(max)s.") % {"max": max_limit or MAX_ROWS},
            param="limit",
        )
    if offset < 0:
        raise QueryError(_("offset must be 0 or more."), param="offset")
    if offset > MAX_ROWS:
        raise QueryError(_("offset must be %(max)s or less.") % {"max": MAX_ROWS}, param="offset")
    _refuse_nul(q, "q")
    return DataQuery(
        fields=out_fields,
        filters=tuple(checked),
        sort=tuple(order),
        q=(q or "").strip(),
        limit=limit,
        offset=offset,
        distinct=distinct,
    )


def query_from_params(
    *, version, params: Mapping, max_limit: int | None = MAX_LIMIT, export: bool = False
) -> DataQuery:
    """Parse the Data API's query-string syntax (see DESIGN.md). `params` is a QueryDict or
    a dict of str/list values. An export ignores limit unless one is given."""

    def values(name: str) -> list[str]:
        if hasattr(params, "getlist"):
            return params.getlist(name)
        value = params.get(name)
        return value if isinstance(value, list) else ([] if value is None else [value])

    def integer(name: str, default: int | None) -> int | None:
        raw = (values(name) or [""])[-1].strip()
        if raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise QueryError(
                _("%(param)s must be a whole number, not “%(value)s”.")
                % {"param": name, "value": raw},
                param=name,
            ) from None

    filters = []
    for key in params:
        if key in CONTROL_PARAMS:
            continue
        name, _sep, op = key.partition("__")
        for raw in values(key):
            filters.append((name, op or "eq", raw))
    fields = [f for f in ",".join(values("fields")).split(",") if f.strip()]
    sort = ",".join(values("sort")).split(",")
    return query_build(
        version=version,
        fields=fields or None,
        filters=filters,
        sort=sort,
        q=" ".join(values("q")),
        limit=integer("limit", None if export else DEFAULT_LIMIT),
        offset=integer("offset", 0),
        max_limit=None if export else max_limit,
    )


def _refuse_nul(value: Any, param: str) -> None:
    """No database stores the NUL character in text (PostgreSQL refuses it outright), so a
    value holding one is a mistake to point out, not a query to run."""
    if isinstance(value, str) and "\x00" in value:
        raise QueryError(
            _("%(param)s must not contain the NUL character (\\u0000).") % {"param": param},
            param=param,
            code="bad_value",
        )


def _parse_filter_value(col: dict, op: str, raw: Any, param: str) -> Any:
    if isinstance(raw, list | tuple):
        for item in raw:
            _refuse_nul(item, param)
    else:
        _refuse_nul(raw, param)
    if op == "isnull":
        return _parse_bool(raw, col, param)
    if op == "in":
        items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
        return [parse_value(col, item, param) for item in items]
    if op == "contains":
        return str(raw)
    return parse_value(col, raw, param)


def parse_value(col: dict, raw: Any, param: str = "") -> Any:
    """Parse one filter value by the column's type, or raise QueryError naming it."""
    kind = col["type"]
    text = str(raw).strip() if not isinstance(raw, bool) else raw
    try:
        if kind == "integer":
            if isinstance(raw, bool):
                raise ValueError
            return int(text)
        if kind == "number":
            number = float(text)
            if math.isnan(number) or math.isinf(number):
                raise ValueError
            return number
        if kind == "boolean":
            return _parse_bool(raw, col, param)
        if kind == "date":
            return dt.date.fromisoformat(text)
        if kind == "datetime":
            value = dt.datetime.fromisoformat(text)
            if value.tzinfo is None and settings.USE_TZ:
                # As in the files: a time without zone is the city's (types.to_datetime).
                value = value.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
            return value
        return str(raw)
    except (ValueError, TypeError):
        raise QueryError(
            _("“%(value)s” is not a valid %(type)s for column %(column)s.")
            % {"value": raw, "type": _type_name(kind), "column": column_name(col)},
            param=param or col["id"],
            code="bad_value",
        ) from None


def _parse_bool(raw: Any, col: dict, param: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise QueryError(
        _("“%(value)s” is not true or false (column %(column)s).")
        % {"value": raw, "column": column_name(col)},
        param=param,
        code="bad_value",
    )


def column_name(col: dict) -> str:
    """A column as messages name it: the label readers see in the table's header, then the
    id a query uses (“座位數” (col_5)), or the id alone when there is no other label."""
    label = col.get("label") or col["id"]
    if label == col["id"]:
        return _("“%(column)s”") % {"column": label}
    return _("“%(label)s” (%(column)s)") % {"label": label, "column": col["id"]}


def _type_name(kind: str) -> str:
    names = {
        "integer": _("whole number"),
        "number": pgettext("value type", "number"),
        "boolean": _("true/false value"),
        "date": _("date (YYYY-MM-DD)"),
        "datetime": _("date and time (ISO 8601)"),
        "text": pgettext("value type", "text"),
        "geometry": _("geometry"),
    }
    return names.get(kind, kind)


# --- SQL -------------------------------------------------------------------------------------


def _alias() -> str:
    return settings.DATASTORE_DATABASE


def _vendor() -> str:
    return connections[_alias()].vendor


def _quote(name: str) -> str:
    # Names reaching here were matched against the version's columns; the identifier rule
    # is checked again so a bad `columns` entry can never inject SQL either.
    if name != "_id" and not is_safe_identifier(name):
        raise QueryError(_("Unknown column “%(column)s”.") % {"column": name})
    return connections[_alias()].ops.quote_name(name)


def _table(version) -> str:
    if not _TABLE_NAME.match(version.table_name):
        raise ValueError(f"not a datastore table name: {version.table_name!r}")
    return connections[_alias()].ops.quote_name(version.table_name)


def _db_value(col: dict, value: Any, vendor: str) -> Any:
    if vendor == "sqlite":
        # SQLite stores dates as ISO text, datetimes as ISO text in UTC (load.py: so text
        # order is time order) and booleans as 0/1 (schema.py).
        if col["type"] == "boolean":
            return int(value)
        if col["type"] == "datetime":
            try:
                return sqlite_datetime(value)
            except OverflowError:
                # Before year 1 or past 9999 once in UTC, where no stored time can be: text
                # that sorts before ("0000…") or after ("A", past every digit) all of them.
                return "0000-00-00" if value.year < 5000 else "A"
        if col["type"] == "date":
            return value.isoformat()
        if col["type"] == "integer" and not -(2**63) <= value < 2**63:
            # Past SQLite's integers (which cannot bind it): as a real, it still compares
            # right with every stored integer and equals none of them.
            return float(value)
    return value


def _where(version, query: DataQuery, vendor: str) -> tuple[str, list]:
    columns = {c["id"]: c for c in version_columns(version)}
    clauses, params = [], []
    for flt in query.filters:
        col = columns[flt.column]
        name = _quote(flt.column)
        if flt.op == "isnull":
            clauses.append(f"{name} IS {'' if flt.value else 'NOT '}NULL")
        elif flt.op == "in":
            if not flt.value:
                clauses.append("1 = 0")
                continue
            clauses.append(f"{name} IN ({', '.join(['%s'] * len(flt.value))})")
            params.extend(_db_value(col, v, vendor) for v in flt.value)
        elif flt.op == "contains":
            like = "ILIKE" if vendor == "postgresql" else "LIKE"
            clauses.append(f"{name} {like} %s ESCAPE '\\'")
            params.append("%" + _escape_like(flt.value) + "%")
        else:
            clauses.append(f"{name} {_SQL_OPERATOR[flt.op]} %s")
            params.append(_db_value(col, flt.value, vendor))
    if query.q:
        text_columns = text_column_ids(list(columns.values()))
        clause, q_params = _full_text(query.q, vendor, text_columns)
        clauses.append(clause)
        params.extend(q_params)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _full_text(q: str, vendor: str, text_columns: list[str]) -> tuple[str, list]:
    """Rows holding every run of `q` (see datasets/datastore/fts.py): on PostgreSQL the GIN
    index finds the rows with all the tokens, then each multi-pair run and each lone CJK
    character or digit is checked in the text columns themselves; on SQLite every run is a
    substring of the row's text."""
    if vendor == "postgresql":
        tsquery, checked = fts.tsquery(q), fts.phrases(q)
        if tsquery is None and not checked:
            return "1 = 1", []
        if not text_columns:
            return "1 = 0", []
        # Cast, not to_tsquery(): the tokens are the index's own, to be taken as they are.
        clauses, params = (["_fts @@ %s::tsquery"], [tsquery]) if tsquery else ([], [])
        for run in checked:
            like = "%" + _escape_like(fts.fold(run)) + "%"
            clauses.append(
                # ILIKE: runs are lower-cased, the cells are as published.
                "("
                + " OR ".join(f"{_folded(_quote(c))} ILIKE %s ESCAPE '\\'" for c in text_columns)
                + ")"
            )
            params.extend([like] * len(text_columns))
        return "(" + " AND ".join(clauses) + ")", params
    terms = list(dict.fromkeys(fts.fold(run) for run in fts.runs(q)))
    if not terms:
        return "1 = 1", []
    clauses = [f"{_folded('_fts')} LIKE %s ESCAPE '\\'"] * len(terms)
    return "(" + " AND ".join(clauses) + ")", ["%" + _escape_like(t) + "%" for t in terms]


def _folded(expression: str) -> str:
    """`expression` with fts.VARIANTS folded as queries are (台 as 臺), in SQL. The
    characters are this module's own constants, never caller text."""
    for variant, folded in fts.VARIANTS.items():
        expression = f"replace({expression}, '{variant}', '{folded}')"
    return expression


def _order_by(query: DataQuery) -> str:
    sort = list(query.sort)
    # A total order, so pages never skip or repeat a row: `_id` last, or for distinct rows
    # (which can only be ordered by what they select) every chosen column.
    tie_breakers = [c["id"] for c in query.fields] if query.distinct else ["_id"]
    sorted_by = {name for name, _desc in sort}
    sort += [(name, False) for name in tie_breakers if name not in sorted_by]
    parts = [f"{_quote(name)} {'DESC' if desc else 'ASC'} NULLS LAST" for name, desc in sort]
    return " ORDER BY " + ", ".join(parts)


def _select_list(query: DataQuery) -> str:
    columns = ", ".join(_quote(c["id"]) for c in query.fields)
    return f"DISTINCT {columns}" if query.distinct else columns


def select_sql(*, version, query: DataQuery) -> tuple[str, list]:
    """The SELECT for `query` (with ORDER BY/LIMIT/OFFSET), as SQL + bound parameters."""
    vendor = _vendor()
    where, params = _where(version, query, vendor)
    # Identifiers are checked and quoted by _quote/_table; values are bound parameters.
    sql = f"SELECT {_select_list(query)} FROM {_table(version)}{where}{_order_by(query)}"  # noqa: S608
    if query.limit is not None:
        sql += " LIMIT %s"
        params.append(query.limit)
    if query.offset:
        if query.limit is None and vendor == "sqlite":
            sql += " LIMIT -1"
        sql += " OFFSET %s"
        params.append(query.offset)
    return sql, params


def _matching_sql(version, query: DataQuery, vendor: str) -> tuple[str, list]:
    """A SELECT with one row per row the query gives (before LIMIT), to count them."""
    where, params = _where(version, query, vendor)
    selected = _select_list(query) if query.distinct else "1"
    return f"SELECT {selected} FROM {_table(version)}{where}", params  # noqa: S608


def count_sql(*, version, query: DataQuery) -> tuple[str, list]:
    sql, params = _matching_sql(version, query, _vendor())
    return f"SELECT COUNT(*) FROM ({sql}) AS m", params  # noqa: S608


# --- running it ------------------------------------------------------------------------------


def _timeout_ms() -> int:
    return int(getattr(settings, "DATA_API_STATEMENT_TIMEOUT_MS", 5000))


@contextmanager
def _statement_timeout(timeout_ms: int | None):
    """Cap each statement of the block; a query over the cap raises QueryTimeout.

    PostgreSQL enforces `statement_timeout` itself (SET LOCAL, so it ends with the
    transaction); SQLite has no such setting, so a progress handler interrupts it.
    """
    connection = connections[_alias()]
    if not timeout_ms:
        yield connection
        return
    with transaction.atomic(using=_alias()):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # set_config(..., true) is SET LOCAL that also takes a bound parameter.
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)", [str(int(timeout_ms))]
                )
            try:
                yield connection
            except OperationalError as exc:
                if getattr(exc.__cause__, "sqlstate", "") == "57014":  # query_canceled
                    raise QueryTimeout(timeout_ms) from exc
                raise
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            deadline = time.monotonic() + timeout_ms / 1000
            raw = connection.connection
            raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
            try:
                yield connection
            except OperationalError as exc:
                if "interrupted" in str(exc):
                    raise QueryTimeout(timeout_ms) from exc
                raise
            finally:
                raw.set_progress_handler(None, 0)
        else:
            yield connection


def city_time(value: dt.datetime | str | None) -> dt.datetime | None:
    """A stored date and time as the city reads it: the same instant in `TIME_ZONE`, in
    which the files' times without a zone were read. PostgreSQL gives it back in UTC, and
    SQLite keeps UTC ISO text; 08:00 in a Taipei file must not come out as 00:00+00:00."""
    if value is None:
        return None
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:  # SQLite text of a time given without zone: as it was
        return moment
    return timezone.localtime(moment, timezone.get_default_timezone())


def _converters(fields: Sequence[dict], vendor: str) -> list:
    def identity(v):
        return v

    def to_bool(v):
        return None if v is None else bool(v)

    def iso(v):
        return v.isoformat() if isinstance(v, dt.date | dt.datetime) else v

    def iso_in_city(v):
        return None if v is None else city_time(v).isoformat()

    result = []
    for col in fields:
        if col["type"] == "boolean" and vendor == "sqlite":
            result.append(to_bool)
        elif col["type"] == "datetime":
            result.append(iso_in_city)
        elif col["type"] == "date":
            result.append(iso)
        else:
            result.append(identity)
    return result


def _estimate(cursor, sql: str, params: list) -> int:
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
    plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _count(cursor, *, version, query: DataQuery, vendor: str) -> tuple[int, bool]:
    """(total, was_estimated). Exact where it is cheap: no filter (the stored row count),
    small tables, and few matches. On a large PostgreSQL table the planner's estimate comes
    first; only when it predicts few matches are they counted, and at most EXACT_COUNT_CAP
    of them, so a count never scans a million rows."""
    if not query.filters and not query.q and not query.distinct:
        return version.row_count, False
    if vendor != "postgresql" or version.row_count <= settings.DATA_API_EXACT_COUNT_MAX:
        c_sql, c_params = count_sql(version=version, query=query)
        cursor.execute(c_sql, c_params)
        return cursor.fetchone()[0], False
    matching, params = _matching_sql(version, query, vendor)
    estimate = _estimate(cursor, matching, params)
    if estimate >= EXACT_COUNT_CAP:
        return estimate, True
    bounded = f"SELECT COUNT(*) FROM ({matching} LIMIT %s) AS m"  # noqa: S608
    cursor.execute(bounded, [*params, EXACT_COUNT_CAP + 1])
    counted = cursor.fetchone()[0]
    if counted <= EXACT_COUNT_CAP:
        return counted, False
    return max(estimate, counted), True


def query_rows(*, version, query: DataQuery, count: bool = True) -> RowPage:
    """One page of rows, with the total (exact, or estimated and flagged: see _count)."""
    vendor = _vendor()
    fields = [dict(c) for c in query.fields]
    convert = _converters(fields, vendor)
    names = [c["id"] for c in fields]
    total, estimated = 0, False
    with _statement_timeout(_timeout_ms()) as connection, connection.cursor() as cursor:
        sql, params = select_sql(version=version, query=query)
        cursor.execute(sql, params)
        records = [
            {name: fn(value) for name, fn, value in zip(names, convert, row, strict=True)}
            for row in cursor.fetchall()
        ]
        if count:
            total, estimated = _count(cursor, version=version, query=query, vendor=vendor)
    return RowPage(
        fields=fields,
        records=records,
        total=total,
        total_was_estimated=estimated,
        limit=query.limit,
        offset=query.offset,
    )


def query_iter(*, version, query: DataQuery, batch_size: int = 5000) -> Iterator[tuple]:
    """Every matching row as a tuple (in `query.fields` order, values JSON-ready), streamed
    from a server-side cursor so memory stays flat however many rows match. Exports use it;
    there is no statement timeout because each fetch is short."""
    vendor = _vendor()
    convert = _converters(query.fields, vendor)
    sql, params = select_sql(version=version, query=query)
    connection = connections[_alias()]
    with transaction.atomic(using=_alias()):
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(sql, params)
            while True:
                rows = cursor.fetchmany(batch_size)
                if not rows:
                    break
                for row in rows:
                    yield tuple(fn(v) for fn, v in zip(convert, row, strict=True))
        finally:
            cursor.close()


def _csv_expression(col: dict) -> str:
    """A column as PostgreSQL should print it in CSV: the same text the Python writer
    produces (true/false, ISO 8601 datetimes) with spreadsheet formulas neutralised."""
    name = _quote(col["id"])
    kind = col["type"]
    if kind == "boolean":
        return f"CASE WHEN {name} THEN 'true' WHEN NOT {name} THEN 'false' END"
    if kind == "datetime":
        return f"to_json({name}) #>> '{{}}'"
    if kind in ("text", "geometry"):
        # As datasets.ingest.downloads.escape_formula: a formula start, unless a number.
        prefixes = "'=', '+', '-', '@', chr(9), chr(13)"
        number = r"'^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$'"
        return (
            f"CASE WHEN left({name}, 1) IN ({prefixes}) AND {name} !~ {number} "
            f"THEN '''' || {name} ELSE {name} END"
        )
    return name


def query_copy_csv(
    *, version, query: DataQuery, header: bytes | None = None, chunk_size: int = 1 << 20
) -> Iterator[bytes]:
    """CSV (header, then rows) straight from PostgreSQL's COPY: the server formats the rows
    and we only pass bytes along, an order of magnitude faster than formatting in Python.
    Values are merged into the statement by psycopg's own client-side quoting (COPY takes
    no bind parameters). `header`: a CSV line to start with instead of the column ids."""
    sql, params = select_sql(version=version, query=query)
    expressions = ", ".join(f"{_csv_expression(c)} AS {_quote(c['id'])}" for c in query.fields)
    if query.distinct:
        expressions = f"DISTINCT {expressions}"
    sql = sql.replace(f"SELECT {_select_list(query)} FROM", f"SELECT {expressions} FROM", 1)
    connection = connections[_alias()]
    with transaction.atomic(using=_alias()), connection.cursor() as cursor:
        # Times printed in the city's zone, as `city_time` gives them. For this transaction
        # only, and put back after: Django reads times as UTC whatever the zone says.
        cursor.execute(
            "SELECT current_setting('TimeZone'), set_config('TimeZone', %s, true)",
            [settings.TIME_ZONE],
        )
        zone = cursor.fetchone()[0]
        buffer = bytearray(header or b"")  # (sent with the first rows)
        statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER {header is None})"
        with cursor.cursor.copy(statement, params or None) as copy:
            for data in copy:
                buffer += data
                if len(buffer) >= chunk_size:
                    yield bytes(buffer)
                    buffer.clear()
        # (A failure rolls the transaction back, and the setting with it.)
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [zone])
        yield bytes(buffer)
