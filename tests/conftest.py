import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

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
def _fast_password_hashing(settings):
    """PBKDF2's million rounds protect stored passwords and only slow tests down: every
    user a factory makes took about a second on a slow host."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language (zh-hant), whatever ran before it;
    a test that wants English messages asks for them (translation.override("en"))."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _seeded_rows_survive_flushes(request):
    """Transactional tests (live_server) flush every table, including the themes and
    licenses a data migration seeds; put them back for whichever test runs next."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    from datasets.models import License

    if not License.objects.exists():
        from tests.factories import seed_themes_and_licenses

        seed_themes_and_licenses()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session", autouse=True)
def _ingest_work_dir_of_our_own(tmp_path_factory):
    """Ingestion work directories in this run's temporary folder, for real workers too
    (they inherit the environment): an attempt sweeps the folders of jobs its database
    does not know as running, so another test run on the machine, with its own job 1,
    must not share the folder."""
    folder = str(tmp_path_factory.mktemp("ingest-work"))
    os.environ["INGEST_WORK_DIR"] = folder
    settings.INGEST_WORK_DIR = folder


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser_page(live_server):
    """A Playwright page in Debian's headless Chromium, pointed at the live test server.

    Usage: `browser_page.goto(live_server.url + "/en/")`. Skips when Chromium is missing.
    """
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        # With Playwright's event loop running, Django keeps the test's connections per
        # context (asgiref), out of reach of the test database teardown: close them here.
        from django.db import connections

        connections.close_all()
        context.close()
        browser.close()
