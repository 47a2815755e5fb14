"""What replacing or deleting a file looks like from outside: API clients generated from
the schema, harvesters comparing checksums, readers of the pages in either language."""

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from datasets.models import Resource
from datasets.services import catalog
from tests.factories import DatasetFactory, editor_of

pytestmark = pytest.mark.django_db


def test_schema_says_the_versions_list_is_a_plain_list(client):
    # Clients generated from the schema read what the endpoint answers: a bare list.
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    answer = schema["paths"]["/api/v1/resources/{id}/versions/"]["get"]

    assert not [p["name"] for p in answer.get("parameters", []) if p["in"] == "query"]
    listed = answer["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed["type"] == "array"


def test_schema_names_the_answers_to_a_refused_replacement(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    answers = schema["paths"]["/api/v1/resources/{id}/file/"]["put"]["responses"]

    assert {"202", "400", "413"} <= set(answers)


def test_files_after_a_deleted_one_move_up_so_ckan_positions_stay_0_to_n(
    client, django_capture_on_commit_callbacks
):
    """CKAN clients take `position` as the index in the package's resources, as CKAN
    renumbers them on a deletion; a file added next must not share a position either."""
    dataset = DatasetFactory(status="published")
    editor = editor_of(dataset.organization)
    first, *_others = [
        catalog.resource_create(dataset=dataset, by=editor, url=f"https://example.org/{n}.csv")
        for n in ("a", "b", "c")
    ]

    with django_capture_on_commit_callbacks(execute=True):
        catalog.resource_delete(resource=first, by=editor)
    catalog.resource_create(
        dataset=dataset, by=editor, file=SimpleUploadedFile("d.csv", b"a,b\n1,2\n")
    )

    package = client.get("/api/3/action/package_show", {"id": dataset.name}).json()["result"]
    assert [(r["name"], r["position"]) for r in package["resources"]] == [
        ("b.csv", 0),
        ("c.csv", 1),
        ("d.csv", 2),
    ]


def test_a_name_that_was_the_files_follows_it_when_storage_renamed_the_upload():
    """Storage stored a second "jan.csv" of the month as "jan_<7 letters>.csv" before each
    upload had a folder of its own; the file's name on the page is still "jan.csv", the
    name its publisher gave it by uploading it, and follows a replacement."""
    dataset = DatasetFactory()
    editor = editor_of(dataset.organization)
    resource = catalog.resource_create(
        dataset=dataset, by=editor, file=SimpleUploadedFile("jan.csv", b"a,b\n1,2\n")
    )
    stored = resource.file.name.rsplit("/", 1)[0] + "/jan_AbC1234.csv"
    resource.file.storage.save(stored, resource.file.open("rb"))
    Resource.objects.filter(pk=resource.pk).update(file=stored)
    resource.refresh_from_db()

    catalog.resource_replace(
        resource=resource, by=editor, file=SimpleUploadedFile("feb.csv", b"a,b\n3,4\n")
    )

    resource.refresh_from_db()
    assert resource.name_zh_hant == resource.name_en == "feb.csv"


def test_two_uploads_of_one_name_keep_it_in_their_downloads(client):
    """Each upload has a folder of its own: the second jan.csv of the month downloads as
    jan.csv, not as the name storage would make up to tell the two apart."""
    dataset = DatasetFactory()
    editor = editor_of(dataset.organization)
    resources = [
        catalog.resource_create(
            dataset=dataset, by=editor, file=SimpleUploadedFile("一月.csv", content)
        )
        for content in (b"a,b\n1,2\n", b"a,b\n3,4\n")
    ]

    for resource, content in zip(resources, (b"a,b\n1,2\n", b"a,b\n3,4\n"), strict=True):
        url = f"/datasets/{dataset.name}/resources/{resource.pk}/download/"
        response = client.get(url)
        assert b"".join(response.streaming_content) == content
        assert "filename*=utf-8''%E4%B8%80%E6%9C%88.csv" in response["Content-Disposition"]
