"""Harvest pages (inside the language prefix), included from datasets/urls.py."""

from django.urls import path

from datasets.interop import views

urlpatterns = [
    path(
        "organizations/<slug:slug>/harvest/",
        views.harvest_source_list,
        name="harvest_source_list",
    ),
    path(
        "organizations/<slug:slug>/harvest/<int:pk>/",
        views.harvest_source_detail,
        name="harvest_source_detail",
    ),
]
