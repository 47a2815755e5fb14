"""REST API v1 routes, mounted under /api/v1/."""

urlpatterns: list = []
