"""REST API v1 routes, mounted under /api/v1/."""

from django.urls import path

from datasets import data_api

urlpatterns: list = []

# --- Data API: rows, downloads, view counting (issue 5) ---
urlpatterns += [
    path(
        "resources/<uuid:resource_id>/data/",
        data_api.ResourceDataView.as_view(),
        name="resource_data",
    ),
    path(
        "resources/<uuid:resource_id>/views/",
        data_api.ResourceViewCountView.as_view(),
        name="resource_view",
    ),
]
