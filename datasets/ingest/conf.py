"""Ingestion limits, overridable in settings (INGEST_*)."""

from django.conf import settings

DEFAULTS = {
    "MAX_BYTES": 2_000_000_000,  # upload or fetched file, and a ZIP's extracted total
    "FETCH_TIMEOUT": 300,  # seconds for a whole URL download, not just one read
    "FETCH_MAX_REDIRECTS": 5,
    # (ip, port) pairs a fetch may reach despite being private; tests use a local server.
    "FETCH_ALLOWED_ADDRESSES": (),
    "KEEP_VERSIONS": 3,
    "ZIP_MAX_ENTRIES": 100,
    "ZIP_MAX_RATIO": 100,
    "NULL_TOKENS": ("", "N/A", "n/a", "NA", "-", "NULL", "null", "None", "#N/A", "無", "－"),
    "MAX_REPORT_ERRORS": 100,
    "PII_THRESHOLD": 0.3,
    # Where each attempt keeps its copy of the file and the DuckDB staging files (up to
    # about three times the file); None: one for the site's database in the system's
    # temporary folder (pipeline._work_root).
    "WORK_DIR": None,
}


def get(name: str):
    return getattr(settings, f"INGEST_{name}", DEFAULTS[name])
