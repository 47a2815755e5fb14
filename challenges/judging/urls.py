"""Judging pages, included from challenges/urls.py (inside the language prefix)."""

from django.urls import path

from challenges.judging import views

urlpatterns = [
    path("pilots/", views.pilot_list, name="pilot_list"),
    path("pilots/new/", views.pilot_create, name="pilot_create"),
    path("pilots/<slug:slug>/", views.pilot_detail, name="pilot_detail"),
    path("pilots/<slug:slug>/manage/", views.pilot_manage, name="pilot_manage"),
    path(
        "judging/invitations/<str:token>/",
        views.invitation_accept,
        name="judge_invitation_accept",
    ),
    path("challenges/<slug:slug>/judging/", views.judge_queue, name="judge_queue"),
    path(
        "challenges/<slug:slug>/judging/conflicts/", views.judge_conflicts, name="judge_conflicts"
    ),
    path("challenges/<slug:slug>/judging/entries/<int:pk>/", views.judge_score, name="judge_score"),
    path(
        "challenges/<slug:slug>/rounds/<int:number>/judging/",
        views.judging_manage,
        name="judging_manage",
    ),
    path(
        "challenges/<slug:slug>/rounds/<int:number>/results/",
        views.results_manage,
        name="results_manage",
    ),
    path(
        "challenges/<slug:slug>/rounds/<int:number>/scores.csv",
        views.results_export,
        name="results_export",
    ),
    path("challenges/<slug:slug>/results/", views.results_public, name="results_public"),
    path("challenges/<slug:slug>/vote/", views.vote, name="challenge_vote"),
    path(
        "challenges/<slug:slug>/teams/<slug:team_slug>/scores/",
        views.team_scores,
        name="team_scores",
    ),
]
