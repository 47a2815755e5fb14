"""The datastore contract: how a ResourceVersion's rows are stored.

Writers (datasets/ingest) and readers (the Data API, CKAN datastore_search, previews)
both follow this module, so neither guesses the other's layout.

- One table per ResourceVersion, named `ResourceVersion.table_name` (see `table_name_for`),
  in the database alias `settings.DATASTORE_DATABASE`.
- First column `_id`: bigint row number starting at 1, in file order, primary key.
- Then one column per entry of `ResourceVersion.columns`, named by its `id` (a safe
  identifier: `[a-z_][a-z0-9_]{0,62}`), typed by `SQL_TYPES`.
- On PostgreSQL a `_fts` tsvector column holds the full-text index of text columns
  (with CJK bigrams, see datasets/search if present); on SQLite `_fts` is a TEXT column
  holding the lower-cased concatenation of text columns for LIKE matching.
- Values: date as ISO `YYYY-MM-DD`, datetime as ISO 8601 (timestamptz on PostgreSQL),
  geometry as a GeoJSON geometry string, boolean as true/false (0/1 on SQLite).
"""

import re
import uuid

COLUMN_TYPES = ("integer", "number", "boolean", "date", "datetime", "text", "geometry")

SQL_TYPES = {
    "postgresql": {
        "integer": "bigint",
        "number": "double precision",
        "boolean": "boolean",
        "date": "date",
        "datetime": "timestamptz",
        "text": "text",
        "geometry": "text",
    },
    "sqlite": {
        "integer": "INTEGER",
        "number": "REAL",
        "boolean": "INTEGER",
        "date": "TEXT",
        "datetime": "TEXT",
        "text": "TEXT",
        "geometry": "TEXT",
    },
}

SAFE_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Ours, and PostgreSQL's system columns, which no table can have again (bounding boxes
# come with xmin and xmax columns).
SYSTEM_COLUMNS = {"tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"}
RESERVED_COLUMNS = {"_id", "_fts", *SYSTEM_COLUMNS}


def table_name_for(resource_id: uuid.UUID | str, number: int) -> str:
    """A unique, safe table name for a resource's version `number`."""
    return f"ds_{uuid.UUID(str(resource_id)).hex}_v{number}"


def is_safe_identifier(name: str) -> bool:
    return bool(SAFE_IDENTIFIER.match(name)) and name not in RESERVED_COLUMNS
