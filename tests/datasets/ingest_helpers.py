"""Shared helpers for the ingestion tests: a resource holding given bytes, and a run."""

from django.core.files.base import ContentFile
from django.db import connections

from datasets.ingest.pipeline import ingest_run
from datasets.models import IngestJob
from tests.factories import IngestJobFactory, ResourceFactory


def resource_with_file(content: bytes, name: str = "data.csv", **fields):
    resource = ResourceFactory(**fields)
    resource.file.save(name, ContentFile(content), save=True)
    return resource


def ingest(resource, **job_fields) -> IngestJob:
    # Messages in English so assertions read naturally; zh-hant is tested separately.
    job_fields["options"] = {"language": "en", **job_fields.get("options", {})}
    job = IngestJobFactory(resource=resource, **job_fields)
    ingest_run(job=job)
    job.refresh_from_db()
    resource.refresh_from_db()
    return job


def ingest_bytes(content: bytes, name: str = "data.csv", **fields):
    resource = resource_with_file(content, name, **fields)
    return ingest(resource), resource


def rows_of(version, columns=None):
    """All rows of a version's table in file order, as dicts of column id -> value."""
    columns = columns or [c["id"] for c in version.columns]
    quote = connections["default"].ops.quote_name
    sql = (
        f"SELECT {', '.join(quote(c) for c in columns)} "  # noqa: S608
        f"FROM {quote(version.table_name)} ORDER BY _id"
    )
    with connections["default"].cursor() as cursor:
        cursor.execute(sql)
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def types_of(version) -> dict:
    return {c["label"]: c["type"] for c in version.columns}
