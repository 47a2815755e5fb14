"""REST API v1 routes, mounted under /api/v1/."""

from django.urls import include, path

urlpatterns: list = [path("", include("challenges.judging.api_urls"))]
