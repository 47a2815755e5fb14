"""Pages (inside the language prefix)."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("datasets.interop.page_urls")),
]
