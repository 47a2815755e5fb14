"""The REST API's default pages (settings.REST_FRAMEWORK); a module of its own because DRF
imports it while it is itself being imported."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """The lists' limit/offset pages, of at most 1,000 rows (as CKAN's package_search): a
    larger `limit`, even one past 64 bits that the database could not take, is cut down
    to that instead of failing."""

    max_limit = 1000
