"""Derived downloads of a live version: CSV (UTF-8 with BOM, so Excel in Taiwan opens it
right), JSON, XLSX, GeoJSON when there is geometry, and Parquet.

Spreadsheet apps run a CSV cell starting with = + - @ (or a tab or CR) as a formula, so
such text cells are prefixed with an apostrophe in CSV; numbers such as -5 stay as they
are. In XLSX such text is a string cell, which is never run, and stays as published.
"""

import csv
import json
import logging
import re
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections

from datasets.datastore.geo import geo_columns, row_geometry
from datasets.datastore.query import city_time
from datasets.models import ResourceVersion

logger = logging.getLogger(__name__)
CHUNK = 10_000
XLSX_MAX_ROWS = 1_048_576  # Excel's sheet limit, header row included
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)  # whole cell
DUCKDB_TYPES = {
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMPTZ",
    "text": "VARCHAR",
    "geometry": "VARCHAR",
}


def escape_formula(value):
    """The cell as a spreadsheet should show it, never run it."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


# XML cannot hold these control characters, so no XLSX cell can (openpyxl refuses them):
# they are left out there. The CSV, JSON and Parquet keep them.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Past this an integer is not exactly a spreadsheet number (a double): 2**53 + 1 would
# turn into 2**53. Such integers (IDs, parcel numbers) are written as text instead.
EXACT_NUMBER = 2**53


def xlsx_row(sheet, values) -> list:
    """A row of JSON-ready values (text, numbers, booleans, ISO dates) as cells for an
    openpyxl write-only `sheet`: text as string cells (openpyxl would make a formula of
    '=1+1'), large integers as text, and no character XML cannot hold."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > EXACT_NUMBER:
            value = str(value)
        elif not isinstance(value, str):
            cells.append(value)
            continue
        cell = WriteOnlyCell(sheet, value=_NOT_IN_XML.sub("", value))
        cell.data_type = "s"
        cells.append(cell)
    return cells


def version_rows(version: ResourceVersion) -> Iterator[list]:
    """The version's rows in file order, fetched in chunks by `_id`."""
    using = settings.DATASTORE_DATABASE
    quote = connections[using].ops.quote_name
    names = ", ".join(quote(c["id"]) for c in version.columns)
    booleans = [i for i, c in enumerate(version.columns) if c["type"] == "boolean"]
    times = [i for i, c in enumerate(version.columns) if c["type"] == "datetime"]
    sql = (
        f"SELECT _id, {names} FROM {quote(version.table_name)} "  # noqa: S608
        "WHERE _id > %s ORDER BY _id LIMIT %s"
    )
    last = 0
    with connections[using].cursor() as cursor:
        while True:
            cursor.execute(sql, [last, CHUNK])
            rows = cursor.fetchall()
            if not rows:
                return
            for row in rows:
                values = list(row[1:])
                for i in booleans:
                    if values[i] is not None:
                        values[i] = bool(values[i])
                for i in times:
                    values[i] = city_time(values[i])
                yield values
            last = rows[-1][0]


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _csv_text(value):
    """A plain value as the Data API's CSV writes it: true/false, blank for null."""
    if value is True or value is False:
        return "true" if value else "false"
    return "" if value is None else value


def version_downloads_write(*, version: ResourceVersion) -> dict:
    """Write every derived file to storage; returns and records {format: storage name}."""
    columns = version.columns
    ids = [c["id"] for c in columns]
    # A geometry column, or a latitude/longitude pair (緯度/經度): either gives GeoJSON.
    geo = geo_columns(version)
    base = f"derived/{version.table_name}"
    written = {}
    with tempfile.TemporaryDirectory(prefix="downloads-") as tmp:
        tmp = Path(tmp)
        raw_csv = tmp / "raw.csv"
        with (
            open(tmp / "data.csv", "w", encoding="utf-8-sig", newline="") as excel_csv,
            open(raw_csv, "w", encoding="utf-8", newline="") as raw,
            open(tmp / "data.json", "w", encoding="utf-8") as as_json,
        ):
            excel_writer = csv.writer(excel_csv)
            raw_writer = csv.writer(raw)
            excel_writer.writerow([c.get("label") or c["id"] for c in columns])
            raw_writer.writerow(ids)
            as_json.write("[")
            geojson = (
                open(tmp / "data.geojson", "w", encoding="utf-8")  # noqa: SIM115 (closed below)
                if geo
                else None
            )
            if geojson:
                geojson.write('{"type":"FeatureCollection","features":[')
            first = True
            for values in version_rows(version):
                plain = [_plain(v) for v in values]
                texts = [_csv_text(v) for v in plain]
                excel_writer.writerow([escape_formula(v) for v in texts])
                raw_writer.writerow(texts)
                record = dict(zip(ids, plain, strict=True))
                as_json.write(("" if first else ",") + json.dumps(record, ensure_ascii=False))
                if geojson:
                    feature = {
                        "type": "Feature",
                        "geometry": row_geometry(geo, record),
                        "properties": {k: v for k, v in record.items() if k != geo.geometry},
                    }
                    geojson.write(("" if first else ",") + json.dumps(feature, ensure_ascii=False))
                first = False
            as_json.write("]")
            if geojson:
                geojson.write("]}")
                geojson.close()
        containers = [(_write_parquet, (columns, raw_csv, tmp / "data.parquet"))]
        if version.row_count < XLSX_MAX_ROWS:
            containers.append((_write_xlsx, (version, tmp / "data.xlsx")))
        for write, arguments in containers:
            try:
                write(*arguments)
            except Exception:  # one format failing must not take the others with it
                logger.exception("%s failed for %s", write.__name__, version.table_name)
                arguments[-1].unlink(missing_ok=True)
        for fmt in ("csv", "json", "xlsx", "geojson", "parquet"):
            path = tmp / f"data.{fmt}"
            if path.exists():
                name = f"{base}.{fmt}"
                default_storage.delete(name)
                with open(path, "rb") as f:
                    written[fmt] = default_storage.save(name, File(f))
    kept = ResourceVersion.objects.filter(pk=version.pk, dropped_at__isnull=True)
    if not kept.update(downloads=written):
        # Deleted or pruned while they were written: nothing would ever serve or remove them.
        for name in written.values():
            default_storage.delete(name)
        return {}
    version.downloads = written
    return written


def _write_xlsx(version: ResourceVersion, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append(xlsx_row(sheet, [c.get("label") or c["id"] for c in version.columns]))
    for values in version_rows(version):
        sheet.append(xlsx_row(sheet, [_plain(v) for v in values]))
    book.save(path)


def _write_parquet(columns: list, raw_csv: Path, path: Path) -> None:
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {c["id"]: DUCKDB_TYPES[c["type"]] for c in columns}
    with duckdb.connect() as con:
        # The file's dialect is ours: told, not sniffed (a one-column file of "a;b"
        # values would be sniffed as two columns split at ';').
        relation = con.read_csv(
            str(raw_csv), header=True, dtype=types, sep=",", quotechar='"', escapechar='"'
        )
        # Times are the same instants, marked with the city's zone as every other format
        # and the Data API's Parquet give them (DuckDB would mark them UTC: pandas then
        # shows a file's 08:00 as 00:00). Written batch by batch, never whole in memory.
        # to_arrow_reader where DuckDB has it (2.0 deprecates fetch_record_batch).
        batches = getattr(relation, "to_arrow_reader", None) or relation.fetch_record_batch
        reader = batches(50_000)
        schema = pa.schema(
            [
                field.with_type(pa.timestamp("us", tz=settings.TIME_ZONE))
                if pa.types.is_timestamp(field.type)
                else field
                for field in reader.schema
            ]
        )
        with pq.ParquetWriter(str(path), schema) as writer:
            for batch in reader:
                writer.write_batch(batch.cast(schema))
