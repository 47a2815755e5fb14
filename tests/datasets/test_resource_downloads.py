"""Downloads on the resource page: the files derived after ingestion, and the original
upload held back while personal data found in it waits for the publishers' decision."""

import csv
import hashlib
import io
import json

import pytest
from knox.models import AuthToken

from datasets.ingest.downloads import version_downloads_write
from datasets.models import Dataset, ResourceVersion
from datasets.services.ingestion import version_personal_data_decide
from tests.datasets.ingest_helpers import ingest, ingest_bytes, resource_with_file
from tests.factories import UserFactory, editor_of

pytestmark = pytest.mark.django_db

PERSONAL = b"name,email\nA,a@example.org\nB,b@example.org\n"


def _url(resource, fmt=None):
    base = f"/datasets/{resource.dataset.name}/resources/{resource.pk}/download/"
    return base + (f"{fmt}/" if fmt else "")


def _page(resource):
    return f"/datasets/{resource.dataset.name}/resources/{resource.pk}/"


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_derived_csv_is_served_with_labels_and_bom_and_linked_from_the_preview(client):
    _job, resource = ingest_bytes("站名,人數\n市府,3\n".encode())
    version_downloads_write(version=resource.current_version)

    response = client.get(_url(resource, "csv"))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert f"_v{resource.current_version.number}_" in response["Content-Disposition"]
    raw = _body(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [["站名", "人數"], ["市府", "3"]]
    assert Dataset.objects.get(pk=resource.dataset.pk).download_count == 1
    page = client.get(_page(resource)).content.decode()
    assert f'href="{_url(resource, "csv")}"' in page
    assert f'href="{_url(resource, "parquet")}"' in page


def test_preview_falls_back_to_the_data_api_export_before_the_files_exist(client):
    _job, resource = ingest_bytes(b"a,b\n1,2\n")

    page = client.get(_page(resource)).content
    assert client.get(_url(resource, "csv")).status_code == 404
    assert f"/api/v1/resources/{resource.pk}/data/?format=csv".encode() in page


def test_derived_files_follow_the_dataset_visibility(client):
    _job, resource = ingest_bytes(b"a,b\n1,2\n", dataset__status=Dataset.Status.DRAFT)
    version_downloads_write(version=resource.current_version)
    url = _url(resource, "csv")

    assert client.get(url).status_code == 404  # anonymous
    client.force_login(UserFactory())  # signed in, another organization
    assert client.get(url).status_code == 404
    client.force_login(editor_of(resource.dataset.organization))
    assert client.get(url).status_code == 200
    assert client.get(_url(resource, "exe")).status_code == 404


def test_original_file_is_held_back_while_personal_data_waits_for_a_decision(client):
    _job, resource = ingest_bytes(PERSONAL, "people.csv")  # no version live before it
    newest = resource.versions.order_by("-number").first()
    assert newest.personal_data == ResourceVersion.PersonalData.FLAGGED

    dataset_page = f"/en/datasets/{resource.dataset.name}/"
    assert client.get(_url(resource)).status_code == 404  # anonymous
    assert "checked for personal data" in client.get(dataset_page).content.decode()
    assert "正在檢查是否含個人資料" in client.get(dataset_page[3:]).content.decode()
    assert (
        "checking this file for personal data"
        in client.get("/en" + _page(resource)).content.decode()
    )
    assert f'href="{_url(resource)}"'.encode() not in client.get(_page(resource)).content
    client.force_login(UserFactory())
    assert client.get(_url(resource)).status_code == 404
    client.force_login(editor_of(resource.dataset.organization))
    assert _body(client.get(_url(resource))) == PERSONAL
    assert f'href="{_url(resource)}"'.encode() in client.get(_page(resource)).content


def test_catalog_apis_give_no_address_for_a_held_back_file_until_the_decision(client):
    _job, resource = ingest_bytes(PERSONAL, "people.csv")
    dataset = resource.dataset
    download = "http://testserver" + _url(resource)
    editor = editor_of(dataset.organization)
    key = AuthToken.objects.create(user=editor)[1]

    def ckan(action, key=None, **params):
        headers = {"HTTP_AUTHORIZATION": key} if key else {}
        return client.get(f"/api/3/action/{action}", params, **headers).json()["result"]

    def data_json_distribution():
        (entry,) = json.loads(client.get("/data.json").content)["dataset"]
        (distribution,) = entry["distribution"]
        return distribution

    def dcat_distribution():
        graph = json.loads(client.get(f"/datasets/{dataset.name}.jsonld").content)
        (distribution,) = graph["dcat:distribution"]
        return distribution

    assert ckan("package_show", id=dataset.name)["resources"][0]["url"] == ""
    assert ckan("resource_show", id=str(resource.pk))["url"] == ""
    assert ckan("package_search", q="")["results"][0]["resources"][0]["url"] == ""
    assert ckan("package_show", key, id=dataset.name)["resources"][0]["url"] == download
    assert ckan("resource_show", key, id=str(resource.pk))["url"] == download
    page = "http://testserver" + _page(resource)
    assert data_json_distribution() == {
        "@type": "dcat:Distribution", "title": resource.name, "accessURL": page,
        "mediaType": "text/csv", "format": "CSV",
    }  # fmt: skip
    assert "dcat:downloadURL" not in dcat_distribution()
    assert dcat_distribution()["dcat:accessURL"] == {"@id": page}

    newest = resource.versions.order_by("-number").first()
    version_personal_data_decide(version=newest, by=editor, not_personal=True)

    assert ckan("package_show", id=dataset.name)["resources"][0]["url"] == download
    assert data_json_distribution()["downloadURL"] == download  # the cached copy is renewed
    assert dcat_distribution()["dcat:downloadURL"] == {"@id": download}


def test_original_file_of_a_clean_upload_downloads(client):
    resource = resource_with_file(b"a\n1\n")
    ingest(resource)

    assert _body(client.get(_url(resource))) == b"a\n1\n"


def test_a_newer_file_held_back_leaves_readers_the_live_versions_file(client):
    """Readers download the file the live rows came from; the newer one, waiting for the
    personal-data decision, only its editors."""
    clean = b"name,n\nA,1\n"
    _job, resource = ingest_bytes(clean)
    resource.file.save("people.csv", io.BytesIO(PERSONAL), save=True)
    ingest(resource)
    assert resource.versions.order_by("-number").first().personal_data == "flagged"
    dataset_page = f"/en/datasets/{resource.dataset.name}/"

    assert _body(client.get(_url(resource))) == clean
    assert "checked for personal data" not in client.get(dataset_page).content.decode()
    assert f'href="{_url(resource)}"'.encode() in client.get(_page(resource)).content
    ckan = client.get("/api/3/action/resource_show", {"id": str(resource.pk)}).json()
    assert ckan["result"]["url"] == "http://testserver" + _url(resource)
    assert ckan["result"]["hash"] == hashlib.sha256(clean).hexdigest()
    newer = _page(resource) + "newer-file/"
    assert client.get(newer).status_code == 404
    client.force_login(editor_of(resource.dataset.organization))
    assert _body(client.get(_url(resource))) == clean
    assert _body(client.get(newer)) == PERSONAL
