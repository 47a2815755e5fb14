"""Pages (inside the language prefix)."""

from django.urls import include, path

from challenges import views

urlpatterns = [
    path("challenges/", views.challenge_list, name="challenge_list"),
    path("challenges/new/", views.challenge_create, name="challenge_create"),
    path("challenges/workspace/", views.workspace, name="challenge_workspace_list"),
    path(
        "challenges/invitations/<str:token>/",
        views.invitation_detail,
        name="invitation_detail",
    ),
    path(
        "challenges/files/<int:pk>/",
        views.attachment_download,
        name="challenge_attachment_download",
    ),
    path("challenges/<slug:slug>/", views.challenge_detail, name="challenge_detail"),
    path("challenges/<slug:slug>/edit/", views.challenge_edit, name="challenge_edit"),
    path("challenges/<slug:slug>/follow/", views.challenge_follow, name="challenge_follow"),
    path("challenges/<slug:slug>/showcase/", views.showcase, name="challenge_showcase"),
    path("challenges/<slug:slug>/questions/", views.question_ask, name="question_ask"),
    path(
        "challenges/<slug:slug>/questions/<int:pk>/answer/",
        views.question_answer,
        name="question_answer",
    ),
    path(
        "challenges/<slug:slug>/questions/<int:pk>/merge/",
        views.question_merge,
        name="question_merge",
    ),
    path(
        "challenges/<slug:slug>/workspace/",
        views.challenge_workspace,
        name="challenge_workspace",
    ),
    path(
        "challenges/<slug:slug>/workspace/entries.csv",
        views.entries_csv,
        name="challenge_entries_csv",
    ),
    path("challenges/<slug:slug>/publish/", views.challenge_publish, name="challenge_publish"),
    path("challenges/<slug:slug>/stage/", views.challenge_stage, name="challenge_stage"),
    path("challenges/<slug:slug>/rounds/", views.round_create, name="round_create"),
    path("challenges/<slug:slug>/invite/", views.challenge_invite, name="challenge_invite"),
    path(
        "challenges/<slug:slug>/files/",
        views.challenge_attachment_upload,
        name="challenge_attachment_upload",
    ),
    path(
        "challenges/<slug:slug>/rounds/<int:number>/extend/",
        views.round_extend,
        name="round_extend",
    ),
    path(
        "challenges/<slug:slug>/announcements/",
        views.announcement_post,
        name="announcement_post",
    ),
    path("challenges/<slug:slug>/teams/new/", views.team_create, name="team_create"),
    path(
        "challenges/<slug:slug>/teams/<slug:team_slug>/",
        views.team_detail,
        name="team_detail",
    ),
    path("challenges/<slug:slug>/entries/new/", views.submission_create, name="submission_create"),
    path(
        "challenges/<slug:slug>/entries/<int:pk>/",
        views.submission_detail,
        name="submission_detail",
    ),
    path(
        "challenges/<slug:slug>/entries/<int:pk>/edit/",
        views.submission_edit,
        name="submission_edit",
    ),
    path(
        "challenges/<slug:slug>/entries/<int:pk>/autosave/",
        views.submission_autosave,
        name="submission_autosave",
    ),
    path(
        "challenges/<slug:slug>/entries/<int:pk>/files/",
        views.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "challenges/<slug:slug>/entries/<int:pk>/decide/",
        views.submission_decide,
        name="submission_decide",
    ),
    path("", include("challenges.judging.urls")),
]
