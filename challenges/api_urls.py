"""REST API v1 routes, mounted under /api/v1/."""

from django.urls import include, path

from challenges import api

challenge_list = api.ChallengeViewSet.as_view({"get": "list"})
challenge_detail = api.ChallengeViewSet.as_view({"get": "retrieve"})

urlpatterns = [
    path("challenges/", challenge_list, name="api_challenge_list"),
    path("challenges/<slug:slug>/", challenge_detail, name="api_challenge_detail"),
    path(
        "challenges/<slug:slug>/submissions/",
        api.SubmissionListView.as_view(),
        name="api_challenge_submissions",
    ),
    path(
        "challenges/<slug:slug>/submissions/<int:pk>/",
        api.SubmissionDetailView.as_view(),
        name="api_submission_detail",
    ),
    path(
        "challenges/<slug:slug>/submissions/<int:pk>/submit/",
        api.SubmissionSubmitView.as_view(),
        name="api_submission_submit",
    ),
    path("challenges/<slug:slug>/teams/", api.TeamCreateView.as_view(), name="api_team_create"),
    path(
        "challenges/<slug:slug>/teams/<slug:team_slug>/invitations/",
        api.TeamInviteView.as_view(),
        name="api_team_invite",
    ),
    path("", include("challenges.judging.api_urls")),
]
