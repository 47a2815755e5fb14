"""Pages (inside the language prefix)."""

urlpatterns: list = []

# --- ingestion (issue 4): progress fragment, validation report, publisher decisions ---
from django.urls import path  # noqa: E402

from datasets.ingest import views as ingest_views  # noqa: E402

urlpatterns += [
    path(
        "resources/<uuid:resource_id>/ingest/status/",
        ingest_views.resource_ingest_status,
        name="resource_ingest_status",
    ),
    path(
        "resources/<uuid:resource_id>/report/",
        ingest_views.resource_report,
        name="resource_report",
    ),
    path(
        "resources/<uuid:resource_id>/ingest/rerun/",
        ingest_views.resource_ingest_rerun,
        name="resource_ingest_rerun",
    ),
    path(
        "resources/<uuid:resource_id>/versions/<int:number>/personal-data/",
        ingest_views.version_personal_data,
        name="version_personal_data",
    ),
]
