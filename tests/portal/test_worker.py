"""A real Celery worker process takes a task from the configured broker and runs it."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from portal.celery import app as celery_app
from portal.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.worker
def test_real_worker_completes_a_task_through_the_broker(settings):
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
        env={**os.environ},
        start_new_session=True,
    )
    try:
        celery_app.conf.task_always_eager = False
        result = ping.delay()
        assert result.get(timeout=90) == "pong"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
