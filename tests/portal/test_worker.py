"""A real Celery worker process takes a task from the configured broker and runs it."""

import pytest

from portal.tasks import ping
from tests.worker import real_worker


@pytest.mark.worker
def test_real_worker_completes_a_task_through_the_broker(settings):
    with real_worker():
        result = ping.delay()
        assert result.get(timeout=90) == "pong"
