"""A real Celery worker process ingests an upload queued through the broker."""

import time

import pytest
from django.db import connection

from datasets.models import IngestJob
from datasets.services.ingestion import ingest_enqueue
from tests.datasets.ingest_helpers import resource_with_file, rows_of
from tests.worker import real_worker


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or ""
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_ingests_an_upload_end_to_end(settings):
    resource = resource_with_file('站名,人數\n臺北車站,"1,234"\n板橋,567\n'.encode("cp950"))
    worker_env = {
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "False",
    }
    with real_worker(**worker_env):
        # Outside a transaction on_commit runs at once: the task is on the broker now.
        job = ingest_enqueue(resource=resource, options={"language": "en"})
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status in (IngestJob.Status.SUCCEEDED, IngestJob.Status.FAILED):
                break
            time.sleep(0.5)

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    resource.refresh_from_db()
    assert rows_of(resource.current_version) == [
        {"col_1": "臺北車站", "col_2": 1234},
        {"col_1": "板橋", "col_2": 567},
    ]
