"""Small datastore tables for tests, written by the real loader (datasets/datastore/load.py)."""

from datasets.datastore import load
from datasets.datastore.schema import table_name_for
from datasets.models import ResourceVersion

# Counting to ten million cannot finish within a one-millisecond statement timeout.
SLOW_COUNT = (
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10000000) "
    "SELECT COUNT(*) FROM c"
)


def make_version(resource, columns, rows, number=1, current=True):
    """columns: [(id, type, label)], rows: tuples of Python values in column order."""
    spec = [{"id": cid, "type": kind, "label": label} for cid, kind, label in columns]
    table = table_name_for(resource.id, number)
    load.create_version_table(table_name=table, columns=spec)
    load.load_rows(table_name=table, columns=spec, rows=rows)
    load.create_indexes(table_name=table, columns=spec)
    version = ResourceVersion.objects.create(
        resource=resource,
        number=number,
        table_name=table,
        row_count=len(rows),
        sha256="0" * 64,
        columns=spec,
    )
    if current:
        resource.current_version = version
        resource.save(update_fields=["current_version"])
    return version
