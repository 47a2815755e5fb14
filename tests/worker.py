"""A real Celery worker process for the tests that need one (marker `worker`)."""

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def real_worker(**env):
    """Run `celery worker` (solo pool) with the test environment plus `env`, and send
    tasks to the broker instead of running them in the test process, until the block ends."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env={**os.environ, **env},
        start_new_session=True,
    )  # fmt: skip
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield worker
    finally:
        celery_app.conf.task_always_eager = eager
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
