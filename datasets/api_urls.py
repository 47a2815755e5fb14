"""REST API v1 routes, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from datasets import api
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
    *router.urls,
]
