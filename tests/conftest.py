import os

import pytest
from django.core.cache import cache

from portal.celery import app as celery_app

# Playwright's sync API runs an event loop in the test thread; Django's ORM then refuses
# to run there unless told this is intended (the test drives the browser, not async code).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _eager_celery_and_clean_cache(settings):
    """Tasks run in-process unless a test starts a real worker; caches start empty."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    cache.clear()
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
