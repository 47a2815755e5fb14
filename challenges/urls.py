"""Pages (inside the language prefix)."""

from django.urls import include, path

urlpatterns: list = [path("", include("challenges.judging.urls"))]
