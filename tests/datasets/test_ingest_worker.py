"""A real Celery worker process ingests an upload queued through the broker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from datasets.models import IngestJob
from datasets.services.ingestion import ingest_enqueue
from portal.celery import app as celery_app
from tests.datasets.ingest_helpers import resource_with_file, rows_of

ROOT = Path(__file__).resolve().parents[2]


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
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": _database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_TASK_ALWAYS_EAGER": "False",
        },
        start_new_session=True,
    )
    try:
        celery_app.conf.task_always_eager = False
        # Outside a transaction on_commit runs at once: the task is on the broker now.
        job = ingest_enqueue(resource=resource, options={"language": "en"})
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status in (IngestJob.Status.SUCCEEDED, IngestJob.Status.FAILED):
                break
            time.sleep(0.5)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    resource.refresh_from_db()
    assert rows_of(resource.current_version) == [
        {"col_1": "臺北車站", "col_2": 1234},
        {"col_1": "板橋", "col_2": 567},
    ]
