"""Judging API routes, included from challenges/api_urls.py under /api/v1/."""

from django.urls import path

from challenges.judging import api

urlpatterns = [
    path("challenges/<slug:slug>/results/", api.challenge_results, name="api_challenge_results"),
    path("pilots/", api.PilotViewSet.as_view({"get": "list"}), name="api_pilot_list"),
    path(
        "pilots/<slug:slug>/",
        api.PilotViewSet.as_view({"get": "retrieve"}),
        name="api_pilot_detail",
    ),
]
