"""Whole-result downloads of a query: CSV, JSON, XLSX, GeoJSON, Parquet.

Each writer reads rows from `query_iter` (a server-side cursor) and emits bytes batch by
batch, so memory stays flat however many rows match. CSV, JSON and GeoJSON stream straight
to the client; XLSX and Parquet are containers that need their end written before their
start is valid, so they are built in a temporary file (again batch by batch) and streamed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from datasets.datastore.geo import geo_columns, row_geometry
from datasets.datastore.query import (
    DataQuery,
    QueryError,
    query_copy_csv,
    query_iter,
    version_columns,
)
from datasets.ingest.downloads import escape_formula, xlsx_row  # the same rules

FORMATS = ("csv", "json", "xlsx", "geojson", "parquet")
HEADERS = ("ids", "labels")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "parquet": "application/vnd.apache.parquet",
}
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit minus the header row
_BATCH = 2000


@dataclass
class Export:
    filename: str
    content_type: str
    chunks: Iterator[bytes]


def export_filename(*, resource, version, fmt: str) -> str:
    """dataset-name_resource-name_v3_2024-05-01.csv (Chinese names kept, unsafe characters not)."""
    name = slugify(resource.name, allow_unicode=True) or str(resource.pk)[:8]
    date = timezone.localdate().isoformat()
    return f"{resource.dataset.name}_{name}_v{version.number}_{date}.{fmt}"


def export_query(*, resource, version, query: DataQuery, fmt: str, header: str = "ids") -> Export:
    """`header`: "ids" starts a CSV or XLSX with the columns' ids, as the Data API names
    them; "labels" with their names as in the file, as the files written after ingestion
    do."""
    if fmt not in FORMATS:
        raise QueryError(
            _("Unknown format “%(format)s”. Formats: %(known)s.")
            % {"format": fmt, "known": ", ".join(FORMATS)},
            param="format",
        )
    if header not in HEADERS:
        raise QueryError(
            _("header must be “ids” or “labels”, not “%(value)s”.") % {"value": header},
            param="header",
        )
    writer = {
        "csv": _csv_chunks,
        "json": _json_chunks,
        "xlsx": _xlsx_chunks,
        "geojson": _geojson_chunks,
        "parquet": _parquet_chunks,
    }[fmt]
    if fmt == "geojson" and geo_columns(version) is None:
        raise QueryError(
            _("This resource has no coordinates or geometry, so it has no GeoJSON download."),
            param="format",
        )
    names = [c.get("label") or c["id"] for c in query.fields] if header == "labels" else None
    return Export(
        filename=export_filename(resource=resource, version=version, fmt=fmt),
        content_type=CONTENT_TYPES[fmt],
        chunks=writer(version, query, names) if fmt in ("csv", "xlsx") else writer(version, query),
    )


def _header(query: DataQuery, names: list[str] | None) -> list[str]:
    """The first row: the columns' names as in the file (a spreadsheet formula among them
    neutralised, as in any cell), or their ids."""
    return [escape_formula(n) for n in names] if names else [c["id"] for c in query.fields]


def _text_positions(query: DataQuery) -> list[int]:
    return [i for i, c in enumerate(query.fields) if c["type"] in ("text", "geometry")]


def _csv_chunks(version, query: DataQuery, names: list[str] | None = None) -> Iterator[bytes]:
    postgresql = connections[settings.DATASTORE_DATABASE].vendor == "postgresql"
    buffer = io.StringIO()
    # PostgreSQL's COPY ends lines with \n alone: the header line must too.
    writer = csv.writer(buffer, lineterminator="\n" if postgresql else "\r\n")
    # The BOM makes Excel open the file as UTF-8 instead of the local code page (Big5).
    buffer.write("\ufeff")
    writer.writerow(_header(query, names))
    if postgresql:
        yield from query_copy_csv(version=version, query=query, header=buffer.getvalue().encode())
        return
    text_positions = _text_positions(query)
    for count, row in enumerate(query_iter(version=version, query=query), start=1):
        if text_positions:
            row = list(row)
            for i in text_positions:
                row[i] = escape_formula(row[i])
        if any(v is True or v is False for v in row):
            row = ["true" if v is True else "false" if v is False else v for v in row]
        writer.writerow(row)
        if count % _BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _json_chunks(version, query: DataQuery) -> Iterator[bytes]:
    names = [c["id"] for c in query.fields]
    head = json.dumps({"fields": list(query.fields)}, ensure_ascii=False)[:-1]
    yield (head + ', "records": [').encode()
    parts = []
    first = True
    for row in query_iter(version=version, query=query):
        parts.append(
            ("" if first else ",")
            + json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False)
        )
        first = False
        if len(parts) >= _BATCH:
            yield "\n".join(parts).encode()
            parts = []
    parts.append("]}")
    yield "\n".join(parts).encode()


def _geojson_chunks(version, query: DataQuery) -> Iterator[bytes]:
    geo = geo_columns(version)
    names = [c["id"] for c in query.fields]
    # The position columns are read even when `fields` left them out.
    needed = [geo.geometry] if geo.geometry else [geo.longitude, geo.latitude]
    extra = [n for n in needed if n not in names]
    if extra:
        columns = {c["id"]: c for c in version_columns(version)}
        query = DataQuery(
            fields=(*query.fields, *(columns[n] for n in extra)),
            filters=query.filters,
            sort=query.sort,
            q=query.q,
            limit=query.limit,
            offset=query.offset,
        )
    all_names = [c["id"] for c in query.fields]
    yield b'{"type": "FeatureCollection", "features": ['
    parts = []
    first = True
    for row in query_iter(version=version, query=query):
        record = dict(zip(all_names, row, strict=True))
        geometry = row_geometry(geo, record)
        properties = {n: record[n] for n in names if n != geo.geometry}
        feature = {"type": "Feature", "geometry": geometry, "properties": properties}
        parts.append(("" if first else ",") + json.dumps(feature, ensure_ascii=False))
        first = False
        if len(parts) >= _BATCH:
            yield "\n".join(parts).encode()
            parts = []
    parts.append("]}")
    yield "\n".join(parts).encode()


def _file_chunks(handle, size: int = 256 * 1024) -> Iterator[bytes]:
    handle.seek(0)
    while chunk := handle.read(size):
        yield chunk


def _xlsx_chunks(version, query: DataQuery, names: list[str] | None = None) -> Iterator[bytes]:
    from openpyxl import Workbook

    # Write-only mode keeps one row in memory at a time.
    workbook = Workbook(write_only=True)
    header = names or [c["id"] for c in query.fields]  # a string cell is never run
    sheet = None
    rows_in_sheet = XLSX_MAX_ROWS
    for row in query_iter(version=version, query=query):
        if rows_in_sheet >= XLSX_MAX_ROWS:
            sheet = workbook.create_sheet(title=f"data{len(workbook.worksheets) + 1}")
            sheet.append(header)
            rows_in_sheet = 0
        sheet.append(xlsx_row(sheet, row))
        rows_in_sheet += 1
    if sheet is None:
        workbook.create_sheet(title="data1").append(header)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        yield from _file_chunks(handle)


def _arrow_type(kind: str):
    import pyarrow as pa

    return {
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        # The instant, shown in the city's time as every other format gives it.
        "datetime": pa.timestamp("us", tz=settings.TIME_ZONE),
    }.get(kind, pa.string())


def _arrow_value(kind: str, value):
    if value is None:
        return None
    if kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if kind == "datetime" and isinstance(value, str):
        parsed = dt.datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    if kind == "boolean":
        return bool(value)
    return value


def _parquet_chunks(version, query: DataQuery) -> Iterator[bytes]:
    with tempfile.TemporaryFile() as handle:
        _parquet_write(handle, version, query)
        yield from _file_chunks(handle)


def _parquet_write(handle, version, query: DataQuery, batch_rows: int = 50_000) -> None:
    """Write row groups of `batch_rows` rows, so memory stays one row group big."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    kinds = [c["type"] for c in query.fields]
    schema = pa.schema([(c["id"], _arrow_type(c["type"])) for c in query.fields])

    def table(batch):
        columns = list(zip(*batch, strict=True)) if batch else [[] for _kind in kinds]
        arrays = [
            pa.array([_arrow_value(kind, v) for v in values], type=field.type)
            for kind, values, field in zip(kinds, columns, schema, strict=True)
        ]
        return pa.Table.from_arrays(arrays, schema=schema)

    with pq.ParquetWriter(handle, schema, compression="zstd") as writer:
        batch, written = [], False
        for row in query_iter(version=version, query=query):
            batch.append(row)
            if len(batch) >= batch_rows:
                writer.write_table(table(batch))
                batch, written = [], True
        if batch or not written:
            writer.write_table(table(batch))
