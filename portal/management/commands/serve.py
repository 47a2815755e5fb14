"""Run the site and a Celery worker (with beat) together; Ctrl-C stops both.

Used by `make demo`. Production runs gunicorn and workers as separate processes
(see deploy/).
"""

import ctypes
import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM the worker if this process dies without cleaning up."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: the finally block below still stops the worker


class Command(BaseCommand):
    help = "Serve the site on ADDRPORT together with a Celery worker and beat (development)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--beat"]
        worker = subprocess.Popen(  # noqa: S603 - fixed argument list
            [*command, "--loglevel", "INFO", "--concurrency", "2"],
            start_new_session=True,  # our own group, so Ctrl-C handling stays here
            preexec_fn=_die_with_parent,  # runs in the child before exec; no threads yet
        )
        # `kill` and a closed terminal stop everything too, not only Ctrl-C.
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _raise_keyboard_interrupt)
        self.stdout.write(f"Celery worker started (pid {worker.pid}).")
        try:
            call_command("runserver", addrport, use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("Stopping the Celery worker…")
            try:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
