"""CKAN Action API (/api/3/action/, /api/action/) and DCAT catalogs, outside the language prefix."""

from django.urls import path, re_path

from datasets.interop import ckan, dcat

urlpatterns = [
    path("api/3", ckan.api_version, name="ckan_api_version"),
    re_path(r"^api/3/action/(?P<name>[\w.-]+)$", ckan.action_view, name="ckan_action"),
    re_path(r"^api/action/(?P<name>[\w.-]+)$", ckan.action_view, name="ckan_action_unversioned"),
    path("catalog.jsonld", dcat.catalog_jsonld, name="dcat_catalog"),
    path("catalog.ttl", dcat.catalog_turtle, name="dcat_catalog_turtle"),
    path("datasets/<str:name>.jsonld", dcat.dataset_jsonld, name="dcat_dataset"),
    path("datasets/<str:name>.ttl", dcat.dataset_turtle, name="dcat_dataset_turtle"),
    path("data.json", dcat.data_json, name="dcat_us_catalog"),
]
