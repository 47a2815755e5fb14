"""Production refuses insecure configuration; a proper one passes Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "R4nd0m-s3cr3t-" + "x9" * 20


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_refuses_to_start():
    result = run_manage("check", DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="data.example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_with_a_short_key_refuses_to_start():
    result = run_manage(
        "check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="short", DJANGO_ALLOWED_HOSTS="x.org"
    )
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


@pytest.mark.parametrize("hosts", ["", "*"])
def test_production_without_explicit_hosts_refuses_to_start(hosts):
    result = run_manage(
        "check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_ALLOWED_HOSTS=hosts
    )
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_configuration_passes_deploy_checks():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=GOOD_KEY,
        DJANGO_ALLOWED_HOSTS="data.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_upload_limits_are_explicit(settings):
    assert settings.MAX_UPLOAD_SIZE == 2 * 1024**3
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE > 0
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE > 0
