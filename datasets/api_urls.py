"""REST API v1 routes, mounted under /api/v1/."""

from django.urls import path

from datasets import data_api

urlpatterns: list = []

# --- Data API: rows, downloads, saved charts, view counting (issue 5) ---
urlpatterns += [
    path(
        "resources/<uuid:resource_id>/data/",
        data_api.ResourceDataView.as_view(),
        name="resource_data",
    ),
    path(
        "resources/<uuid:resource_id>/charts/",
        data_api.SavedChartListView.as_view(),
        name="resource_charts",
    ),
    path(
        "resources/<uuid:resource_id>/charts/<int:chart_id>/",
        data_api.SavedChartDetailView.as_view(),
        name="resource_chart",
    ),
    path(
        "resources/<uuid:resource_id>/views/",
        data_api.ResourceViewCountView.as_view(),
        name="resource_view",
    ),
]
