"""REST API v1 routes, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from datasets import api

router = SimpleRouter(trailing_slash=True)
router.register("datasets", api.DatasetViewSet, basename="api-dataset")
router.register("resources", api.ResourceViewSet, basename="api-resource")
router.register("themes", api.ThemeViewSet, basename="api-theme")
router.register("licenses", api.LicenseViewSet, basename="api-license")
router.register("tags", api.TagViewSet, basename="api-tag")

urlpatterns = router.urls
