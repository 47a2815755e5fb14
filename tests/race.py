"""Two requests at once, made repeatable: the second runs on its own database connection
while the first's transaction is still open, and the first commits only once the second
has either finished or is waiting for a lock the first holds. No sleeps decide the order.

PostgreSQL only: SQLite takes the whole database's write lock when a transaction begins
(settings.py), so there two writers never overlap in the first place.
"""

import threading
import time

import pytest
from django.db import connection, transaction

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks are PostgreSQL's; SQLite runs one writing transaction at a time",
)

# Only a bound on a hung test, never what decides the outcome.
GIVE_UP_AFTER = 60


def race(first, second):
    """Run `first()` in a transaction, then `second()` in another thread; commit the
    first once the second is done or blocked on a lock. Returns ("ok", result) or
    ("refused", exception) for the second."""
    outcome = {}
    backend = {}
    ready = threading.Event()
    done = threading.Event()

    def run_second():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend["pid"] = cursor.fetchone()[0]
            ready.set()
            try:
                outcome["second"] = ("ok", second())
            except Exception as exc:  # the refusal is what the test asserts
                outcome["second"] = ("refused", exc)
        finally:
            done.set()
            connection.close()

    thread = threading.Thread(target=run_second)
    with transaction.atomic():
        first()
        thread.start()
        assert ready.wait(GIVE_UP_AFTER), "the second request never started"
        deadline = time.monotonic() + GIVE_UP_AFTER
        while not done.wait(0.02) and not _waiting_for_a_lock(backend["pid"]):
            assert time.monotonic() < deadline, "the second request neither ended nor waited"
    thread.join(GIVE_UP_AFTER)
    assert not thread.is_alive(), "the second request still runs after the first committed"
    return outcome["second"]


def _waiting_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s", [pid]
        )
        row = cursor.fetchone()
    return bool(row and row[0])
