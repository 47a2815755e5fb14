"""Creating datasets and resources: validation, mass assignment, uploads."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from datasets.models import Dataset, IngestJob, Resource
from datasets.services.catalog import FileTooLarge, dataset_create, dataset_update, resource_create
from tests.factories import DatasetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; one zh-Hant check is in test_catalog_services."""
    with translation.override("en"):
        yield


def make(org, by, **kwargs):
    fields = {
        "name": "air-quality",
        "title_en": "Air quality",
        "summary_en": "Hourly readings.",
        "license_id": "CC-BY-4.0",
    }
    fields.update(kwargs)
    return dataset_create(by=by, organization=org, **fields)


def test_editor_creates_a_bilingual_draft_with_tags(org, editor):
    dataset = make(org, editor, title_zh_hant="空氣品質", tags=["air", " air ", "PM2.5"])
    assert dataset.status == Dataset.Status.DRAFT
    assert dataset.created_by == editor
    assert sorted(dataset.tags.values_list("name", flat=True)) == ["PM2.5", "air"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "Bad Name!"}, "name"),
        ({"name": "x"}, "name"),
        ({"name": "new"}, "name"),
        ({"summary_en": ""}, "summary"),
        ({"title_en": ""}, "title"),
        ({"license_id": "no-such-license"}, "license"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(org, editor, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        make(org, editor, **kwargs)
    assert field in exc.value.message_dict
    assert not Dataset.objects.exists()


def test_duplicate_name_is_refused(org, editor):
    make(org, editor)
    with pytest.raises(ValidationError) as exc:
        make(org, editor)
    assert "already exists" in exc.value.message_dict["name"][0]


def test_status_and_organization_cannot_be_mass_assigned(org, other_org, editor):
    dataset = make(org, editor)
    with pytest.raises(ValidationError) as exc:
        dataset_update(dataset=dataset, by=editor, status="published", organization=other_org)
    assert set(exc.value.message_dict) == {"status", "organization"}
    dataset.refresh_from_db()
    assert (dataset.status, dataset.organization) == ("draft", org)


def test_only_editors_of_the_organization_create(org, member, outsider):
    for user in (member, outsider):
        with pytest.raises(PermissionDenied):
            make(org, user)


def test_upload_is_stored_hashed_and_queued_for_ingestion(org, editor):
    dataset = DatasetFactory(organization=org, status="draft")
    upload = SimpleUploadedFile("stops.csv", "站名,經度\n市府,121.56\n".encode(), "text/csv")
    resource = resource_create(dataset=dataset, by=editor, file=upload)
    assert resource.format == "CSV"
    assert resource.size == upload.size
    assert len(resource.sha256) == 64
    assert resource.file.read().decode().startswith("站名")
    job = IngestJob.objects.get(resource=resource)
    assert (job.status, job.source, job.requested_by) == ("queued", "upload", editor)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://example.org/data/x.json", "x.json"),
        ("https://example.org/en/accounts/login/", "login"),
        ("https://example.org/", "example.org"),
        ("https://example.org", "example.org"),
    ],
)
def test_a_link_without_a_name_is_named_after_its_address(org, editor, url, name):
    dataset = DatasetFactory(organization=org)
    resource = resource_create(dataset=dataset, by=editor, url=url)
    assert (resource.name_en, resource.name_zh_hant) == (name, name)


def test_link_resource_is_queued_as_url(org, editor):
    dataset = DatasetFactory(organization=org, status="draft")
    resource = resource_create(dataset=dataset, by=editor, url="https://example.org/data/x.json")
    assert (resource.url_type, resource.format) == ("link", "JSON")
    assert IngestJob.objects.get(resource=resource).source == "url"


def test_file_whose_content_does_not_match_its_extension_is_refused(org, editor):
    dataset = DatasetFactory(organization=org, status="draft")
    fake = SimpleUploadedFile("data.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64)
    with pytest.raises(ValidationError) as exc:
        resource_create(dataset=dataset, by=editor, file=fake)
    assert ".csv" in exc.value.message_dict["file"][0]
    fake_xlsx = SimpleUploadedFile("data.xlsx", b"a,b\n1,2\n")
    with pytest.raises(ValidationError):
        resource_create(dataset=dataset, by=editor, file=fake_xlsx)
    # A few NUL bytes among control bytes: a program, not text.
    program = SimpleUploadedFile("data.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00name,n\n")
    with pytest.raises(ValidationError):
        resource_create(dataset=dataset, by=editor, file=program)
    assert not Resource.objects.exists()
    assert not IngestJob.objects.exists()


def test_text_with_a_few_stray_nul_bytes_is_taken(org, editor):
    """Legacy exports pad fields with NUL bytes; the reader leaves them out and says so."""
    dataset = DatasetFactory(organization=org, status="draft")
    legacy = SimpleUploadedFile("data.csv", "名稱,數量\n公園\x00\x00,3\n".encode())
    resource = resource_create(dataset=dataset, by=editor, file=legacy)
    assert resource.format == "CSV"


def test_oversized_upload_names_the_limit(org, editor, settings):
    settings.MAX_UPLOAD_SIZE = 10
    dataset = DatasetFactory(organization=org, status="draft")
    with pytest.raises(FileTooLarge) as exc:
        resource_create(
            dataset=dataset, by=editor, file=SimpleUploadedFile("a.csv", b"a,b\n1,2\n3,4\n")
        )
    assert "10\xa0bytes" in exc.value.message_dict["file"][0]
    assert not Resource.objects.exists()
    with translation.override("zh-hant"), pytest.raises(FileTooLarge) as exc:
        resource_create(
            dataset=dataset, by=editor, file=SimpleUploadedFile("a.csv", b"a,b\n1,2\n3,4\n")
        )
    assert exc.value.message_dict["file"] == ["檔案太大：上限為 10\xa0位元組。"]


def test_messages_are_in_traditional_chinese_by_default(org, editor):
    make(org, editor)
    with translation.override("zh-hant"), pytest.raises(ValidationError) as exc:
        make(org, editor)
    assert exc.value.message_dict["name"] == ["已有使用此代稱的資料集。"]
