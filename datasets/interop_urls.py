"""CKAN Action API (/api/3/action/, /api/action/) and DCAT catalogs, outside the language prefix."""

urlpatterns: list = []
