"""REST API v1 routes, mounted under /api/v1/."""

urlpatterns: list = []

# --- ingestion (issue 4): validation report ---
from django.urls import path  # noqa: E402

from datasets.ingest import views as ingest_views  # noqa: E402

urlpatterns += [
    path(
        "resources/<uuid:resource_id>/report/",
        ingest_views.resource_report_api,
        name="api_resource_report",
    ),
]
