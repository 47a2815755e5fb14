"""The fast path for clean delimited text: DuckDB reads, types, profiles and writes a file
PostgreSQL's `COPY` loads as it is.

The Python path (pipeline.py, types.py, validate.py) is the reference: it streams any
format row by row and names every problem with its row and column. Most uploads are clean
CSV files, though, and for those a vectorised engine does the same work many times
faster. This module reproduces the Python path's results exactly for such files and
gives up -- returning None, so the caller runs the Python path -- whenever it could not
be sure to:

- the file is not delimited text, has more than MAX_COLUMNS columns, the dictionary
  declares a constraint this path does not check or one that some value breaks (the
  report names each), empty cells are not a null token, or the text is not valid in its
  encoding;
- a line is blank or some row has too many or too few cells: the Python path reports
  those with their row numbers. (Quoted line breaks are fine: when the records turn out not
  to be one per line, the file is cut at record ends that Python's reader finds, and rows
  keep the number of the line they start on, as the Python path numbers them.)
- a declared type does not fit every value (the report needs each bad cell);
- a value SQL rejects for a type might be accepted by Python's rules (non-ASCII digits
  or spaces, WKT other than a plain point, GeoJSON): SQL's patterns are the ASCII subset
  of types.py's, so every value SQL accepts, Python accepts with the same result, and a
  type is ruled out only once Python agrees with SQL on a value that does not fit.

tests/datasets/test_ingest_columnar.py runs both paths on the same files and compares the
tables, types, profiles and personal-data findings.
"""

# ruff: noqa: S608 - SQL is built from generated column names (c0, c1, ...) and _literal()

import codecs
import csv
import itertools
import logging
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from datasets.datastore import fts
from datasets.ingest import conf, decode, pii, types
from datasets.ingest.profile import (
    NUMERIC,
    ORDERED,
    caps,
    histogram,
    histogram_bins,
)
from datasets.ingest.read import NOTE_TAIL_BYTES, row_numbers

logger = logging.getLogger(__name__)

SAMPLE_ROWS = 1_000
# DuckDB's buffer pool. It fills up to the limit (as a cache) whatever the file, so worker
# memory is about this plus ~120 MB of Python and Django plus DuckDB's own allocations
# outside the pool (~15 MB for 10 columns, ~80 MB for 100). With one thread per query and
# 4 MB read buffers (see stage()), whole ingestions peaked at (bench/ingest.py):
# 10 columns 287 MB at a 128 MB pool, 318 at 192; 100 columns 373 at 128, 410 at 192.
# 192 leaves the typing pass room to spare: running short makes the file go the slow way.
MEMORY_LIMIT = "192MB"
# Bytes DuckDB reads of a file at a time (its default is 32 MB, times the threads).
CSV_BUFFER = 4 << 20
# Wider files go the Python path. At 300 columns DuckDB's allocations outside the pool
# (~110 MB) leave it short of memory; the Python path needs 264 MB there (but is slower).
MAX_COLUMNS = 100
# Chunks of the file, typed side by side and loaded as one CSV part (one PostgreSQL COPY)
# each: two per core, so loading starts after a fraction.
PARTS = 2 * min(os.cpu_count() or 1, 4)
UTF8 = ("utf-8", "utf-8-sig", "ascii")
# Python's str.isspace() characters: what str.strip() removes in types.py.
_SPACE_CHARS = "".join(
    map(chr, [*range(9, 14), *range(28, 33), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
              0x2028, 0x2029, 0x202F, 0x205F, 0x3000])
)  # fmt: skip
# The CJK ranges of datasets/datastore/fts.py, in RE2 syntax.
_CJK = (
    r"\x{2e80}-\x{2fdf}\x{3040}-\x{30ff}\x{3100}-\x{312f}\x{31a0}-\x{31bf}\x{3400}-\x{4dbf}"
    r"\x{4e00}-\x{9fff}\x{ac00}-\x{d7af}\x{f900}-\x{faff}\x{20000}-\x{3134f}"
)
_INT = r"[+-]?(0|[1-9][0-9]{0,17})"
_INT_THOUSANDS = r"[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+"
_NUMBER = r"[+-]?((0|[1-9][0-9]*)(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
_NUMBER_THOUSANDS = r"[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]+)?"
_NUMBER_DECIMAL_COMMA = r"[+-]?([1-9][0-9]{0,2}([. ][0-9]{3})+|0|[1-9][0-9]*)(,[0-9]+)?"
_ISO_DATE = r"([0-9]{4})[-]([0-9]{1,2})-([0-9]{1,2})"
_SLASH_DATE = r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})"
_ROC_DATE = r"(?:民國)?([0-9]{2,3})[/.年-]([0-9]{1,2})[/.月-]([0-9]{1,2})日?"
_DATETIME = (
    r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})(?:[T ]([0-9]{1,2}):([0-9]{2})"
    r"(?::([0-9]{2})(\.[0-9]{1,6})?)?[\t\n\f\r ]*(Z|[+-](?:0[0-9]|1[0-4]):?[0-5][0-9])?)?"
)
_POINT = r"POINT ?\((-?[0-9]+(\.[0-9]+)?) (-?[0-9]+(\.[0-9]+)?)\)"
# DuckDB types holding each column's converted values before they are written out.
_STAGED = {"integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN"}
# Constraints of a data dictionary this path checks (see _violated: in SQL, a pattern
# with Python's regular expressions); a file that declares others goes the Python path.
CHECKED_CONSTRAINTS = {
    *("required", "unique", "enum", "minimum", "maximum", "minLength", "maxLength", "pattern")
}


@dataclass
class Staged:
    """A clean file typed and profiled; `paths` are the CSV parts `load.copy_csv_files`
    takes."""

    paths: Iterable[Path]
    rows: int
    columns: list[dict]
    profile: dict
    findings: list[dict]
    # Per column, the types its values ruled out (see types.Inference.ruled_out).
    ruled_out: list[dict]


class _GiveUp(Exception):
    pass


class _NotOnePerLine(_GiveUp):
    """The file's records and lines do not match up (quoted line breaks, blank lines)."""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _strip(x: str) -> str:
    # Spaces only (fast); a value padded with other white space does not match any
    # pattern here and so reaches Python's check (see _type).
    return f"trim({x})"


def _matches(s: str, pattern: str) -> str:
    return f"regexp_full_match({s}, {_literal(pattern)})"


def _extract(s: str, pattern: str, group: int) -> str:
    return f"regexp_extract({s}, {_literal('^(?:' + pattern + ')$')}, {group})"


def _date_parts(s: str) -> list[tuple[str, str, int]]:
    """(condition, pattern, year offset) for each date spelling, in types.to_date's order."""
    return [(_matches(s, p), p, offset) for p, offset in
            ((_ISO_DATE, 0), (_SLASH_DATE, 0), (_ROC_DATE, 1911))]  # fmt: skip


def _date(s: str) -> str:
    """ISO text of the date `s` spells, NULL when it is no valid date."""
    # Already ISO: the cast alone proves the date valid (the general branch costs more).
    branches = [
        f"WHEN {_matches(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}')} THEN CASE WHEN TRY_CAST({s} AS DATE) "
        f"IS NOT NULL AND {s} >= '0001' THEN {s} END"
    ]
    for condition, pattern, offset in _date_parts(s):
        y, m, d = (f"TRY_CAST({_extract(s, pattern, g)} AS INTEGER)" for g in (1, 2, 3))
        y = f"({y} + {offset})"
        branches.append(
            f"WHEN {condition} THEN CASE WHEN {y} >= 1 AND TRY(make_date({y}, {m}, {d})) "
            f"IS NOT NULL THEN printf('%04d-%02d-%02d', {y}, {m}, {d}) END"
        )
    return f"(CASE {' '.join(branches)} END)"


def _datetime(s: str) -> str:
    """The ISO 8601 text types.to_datetime gives, NULL when `s` is no valid date and time
    (or one whose offset from UTC only Python knows: see _local_zone)."""
    g = {
        name: _extract(s, _DATETIME, n)
        for n, name in enumerate(("y", "mo", "d", "h", "mi", "se", "fr", "z"), start=1)
    }
    ints = {k: f"TRY_CAST({g[k]} AS INTEGER)" for k in ("y", "mo", "d")}
    # A date alone is its midnight (types.to_datetime).
    ints |= {k: f"coalesce(TRY_CAST(nullif({g[k]}, '') AS INTEGER), 0)" for k in ("h", "mi")}
    second = f"coalesce(TRY_CAST(nullif({g['se']}, '') AS INTEGER), 0)"
    micro = f"coalesce(TRY_CAST(rpad(nullif(substr({g['fr']}, 2), ''), 6, '0') AS INTEGER), 0)"
    local = (
        f"make_timestamp({ints['y']}, {ints['mo']}, {ints['d']}, {ints['h']}, {ints['mi']}, "
        f"{second} + {micro} / 1000000.0)"
    )
    # Bound once: the steps of _local_zone would each build it again.
    local_zone = f"list_transform([{local}], lambda moment: {_local_zone('moment')})[1]"
    zone = (
        f"CASE WHEN {g['z']} = '' THEN {local_zone} WHEN {g['z']} = 'Z' THEN '+00:00' "
        f"WHEN length({g['z']}) = 5 THEN substr({g['z']}, 1, 3) || ':' || substr({g['z']}, 4) "
        f"ELSE {g['z']} END"
    )
    valid = (
        f"{_matches(s, _DATETIME)} AND {ints['y']} >= 1 AND {ints['h']} <= 23 "
        f"AND {ints['mi']} <= 59 AND {second} <= 59 "
        f"AND TRY(make_date({ints['y']}, {ints['mo']}, {ints['d']})) IS NOT NULL"
    )
    text = (
        f"printf('%04d-%02d-%02dT%02d:%02d:%02d', {ints['y']}, {ints['mo']}, {ints['d']}, "
        f"{ints['h']}, {ints['mi']}, {second}) "
        f"|| CASE WHEN {micro} <> 0 THEN '.' || lpad({micro}::VARCHAR, 6, '0') ELSE '' END "
        f"|| {zone}"
    )
    # The usual spelling, 2024-01-05 10:11:12, cast directly; anything else, piece by piece.
    strict = "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}"
    ts = f"TRY_CAST({s} AS TIMESTAMP)"
    strict_valid = (
        f"{ts} IS NOT NULL AND {s} >= '0001' AND substr({s}, 12, 2) <= '23' "
        f"AND substr({s}, 15, 2) <= '59' AND substr({s}, 18, 2) <= '59'"
    )
    return (
        f"(CASE WHEN {_matches(s, strict)} THEN CASE WHEN {strict_valid} THEN "
        f"replace({s}, ' ', 'T') || {_local_zone(ts)} END "
        f"WHEN {valid} THEN {text} END)"
    )


def _local_zone(local: str) -> str:
    """SQL for the UTC offset types.to_datetime writes after the TIMESTAMP `local`, a local
    time in settings.TIME_ZONE (NULL where it is not known: types.local_offsets). Python's
    own offsets rather than DuckDB's time zones: those place a repeated hour after the
    clocks went back, Python before, and drop the seconds of local mean time. `local` is
    compared a few times: in the current offset's range once, with a tree of the earlier
    steps otherwise."""
    first, steps, unknown_from = types.local_offsets(settings.TIME_ZONE)

    def at(moment) -> str:
        return f"{local} >= TIMESTAMP '{moment.isoformat(sep=' ')}'"

    def tree(low: int, high: int, before: str) -> str:  # steps[low:high], `before` them
        if low == high:
            return _literal(before)
        middle = (low + high) // 2
        moment, offset = steps[middle]
        return (
            f"CASE WHEN {at(moment)} THEN {tree(middle + 1, high, offset)} "
            f"ELSE {tree(low, middle, before)} END"
        )

    if unknown_from is not None:  # clocks still change every year
        return f"CASE WHEN {at(unknown_from)} THEN NULL ELSE {tree(0, len(steps), first)} END"
    if not steps:
        return _literal(first)
    moment, offset = steps[-1]
    earlier = tree(0, len(steps) - 1, first)
    return f"CASE WHEN {at(moment)} THEN {_literal(offset)} ELSE {earlier} END"


def convert(kind: str, x: str, decimal_comma: bool) -> str:
    """SQL turning the text cell `x` into the value types.converter(kind) gives, NULL when
    the cell does not fit (or SQL cannot tell: see the module docstring)."""
    s = _strip(x)
    if kind == "text":
        return x
    if kind == "boolean":
        true = ", ".join(_literal(v) for v in sorted(types.TRUE))
        false = ", ".join(_literal(v) for v in sorted(types.FALSE))
        return (
            f"(CASE WHEN lower({s}) IN ({true}) THEN true "
            f"WHEN lower({s}) IN ({false}) THEN false END)"
        )
    if kind == "integer":
        patterns = [_INT] if decimal_comma else [_INT, _INT_THOUSANDS]
        fits = " OR ".join(_matches(s, p) for p in patterns)
        return f"(CASE WHEN {fits} THEN TRY_CAST(replace({s}, ',', '') AS BIGINT) END)"
    if kind == "number":
        if decimal_comma:
            number = (
                f"(CASE WHEN {_matches(s, _NUMBER_DECIMAL_COMMA)} THEN TRY_CAST(replace(replace("
                f"replace({s}, '.', ''), ' ', ''), ',', '.') AS DOUBLE) "
                f"WHEN {_matches(s, _INT)} THEN TRY_CAST({s} AS DOUBLE) END)"
            )
        else:
            number = (
                f"(CASE WHEN {_matches(s, _NUMBER)} OR {_matches(s, _NUMBER_THOUSANDS)} "
                f"THEN TRY_CAST(replace({s}, ',', '') AS DOUBLE) END)"
            )
        # A whole number that would lose digits as a float is none, as types._number says
        # (short cells cannot: the cheap test first); nor is 1e999, infinite as a float.
        whole = (
            f"NOT contains({s}, ',') AND NOT contains({s}, 'e') AND NOT contains({s}, 'E')"
            if decimal_comma
            else _matches(s, "[+-]?[0-9,]+")
        )
        digits = f"trim(regexp_replace({s}, '[^0-9]', '', 'g'), '0')"
        inexact = (
            f"strlen({s}) > {types.FLOAT_DIGITS} AND {whole} "
            f"AND length({digits}) > {types.FLOAT_DIGITS}"
        )
        return f"(CASE WHEN {inexact} THEN NULL WHEN isfinite({number}) THEN {number} END)"
    if kind == "date":
        return _date(s)
    if kind == "datetime":
        return _datetime(s)
    if kind == "geometry":
        return (
            f'(CASE WHEN {_matches(s, _POINT)} THEN \'{{"type":"Point","coordinates":[\' '
            f"|| TRY_CAST({_extract(s, _POINT, 1)} AS DOUBLE)::VARCHAR || ',' "
            f"|| TRY_CAST({_extract(s, _POINT, 3)} AS DOUBLE)::VARCHAR || ']}}' END)"
        )
    raise ValueError(kind)


def _fts(vendor: str) -> str:
    """SQL for the `_fts` value datasets.datastore.fts gives (document / sqlite_document)
    from `t`, the lower-cased text cells joined by spaces."""
    if vendor != "postgresql":
        return "t"
    # fts._RUN: CJK runs, digit runs, and letters or numbers that are neither (words).
    runs = _literal(rf"[{_CJK}]+|[0-9]+|(?:[^\P{{L}}{_CJK}]|[^\P{{N}}0-9])+")
    paired = _literal(f"^[{_CJK}0-9]")
    tokens = (
        f"flatten(list_transform(regexp_extract_all(substr(t, 1, {fts.MAX_DOCUMENT_LENGTH}), "
        f"{runs}), lambda r: CASE "
        f"WHEN length(r) = 1 THEN [r] WHEN regexp_matches(r, {paired}) "
        f"THEN list_transform(range(1, length(r)), lambda i: substr(r, i, 2)) "
        f"WHEN length(r) > {fts.MAX_TOKEN_LENGTH} THEN [] ELSE [r] END))"
    )
    # Repeated tokens are left in: PostgreSQL's tsvector input drops them.
    return f"array_to_string({tokens}, ' ')"


def _skip(table) -> int:
    """Lines of the table's file before its data (see read.Table.path_skip)."""
    return table.header_row if table.path_skip is None else table.path_skip


def _quoted_head(path: Path, header_row: int) -> bool:
    """Whether a quoted field spans lines up to the header. The reader counts the header's
    row in records; DuckDB skips lines. They agree unless such a field is there, which
    leaves a line with an odd number of quotes (a quoted header, "名稱","數量" as
    data.gov.tw's files have it, leaves even numbers)."""
    with open(path, "rb") as f:
        for _ in range(header_row):
            line = f.readline(1 << 20)
            if line.count(b'"') % 2 or (len(line) == 1 << 20 and not line.endswith(b"\n")):
                return True
    return False


def _utf8_copy(path: Path, encoding: str, workdir: Path) -> Path:
    """The file in UTF-8 (DuckDB reads nothing else well); raises _GiveUp on a bad byte or
    a NUL character, so the Python path reports its row."""
    if encoding in UTF8:
        with open(path, "rb") as source:
            while chunk := source.read(1 << 22):
                if b"\x00" in chunk:
                    raise _GiveUp("a NUL character")  # left out, and reported, by Python
        return path
    target = workdir / "utf8.csv"
    decoder = decode.decoder(encoding)
    try:
        with open(path, "rb") as source, open(target, "w", encoding="utf-8", newline="") as out:
            while chunk := source.read(1 << 22):
                text = decoder.decode(chunk)
                if "\x00" in text:
                    raise _GiveUp("a NUL character")
                out.write(text)
            out.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        raise _GiveUp from None
    return target


def eligible(table, declared: dict, null_tokens: set) -> bool:
    return (
        getattr(table, "path", None) is not None
        and bool(table.delimiter)
        and _skip(table) >= 1
        # Forced types only on cells converted already (GeoJSON's geometries), where the
        # dictionary does not declare another.
        and set(table.hints) <= table.converted
        and not any(table.labels[index] in table.converted for index in declared)
        and "" in null_tokens
        and all(set(d["constraints"]) <= CHECKED_CONSTRAINTS for d in declared.values())
    )


def _violated(con, chunks: list, ids: list[str], declared: dict, kinds: list[str]) -> bool:
    """Whether a value breaks a constraint of the data dictionary as
    validate.ConstraintChecker judges it (the Python path then reports each one). Where
    SQL could miss a break Python would find, this says yes and the file goes that way."""
    typed, raw = [], []  # counts of breaks: of converted values, of the cells as read
    for index, declaration in declared.items():
        c, kind, constraints = ids[index], kinds[index], declaration["constraints"]
        if constraints.get("required"):
            typed.append(f"count(*) - count({c})")
        if constraints.get("unique"):
            if kind == "datetime":  # one instant written two ways: equal only to Python
                return True
            typed.append(f"count({c}) - count(DISTINCT {c})")
        for key, below in (("minimum", True), ("maximum", False)):
            limit = _limit(kind, constraints[key]) if key in constraints else None
            if limit is not None:
                typed.append(f"count_if({c} {'<' if below else '>'} {limit})")
        if "enum" in constraints:  # compared as text, as the cell was read
            if not isinstance(constraints["enum"], list | tuple | str):
                return True
            allowed = ", ".join(_literal(str(v)) for v in constraints["enum"])
            raw.append(f"count_if({c} NOT IN ({allowed}))" if allowed else f"count({c})")
        for key, below in (("minLength", True), ("maxLength", False)):
            if key in constraints:
                try:
                    length = int(constraints[key])
                except (TypeError, ValueError):
                    return True
                raw.append(f"count_if(length({c}) {'<' if below else '>'} {length})")
    cells = " UNION ALL ".join(f"SELECT * FROM raw_{n}" for n in range(len(chunks)))
    for source, counts in (("typed", typed), (f"({cells})", raw)):
        if counts and any(con.execute(f"SELECT {', '.join(counts)} FROM {source}").fetchone()):
            return True
    for index, declaration in declared.items():
        if "pattern" in declaration["constraints"]:
            # Python's regular expressions, as the checker's: SQL's (RE2) differ in places.
            # Each distinct cell once (codes repeat), streamed: a million unique ones took
            # about a second.
            pattern = re.compile(declaration["constraints"]["pattern"])
            c = ids[index]
            result = con.execute(f"SELECT DISTINCT {c} FROM ({cells}) WHERE {c} IS NOT NULL")
            while batch := result.fetchmany(10_000):
                if any(pattern.fullmatch(value) is None for (value,) in batch):
                    return True
    return False


def _limit(kind: str, limit) -> str | None:
    """SQL for the bound ConstraintChecker compares a column's values with,
    `type(value)(limit)`; None where that raises, so Python never finds a break (dates
    and datetimes among them)."""
    convert = {"integer": int, "number": float, "boolean": bool, "text": str, "geometry": str}.get(
        kind
    )
    if convert is None:
        return None
    try:
        bound = convert(limit)
    except (TypeError, ValueError, OverflowError):
        return None
    if convert is str:
        return _literal(bound)
    if convert is bool:
        return "true" if bound else "false"
    if convert is float:
        return f"{_literal(repr(bound))}::DOUBLE"
    return str(bound)


def stage(
    *, table, columns, declared, null_tokens, workdir: Path, vendor: str, on_progress=None
) -> Staged | None:
    """Type, scan, profile and write out `table` (a delimited text file), setting each
    column's "type"; None when the Python path has to run instead (see module docstring).
    `on_progress(fraction)` follows the typing pass, chunk by chunk. The parts are written
    one by one as `Staged.paths` is iterated, so loading the first can start while DuckDB
    writes the next."""
    if len(columns) > MAX_COLUMNS:
        logger.info("columnar path steps aside: %d columns", len(columns))
        return None
    import duckdb

    staged = None
    con = _connect(workdir, len(columns))
    try:
        args = (table, columns, declared, null_tokens, workdir, vendor, on_progress)
        try:
            staged = _stage(con, *args)
        except (_NotOnePerLine, duckdb.InvalidInputException) as exc:
            # A record spans lines (or a line is blank, or a row ragged: then the scan
            # gives up): cut the file at record ends instead, found by Python's reader.
            logger.info("columnar path reads by records: %s", str(exc)[:200])
            con.close()
            con = _connect(workdir, len(columns), fresh=True)
            staged = _stage(con, *args, by_records=True)
    except _GiveUp:
        pass
    except duckdb.Error as exc:
        logger.info("columnar path gave up: %s", str(exc)[:300])
    finally:
        if staged is None:
            con.close()
    return staged


def _connect(workdir: Path, width: int, fresh: bool = False):
    """A DuckDB connection to a staging database in the work directory (`fresh`: a new
    one, the files of an earlier attempt removed)."""
    import duckdb

    database = workdir / "stage.duckdb"
    if fresh:
        for leftover in (database, database.with_suffix(".duckdb.wal")):
            leftover.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory = {_literal(str(workdir / 'duckdb.tmp'))}")
        # One thread per query: the chunks are typed side by side anyway, one query each,
        # and a query on one thread keeps the file's order without holding rows back to
        # reorder them (half the table memory: 88 MB instead of 174 at 100 columns).
        con.execute("SET threads = 1")
        con.execute("SET enable_progress_bar = false")
        # A database file in the work directory, so DuckDB keeps at most MEMORY_LIMIT in
        # memory and worker memory stays flat whatever the file size. (An in-memory
        # database spilling to its temporary directory measured slower and 100 MB bigger.)
        # A row group is built whole in memory: fewer rows per group for wider files
        # keep it well within the limit.
        con.execute(
            f"ATTACH {_literal(str(database))} AS stage (ROW_GROUP_SIZE {_row_group_size(width)})"
        )
        _session(con)
    except BaseException:
        con.close()
        raise
    return con


def _row_group_size(width: int) -> int:
    """Rows per DuckDB row group: the default 122,880 up to ten columns, fewer for wider
    files (a multiple of DuckDB's 2,048-row vectors)."""
    return max(1, min(60, 600 // max(width, 1))) * 2048


def _session(con) -> None:
    """Settings each DuckDB connection (the staging one and its cursors) needs."""
    con.execute("USE stage")
    # A chunk's `rowid` is the row's place in it only while every step keeps insertion
    # order. DuckDB rewrites `x IN (constants)` (null tokens, booleans) into a hash join,
    # and past one read buffer (~8 MB) the joined rows came back out of order: row 1 of
    # a million-row table was the file's row 54,512.
    con.execute("SET disabled_optimizers = 'in_clause'")


@dataclass
class _Chunk:
    """Consecutive lines of the file, in a file of their own: DuckDB keeps a file's order
    on one thread only, so each chunk is typed on its own, all at once, and its rows are
    numbered from `first` (the rows before it)."""

    path: Path
    first: int
    rows: int


def _data_end(path: Path, tail_lines: int) -> int:
    """Where the data in `path` ends: before its last `tail_lines` lines (the notes below
    the table, see read.Table.tail_lines), else at the end of the file."""
    size = path.stat().st_size
    if not tail_lines:
        return size
    with open(path, "rb") as f:
        # The notes are within NOTE_TAIL_BYTES of the file, in UTF-8 at most twice.
        start = f.seek(max(0, size - 2 * NOTE_TAIL_BYTES))
        tail = f.read()
    at = len(tail) - tail.endswith(b"\n")
    for _ in range(tail_lines):
        at = tail.rfind(b"\n", 0, at)
        if at < 0:
            raise _GiveUp
    return start + at + 1


def _split(path: Path, header_row: int, workdir: Path, count: int, size: int) -> list[_Chunk]:
    """The lines after the header up to byte `size` cut at line ends into `count` chunks of
    about equal size."""
    with open(path, "rb") as f:
        for _ in range(header_row):
            f.readline()
        bounds = [f.tell()]
        start = bounds[0]
        for number in range(1, count):
            f.seek(max(start + (size - start) * number // count - 1, bounds[-1]))
            f.readline()  # to the start of the next line
            if bounds[-1] < f.tell() < size:
                bounds.append(f.tell())
        bounds.append(size)
        _check_starts(f, bounds[:-1])
        chunks, first = [], 0
        for number, (begin, end) in enumerate(itertools.pairwise(bounds)):
            if begin == end:
                continue
            target = workdir / f"chunk_{number}.csv"
            with open(target, "wb") as out:
                _copy_range(f, out, begin, end - begin)
            lines, odd = _lines(target)
            if odd:  # a quoted value holds a line break: cut at record ends instead
                raise _NotOnePerLine(f"a line of {target.name} opens a quoted value")
            chunks.append(_Chunk(target, first, lines))
            first += lines
    return chunks


def _record_chunks(path: Path, table, width: int, workdir: Path, count: int):
    """The records after the header cut into `count` chunks of about equal size at record
    ends, as Python's reader finds them (a quoted value may hold line breaks), and
    `row_of(n)`, the file row of record n as the Python path numbers it: the line it
    starts on, or its record number in a CSV copy numbered by record (read.Table.skipped).
    Raises _GiveUp at a blank or ragged record, which the Python path reports."""
    size = _data_end(path, table.tail_lines)
    shifts: list[tuple[int, int]] = []  # (first record, extra lines before it), as they grow
    bounds, firsts = [], [0]
    with open(path, "rb") as f:
        for _ in range(_skip(table)):
            f.readline()
        position = f.tell()
        bounds.append(position)

        def lines():
            nonlocal position
            for line in f:
                if position >= size:
                    return
                position += len(line)
                yield line.decode()

        reader = csv.reader(lines(), delimiter=table.delimiter, quotechar='"', doublequote=True)
        target = (size - position) / count
        record, extra = 0, 0
        for cells in reader:
            record += 1
            if len(cells) != width or not any(cells):
                raise _GiveUp
            spanned = reader.line_num - (record + extra)
            if spanned:
                extra += spanned
                shifts.append((record + 1, extra))
            if len(bounds) < count and position - bounds[-1] >= target and position < size:
                bounds.append(position)
                firsts.append(record)
        bounds.append(size)
        firsts.append(record)
        _check_starts(f, bounds[:-1])
        chunks = []
        for number, (begin, end) in enumerate(itertools.pairwise(bounds)):
            if begin == end:
                continue
            chunk = workdir / f"chunk_{number}.csv"
            with open(chunk, "wb") as out:
                _copy_range(f, out, begin, end - begin)
            chunks.append(_Chunk(chunk, firsts[number], firsts[number + 1] - firsts[number]))
    return chunks, row_numbers(
        table.header_row, table.skipped if table.numbered_by_record else shifts
    )


def _check_starts(source, bounds: list[int]) -> None:
    """Raise _GiveUp when a chunk would begin with a byte order mark: DuckDB drops it as
    the file's own, where it belongs to the first value of a row (a cell pasted with one,
    files joined together), which the Python path keeps."""
    for bound in bounds:
        source.seek(bound)
        if source.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
            raise _GiveUp


def _copy_range(source, target, offset: int, count: int) -> None:
    """`count` bytes of `source` from `offset` appended to `target`, copied by the kernel
    where it can (a third of the time of reading and writing them here)."""
    try:
        while count:
            done = os.copy_file_range(source.fileno(), target.fileno(), count, offset)
            if not done:
                break
            offset, count = offset + done, count - done
    except OSError:  # e.g. another file system on an older kernel: copy what is left
        source.seek(offset)
        while count and (block := source.read(min(count, 1 << 22))):
            target.write(block)
            count -= len(block)


# Every byte but the quote and the line feed (see _lines).
_NOT_QUOTE_OR_LF = bytes(b for b in range(256) if b not in b'"\n')


def _lines(path: Path, block_size: int = 1 << 22) -> tuple[int, bool]:
    """Lines in the file, a last one without line end included, and whether a line holds
    an odd number of quotes. With values quoted as CSV quotes them (a quote inside one
    doubled), a line break inside a value leaves the line where that value starts with an
    odd number, so the file's records do not match its lines: found here, before a typing
    pass finds it at its end (3.4 s of the 1,000,000-row bench file). A stray quote in an
    unquoted value says so too, and the file is then cut at record ends all the same."""
    lines, last, odd, pending = 0, b"\n", False, b""
    with open(path, "rb") as f:
        while block := f.read(block_size):
            lines, last = lines + block.count(b"\n"), block[-1:]
            if not odd:
                # Only quotes and line ends, pairs of quotes on a line taken out: a quote
                # left is one of an odd number. (The line cut by the block's end waits.)
                kept = pending + block.translate(None, _NOT_QUOTE_OR_LF)
                end = kept.rfind(b"\n") + 1
                odd, pending = b'"' in kept[:end].replace(b'""', b""), kept[end:]
    return lines + (last != b"\n"), odd or b'"' in pending.replace(b'""', b"")


def _side_by_side(con, tasks: list, on_progress=None) -> list:
    """Run `tasks` (each called with a DuckDB cursor of `con`) at the same time, one core
    each; their results, in order. `on_progress(fraction done)` is called from this
    thread as each one ends."""

    def run(task):
        cursor = con.cursor()
        try:
            _session(cursor)
            return task(cursor)
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=min(len(tasks), os.cpu_count() or 1)) as pool:
        running = [pool.submit(run, task) for task in tasks]
        for done, finished in enumerate(as_completed(running), start=1):
            finished.result()
            if on_progress:
                on_progress(done / len(tasks))
        return [task.result() for task in running]


def _numbered(number: int, chunk: _Chunk) -> str:
    """The rows of `typed_<number>` with their `_id`, the row's number in the file."""
    return f"SELECT {chunk.first} + rowid + 1 AS _id, * FROM typed_{number}"


def _head(con, chunks: list[_Chunk], select: str, limit: int, where: str = "") -> list[tuple]:
    """The first `limit` rows of the file's `raw_<n>` views, in file order."""
    rows = []
    for number in range(len(chunks)):
        if len(rows) >= limit:
            break
        sql = f"SELECT {select} FROM raw_{number} {where} LIMIT {limit - len(rows)}"
        rows += con.execute(sql).fetchall()
    return rows


def _stage(
    con, table, columns, declared, null_tokens, workdir, vendor, on_progress, by_records=False
) -> Staged:
    path = _utf8_copy(table.path, table.encoding, workdir)
    if _quoted_head(path, _skip(table)):
        raise _GiveUp
    if by_records:
        chunks, row_of = _record_chunks(path, table, len(columns), workdir, PARTS)
    else:
        chunks = _split(path, _skip(table), workdir, PARTS, _data_end(path, table.tail_lines))
        row_of = row_numbers(table.header_row, table.skipped)  # one record per line

    if path != table.path:
        path.unlink()
    expected = sum(chunk.rows for chunk in chunks)
    if expected <= 0:
        raise _GiveUp
    ids = [f"c{i}" for i in range(len(columns))]
    spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in ids) + "}"
    tokens = ", ".join(_literal(t) for t in sorted(null_tokens))
    spaces = ", ".join(str(ord(c)) for c in _SPACE_CHARS)
    longest = max(len(t.encode()) for t in null_tokens)

    def cell(c):
        # As pipeline._batches: a null token, or one padded with white space before it or
        # spaces after it. The cheap tests first: byte length before the tokens, the code
        # range before the spaces (their codes are below 33 or above 132). On the bench
        # file's cells alone that took 0.8 CPU s instead of 1.3-1.6.
        first = f"unicode({c})"
        padded_after = " OR ".join(f"{c} LIKE {_literal('%' + t)}" for t in types.TRAILING_SPACES)
        return (
            f"CASE WHEN strlen({c}) <= {longest} AND {c} IN ({tokens}) THEN NULL "
            f"WHEN ({first} < 33 OR {first} > 132) AND {first} IN ({spaces}) "
            f"OR {padded_after} THEN CASE "
            f"WHEN trim({c}, {_literal(_SPACE_CHARS)}) IN ({tokens}) THEN NULL ELSE {c} END "
            f"ELSE {c} END AS {c}"
        )

    blank = " AND ".join(f"coalesce({c}, '') = ''" for c in ids)
    # Views: each query reads its chunk again, which for the full passes happens once
    # (building `typed_<n>`) and otherwise stops after the first rows.
    for number, chunk in enumerate(chunks):
        con.execute(
            f"CREATE VIEW raw_{number} AS SELECT {', '.join(cell(c) for c in ids)}, "
            f"({blank}) AS _blank FROM read_csv({_literal(str(chunk.path))}, "
            f"delim = {_literal(table.delimiter)}, quote = '\"', escape = '\"', "
            f"header = false, columns = {spec}, auto_detect = false, strict_mode = true, "
            f"null_padding = false, buffer_size = {CSV_BUFFER})"
        )
    # Columns of values converted already, of the type the reader says (read.Table).
    preset = {
        i: table.hints[label] for i, label in enumerate(table.labels) if label in table.converted
    }
    kinds, ruled_out = _type(
        con, chunks, ids, declared, preset, table.delimiter == ";", vendor, on_progress, row_of
    )
    rows, blanks, *present = con.execute(
        f"SELECT count(*), count_if(_blank), {', '.join(f'count({c})' for c in ids)} FROM typed"
    ).fetchone()
    if blanks:  # a row of empty cells: the Python path reports it
        raise _GiveUp
    if rows != expected:
        raise _GiveUp if by_records else _NotOnePerLine(f"{rows} records on {expected} lines")
    # A column without values is text, unless its type is given.
    kinds = [
        k if n or i in preset else "text"
        for i, (k, n) in enumerate(zip(kinds, present, strict=True))
    ]
    if _violated(con, chunks, ids, declared, kinds):
        raise _GiveUp  # the Python path names each value that breaks a constraint
    for column, kind in zip(columns, kinds, strict=True):
        column["type"] = kind
    profiles = _side_by_side(
        con,
        [
            lambda cursor, c=c, kind=kind: _profile(cursor, c, kind, len(ids))
            for c, kind in zip(ids, kinds, strict=True)
        ],
    )
    names = [column["id"] for column in columns]
    profile = {"rows": rows, "columns": dict(zip(names, profiles, strict=True))}
    return Staged(
        paths=_parts(con, chunks, len(ids), workdir),  # runs only once iterated
        rows=rows,
        columns=columns,
        profile=profile,
        findings=_scan(con, chunks, ids).findings(columns, conf.get("PII_THRESHOLD")),
        ruled_out=ruled_out,
    )


def _parts(con, chunks: list[_Chunk], width: int, workdir: Path) -> Iterator[Path]:
    """Write the CSV parts load.copy_csv_files takes, one per chunk, yielding each when it
    is complete; closes `con` at the end."""
    try:
        columns = ", ".join(f"c{i}" for i in range(width))
        for number, chunk in enumerate(chunks):
            part = workdir / f"load_{number}.csv"
            con.execute(
                f"COPY (SELECT _id, {columns}, _fts FROM ({_numbered(number, chunk)})) "
                f"TO {_literal(str(part))} (FORMAT csv, HEADER false, DELIMITER ',', QUOTE '\"')"
            )
            yield part
    finally:
        con.close()


def _scan(con, chunks: list[_Chunk], ids) -> pii.Scanner:
    """The personal-data scanner fed, like the Python path, the first values of each column."""
    scanner = pii.Scanner(len(ids))
    head = _head(con, chunks, ", ".join(ids), pii.SAMPLE)
    for index, c in enumerate(ids):
        values = [row[index] for row in head if row[index] is not None]
        if len(values) < pii.SAMPLE and len(head) == pii.SAMPLE:  # sparse: read on
            found = _head(con, chunks, c, pii.SAMPLE, where=f"WHERE {c} IS NOT NULL")
            values = [v for (v,) in found]
        scanner.observe_batch(index, values)
    return scanner


def _type(con, chunks, ids, declared, preset, decimal_comma, vendor, on_progress, row_of):
    """Each column's type as types.Inference would decide it (`preset`: {index: type} of
    columns whose cells are that type's values already), leaving the converted rows
    (with `_fts`) of chunk n in file order in the table `typed_<n>`, and all of them, with
    their `_id`, in the view `typed`."""
    candidates = {}
    for index, c in enumerate(ids):
        if index in preset:
            candidates[c] = [preset[index]]
        elif index in declared:
            candidates[c] = [declared[index]["type"]]
        else:
            candidates[c] = [k for k in types.ORDER if k != "text"]
    # Python's own inference on the first rows rules out most candidates, then the rows
    # are converted to each column's first remaining candidate; a column with a misfit
    # loses it and the rows are converted again.
    inference = types.Inference(len(ids), decimal_comma=decimal_comma)
    sample = _head(con, chunks, ", ".join(ids), SAMPLE_ROWS)
    for index, values in enumerate(zip(*sample, strict=True) if sample else []):
        inference.observe_batch(
            index,
            [v for v in values if v is not None],
            # row_of(n): the file row (as the Python path numbers it) of data record n.
            row_of=lambda at, v=values: row_of(1 + types.nth_present(v, at)),
        )
    for index, c in enumerate(ids):
        if index not in declared and index not in preset:
            candidates[c] = [k for k in candidates[c] if k in inference.candidates[index]]
    while True:
        kinds = [candidates[c][0] if candidates[c] else "text" for c in ids]
        text_ids = [c for c, k in zip(ids, kinds, strict=True) if k == "text"]
        checks = {
            c: k
            for i, (c, k) in enumerate(zip(ids, kinds, strict=True))
            if k != "text" and i not in preset
        }
        typed = [
            f"{c if i in preset else convert(k, c, decimal_comma)}::{_STAGED.get(k, 'VARCHAR')} "
            f"AS {c}"
            for i, (c, k) in enumerate(zip(ids, kinds, strict=True))
        ]
        raws = "".join(f", {c} AS r_{c}" for c in checks)
        flags = "".join(f", r_{c} IS NOT NULL AND {c} IS NULL AS m_{c}" for c in checks)
        joined = f"lower(concat_ws(' ', {', '.join(text_ids)}))" if text_ids else "''"
        # m_<column> marks a value the conversion refused.
        statements = [
            f"CREATE OR REPLACE TABLE typed_{number} AS SELECT {', '.join(ids)}, "
            f"coalesce({_fts(vendor)}, '') AS _fts, _blank{flags} FROM (SELECT "
            f"{', '.join(typed)}, {joined} AS t, _blank{raws} FROM raw_{number})"
            for number in range(len(chunks))
        ]
        _side_by_side(
            con, [lambda cursor, sql=sql: cursor.execute(sql) for sql in statements], on_progress
        )
        con.execute(
            "CREATE OR REPLACE VIEW typed AS "
            + " UNION ALL ".join(_numbered(number, chunk) for number, chunk in enumerate(chunks))
        )
        con.execute("CHECKPOINT")  # written out, so the rows no longer hold memory
        misfits = _misfits(con, chunks, list(checks))
        if not misfits:
            return kinds, inference.ruled_out
        python = {k: types.converter(k, decimal_comma) for k in types.ORDER}
        for c, (first, value) in misfits.items():
            kind = checks[c]
            try:
                python[kind](value)
            except (types.Invalid, ValueError):
                if ids.index(c) in declared:
                    raise _GiveUp from None  # the report has to name every bad cell
                candidates[c].remove(kind)
                sql = f"SELECT count({c}) FROM typed WHERE _id < {int(first)}"  # all fit
                (fitted,) = con.execute(sql).fetchone()
                ruled = types.RuledOut(fitted, value, row_of(int(first)))
                inference.ruled_out[ids.index(c)][kind] = ruled
                continue
            # Python accepts what SQL does not: only the Python path is sure.
            logger.info("columnar path gave up: Python accepts %r as %s", value[:80], kind)
            raise _GiveUp


def _misfits(con, chunks: list[_Chunk], checked: list[str]) -> dict[str, tuple[int, str]]:
    """The first value of each column its conversion refused, by column."""
    if not checked:
        return {}
    firsts = con.execute(
        f"SELECT {', '.join(f'min(_id) FILTER (WHERE m_{c})' for c in checked)} FROM typed"
    ).fetchone()
    found = {}
    for c, first in zip(checked, firsts, strict=True):
        if first is not None:
            number, chunk = next((n, k) for n, k in enumerate(chunks) if first <= k.first + k.rows)
            sql = f"SELECT {c} FROM raw_{number} LIMIT 1 OFFSET {int(first - chunk.first - 1)}"
            found[c] = (first, con.execute(sql).fetchone()[0])
    return found


def _profile(con, c: str, kind: str, width: int) -> dict:
    """What profile.ColumnProfile.result gives for the column of a file `width` columns
    wide, computed by DuckDB."""
    distinct_cap, top_cap = caps(width)
    ordered, numeric = kind in ORDERED, kind in NUMERIC
    extra = f", min({c}), max({c})" if ordered else ""
    extra += f", avg({c})::DOUBLE" if numeric else ""  # numeric kinds are ordered too
    count, empty, approx, *stats = con.execute(
        f"SELECT count({c}), count(*) - count({c}), approx_count_distinct({c}){extra} FROM typed"
    ).fetchone()
    # HyperLogLog is within a few per cent: well past twice a cap, the exact count is too.
    distinct = None
    if approx <= 2 * max(distinct_cap, top_cap):
        (distinct,) = con.execute(f"SELECT count(DISTINCT {c}) FROM typed").fetchone()
    out = {
        "type": kind,
        "empty": empty,
        "count": count,
        "distinct": distinct if distinct is not None and distinct <= distinct_cap else None,
        "distinct_at_least": None,
    }
    if out["distinct"] is None:
        out["distinct_at_least"] = distinct_cap
    if ordered and count:
        out["min"], out["max"] = stats[:2]
    if numeric and count:
        out["mean"] = stats[2]
    if kind == "geometry":
        out["top"] = []  # as ColumnProfile: geometries are not counted
    elif distinct is not None and distinct <= top_cap:
        top = con.execute(
            f"SELECT {c}, count(*) AS n FROM typed WHERE {c} IS NOT NULL GROUP BY {c} "
            f"ORDER BY n DESC, min(_id) LIMIT 5"
        ).fetchall()
        out["top"] = [{"value": v, "count": n} for v, n in top if n > 1 or len(top) < 5]
    if numeric and count:
        out["histogram"] = _histogram(con, c, out["min"], out["max"])
    return out


def _histogram(con, c: str, minimum, maximum) -> list[dict]:
    low, width = histogram_bins(minimum, maximum)
    counted = con.execute(
        f"SELECT floor(({c} - ?) / ?)::INTEGER, count(*) FROM typed WHERE {c} IS NOT NULL "
        f"GROUP BY 1",
        [low, width],
    ).fetchall()
    return histogram(low, width, counted)
