"""CKAN Action API (/api/3/action/, /api/action/) and DCAT catalogs, outside the language prefix."""

from django.urls import re_path

from datasets.interop import ckan

urlpatterns = [
    re_path(r"^api/3/action/(?P<name>[\w.-]+)$", ckan.action_view, name="ckan_action"),
    re_path(r"^api/action/(?P<name>[\w.-]+)$", ckan.action_view, name="ckan_action_unversioned"),
]
