"""Pages (inside the language prefix)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from datasets import views
from datasets.ingest import views as ingest_views
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
        "datasets/<str:name>/resources/<uuid:id>/edit/", views.resource_edit, name="resource_edit"
    ),
    path(
        "datasets/<str:name>/resources/<uuid:id>/delete/",
        views.resource_delete,
        name="resource_delete",
    ),
    path(
        "datasets/<str:name>/resources/<uuid:id>/dictionary/",
        views.resource_dictionary,
        name="resource_dictionary",
    ),
    path(
        "datasets/<str:name>/resources/<uuid:id>/download/",
        views.resource_download,
        name="resource_download",
    ),
    path(
        "datasets/<str:name>/resources/<uuid:id>/newer-file/",
        views.resource_newer_file,
        name="resource_newer_file",
    ),
    path(
        "datasets/<str:name>/resources/<uuid:id>/download/<slug:fmt>/",
        views.resource_file_download,
        name="resource_file_download",
    ),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"datasets": DatasetSitemap}},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]

# --- ingestion (issue 4): progress fragment, validation report, publisher decisions ---
urlpatterns += [
    path(
        "resources/<uuid:resource_id>/ingest/status/",
        ingest_views.resource_ingest_status,
        name="resource_ingest_status",
    ),
    path(
        "resources/<uuid:resource_id>/report/",
        ingest_views.resource_report,
        name="resource_report",
    ),
    path(
        "resources/<uuid:resource_id>/ingest/rerun/",
        ingest_views.resource_ingest_rerun,
        name="resource_ingest_rerun",
    ),
    path(
        "resources/<uuid:resource_id>/versions/<int:number>/personal-data/",
        ingest_views.version_personal_data,
        name="version_personal_data",
    ),
]

# --- harvesting (issue 6): officials' harvest sources and run reports ---
urlpatterns += [path("", include("datasets.interop.page_urls"))]
