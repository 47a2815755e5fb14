"""Absolute addresses of catalog pages and files, shared by the CKAN API, DCAT and harvests."""

from django.http import HttpRequest
from django.urls import reverse

from datasets.models import Dataset, Resource


def dataset_page_url(request: HttpRequest, dataset: Dataset) -> str:
    return request.build_absolute_uri(dataset.get_absolute_url())


def resource_download_url(request: HttpRequest, resource: Resource) -> str:
    """Where a client fetches the file: the remote link, or our download for uploads."""
    if resource.url_type == Resource.UrlType.LINK and resource.url:
        return resource.url
    path = reverse("resource_download", kwargs={"name": resource.dataset.name, "id": resource.pk})
    return request.build_absolute_uri(path)


def resource_data_url(request: HttpRequest, resource: Resource) -> str:
    """The Data API address of a resource's rows (JSON; `format=csv` etc. for files)."""
    return request.build_absolute_uri(f"/api/v1/resources/{resource.pk}/data/")
