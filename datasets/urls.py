"""Pages (inside the language prefix)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from datasets import views
from datasets.sitemaps import DatasetSitemap

urlpatterns = [
    path("datasets/", views.dataset_list, name="dataset_list"),
    path("datasets/new/", views.dataset_create, name="dataset_create"),
    path("workspace/datasets/", views.workspace, name="dataset_workspace"),
    path("datasets/<str:name>/", views.dataset_detail, name="dataset_detail"),
    path("datasets/<str:name>/edit/", views.dataset_edit, name="dataset_edit"),
    path("datasets/<str:name>/activity/", views.dataset_activity, name="dataset_activity"),
    path("datasets/<str:name>/submit/", views.dataset_submit, name="dataset_submit"),
    path("datasets/<str:name>/publish/", views.dataset_publish, name="dataset_publish"),
    path("datasets/<str:name>/send-back/", views.dataset_send_back, name="dataset_send_back"),
    path("datasets/<str:name>/archive/", views.dataset_archive, name="dataset_archive"),
    path("datasets/<str:name>/resources/new/", views.resource_create, name="resource_create"),
    path("datasets/<str:name>/resources/<uuid:id>/", views.resource_detail, name="resource_detail"),
    path(
        "datasets/<str:name>/resources/<uuid:id>/download/",
        views.resource_download,
        name="resource_download",
    ),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"datasets": DatasetSitemap}},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]
