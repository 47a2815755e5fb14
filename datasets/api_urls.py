"""REST API v1 routes, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from datasets import api, data_api
from datasets.ingest import views as ingest_views

router = SimpleRouter(trailing_slash=True)
router.register("datasets", api.DatasetViewSet, basename="api-dataset")
router.register("resources", api.ResourceViewSet, basename="api-resource")
router.register("themes", api.ThemeViewSet, basename="api-theme")
router.register("licenses", api.LicenseViewSet, basename="api-license")
router.register("tags", api.TagViewSet, basename="api-tag")

urlpatterns = [
    # --- ingestion (issue 4): validation report ---
    path(
        "resources/<uuid:resource_id>/report/",
        ingest_views.resource_report_api,
        name="api_resource_report",
    ),
    # --- Data API: rows, downloads, saved charts, view counting (issue 5) ---
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
    *router.urls,
]
