"""Draft -> in review -> published -> archived, who may move it, and who is told."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from datasets.models import Dataset
from datasets.services.catalog import dataset_create
from datasets.services.publishing import (
    dataset_archive,
    dataset_publish,
    dataset_send_back,
    dataset_submit,
)
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; one zh-Hant check is in test_catalog_services."""
    with translation.override("en"):
        yield


@pytest.fixture
def draft(org, editor):
    return dataset_create(
        by=editor,
        organization=org,
        name="bus-routes",
        title_zh_hant="公車路線",
        summary_zh_hant="每條公車路線的站點。",
        license_id="CC-BY-4.0",
    )


def test_editor_submits_and_admin_publishes_with_emails(
    draft, editor, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dataset_submit(dataset=draft, by=editor)
    assert draft.status == Dataset.Status.IN_REVIEW
    assert [m.to for m in mail.outbox] == [[admin.email]]
    assert "公車路線" in mail.outbox[0].subject

    with django_capture_on_commit_callbacks(execute=True):
        dataset_publish(dataset=draft, by=admin)
    draft.refresh_from_db()
    assert draft.status == Dataset.Status.PUBLISHED
    assert draft.published_at is not None
    assert mail.outbox[-1].to == [editor.email]


def test_review_emails_are_written_in_each_recipients_language(
    draft, editor, admin, django_capture_on_commit_callbacks
):
    second = MembershipFactory(organization=draft.organization, role="admin").user
    admin.language, draft.title_en = "en", "Bus routes"
    admin.save()
    draft.save()

    with translation.override("zh-hant"), django_capture_on_commit_callbacks(execute=True):
        dataset_submit(dataset=draft, by=editor)

    mails = {m.to[0]: m for m in mail.outbox}
    assert mails[admin.email].subject == "Dataset waiting for review: Bus routes"
    assert f"/en/datasets/{draft.name}/" in mails[admin.email].body
    assert mails[second.email].subject == "資料集等待審核：公車路線"
    assert f"/en/datasets/{draft.name}/" not in mails[second.email].body


def test_admin_sends_back_with_a_comment_the_editor_receives(
    draft, editor, admin, django_capture_on_commit_callbacks
):
    dataset_submit(dataset=draft, by=editor)
    with pytest.raises(ValidationError) as exc:
        dataset_send_back(dataset=draft, by=admin, comment="  ")
    assert "comment" in exc.value.message_dict

    with django_capture_on_commit_callbacks(execute=True):
        dataset_send_back(dataset=draft, by=admin, comment="請補上欄位說明")
    draft.refresh_from_db()
    assert draft.status == Dataset.Status.DRAFT
    assert draft.review_comment == "請補上欄位說明"
    assert "請補上欄位說明" in mail.outbox[-1].body
    assert mail.outbox[-1].to == [editor.email]


def test_forbidden_transitions(draft, editor, admin, member, outsider):
    with pytest.raises(ValidationError, match="in review"):
        dataset_publish(dataset=draft, by=admin)  # a draft is not in review yet
    with pytest.raises(ValidationError, match="published"):
        dataset_archive(dataset=draft, by=admin)
    with pytest.raises(PermissionDenied):
        dataset_submit(dataset=draft, by=member)
    with pytest.raises(PermissionDenied):
        dataset_submit(dataset=draft, by=outsider)

    dataset_submit(dataset=draft, by=editor)
    with pytest.raises(ValidationError, match="draft"):
        dataset_submit(dataset=draft, by=editor)
    with pytest.raises(PermissionDenied):
        dataset_publish(dataset=draft, by=editor)  # editors cannot publish their own work
    with pytest.raises(PermissionDenied):
        dataset_publish(dataset=draft, by=outsider)

    dataset_publish(dataset=draft, by=admin)
    with pytest.raises(PermissionDenied):
        dataset_archive(dataset=draft, by=editor)
    dataset_archive(dataset=draft, by=admin)
    assert Dataset.objects.get(pk=draft.pk).status == Dataset.Status.ARCHIVED


def test_every_change_is_kept_in_history_with_its_author(draft, editor, admin, client):
    dataset_submit(dataset=draft, by=editor)
    dataset_publish(dataset=draft, by=admin)
    statuses = [(h.status, h.history_user) for h in draft.history.order_by("history_date")]
    assert statuses == [("draft", editor), ("in_review", editor), ("published", admin)]

    client.force_login(editor)
    page = client.get(f"/en/datasets/{draft.name}/activity/")
    assert page.status_code == 200
    assert page.content.decode().count("<tr>") == 4  # header + three changes


def test_activity_says_what_each_change_changed(
    draft, editor, admin, client, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from datasets.services.catalog import dataset_update, resource_create

    dataset_update(dataset=draft, by=editor, title_en="Bus routes", update_frequency="MONTHLY")
    dataset_submit(dataset=draft, by=editor)
    dataset_publish(dataset=draft, by=admin)
    with django_capture_on_commit_callbacks(execute=True):
        resource_create(
            dataset=draft, by=editor, file=SimpleUploadedFile("routes.csv", b"a,b\n1,2\n")
        )
    client.force_login(editor)

    page = client.get(f"/en/datasets/{draft.name}/activity/").content.decode()

    assert "<li>Title (English)</li>" in page
    assert "<li>Update frequency: Irregularly → Monthly</li>" in page
    assert "<li>Status: Draft → In review</li>" in page
    assert "<li>Status: In review → Published</li>" in page
    assert "<li>Version online: — → version 1</li>" in page  # the file's first read
    # Bookkeeping is no change of anyone's: the file's hash and size are not listed.
    assert "sha256" not in page.lower() and "Size in bytes" not in page
    chinese = client.get(f"/datasets/{draft.name}/activity/").content.decode()
    assert "<li>標題（英文）</li>" in chinese
    assert "<li>上線版本：— → 第 1 版</li>" in chinese


def test_activity_is_hidden_outside_the_organization(draft, editor, admin, outsider, client):
    dataset_submit(dataset=draft, by=editor)
    dataset_publish(dataset=draft, by=admin)
    client.force_login(outsider)
    assert client.get(f"/en/datasets/{draft.name}/activity/").status_code == 403


def test_workflow_through_the_pages(draft, editor, admin, client):
    client.force_login(editor)
    page = client.get("/en/datasets/bus-routes/")
    assert "Submit for review" in page.content.decode()
    response = client.post("/en/datasets/bus-routes/submit/")
    assert response.status_code == 302
    assert Dataset.objects.get(pk=draft.pk).status == "in_review"
    assert client.post("/en/datasets/bus-routes/publish/").status_code == 403

    client.force_login(admin)
    page = client.get("/en/datasets/bus-routes/")
    assert "Publish" in page.content.decode()
    client.post("/en/datasets/bus-routes/publish/")
    assert Dataset.objects.get(pk=draft.pk).status == "published"


def _files_in_every_state(dataset):
    """A good file, a failed one, one waiting for a personal-data decision, one still
    being read, and a PDF kept for download."""
    from tests.datasets.ingest_helpers import ingest, resource_with_file
    from tests.factories import IngestJobFactory

    good = resource_with_file(b"a\n1\n", "good.csv", dataset=dataset, name_en="good.csv")
    ingest(good)
    bad = resource_with_file(b"PK\x03\x04no zip" * 30, "bad.xlsx", dataset=dataset)
    bad.name_en = "bad.xlsx"
    bad.format = "XLSX"
    bad.save()
    ingest(bad)
    people = b"name,email\nA,a@example.org\nB,b@example.org\n"
    pii = resource_with_file(people, "people.csv", dataset=dataset, name_en="people.csv")
    ingest(pii)
    running = resource_with_file(b"a\n1\n", "later.csv", dataset=dataset, name_en="later.csv")
    IngestJobFactory(resource=running, status="running")
    pdf = resource_with_file(b"%PDF-1.4 \x00\x01", "notes.pdf", dataset=dataset, format="PDF")
    pdf.name_en = "notes.pdf"
    pdf.save()
    ingest(pdf)
    return good, bad, pii, running, pdf


def test_editors_see_each_files_state_and_others_do_not(
    draft, editor, member, outsider, client, django_assert_max_num_queries
):
    good, bad, pii, running, pdf = _files_in_every_state(draft)
    assert pii.versions.get().personal_data == "flagged"  # the fixture does what it says
    client.force_login(editor)

    with django_assert_max_num_queries(40):
        html = client.get("/en/datasets/bus-routes/").content.decode()

    def state(resource):
        return html.split(f'href="/en/datasets/bus-routes/resources/{resource.pk}/"', 1)[1].split(
            "</li>"
        )[0]

    assert "Ready" in state(good)
    assert "Failed" in state(bad)
    assert "Waiting for a personal-data decision" in state(pii)
    assert "Processing" in state(running)
    assert "Stored, not a table" in state(pdf) and "Failed" not in state(pdf)
    chinese = client.get("/datasets/bus-routes/").content.decode()
    assert "匯入失敗" in chinese and "等待個資判斷" in chinese
    # Members and people of other organizations see no editor's states.
    Dataset.objects.filter(pk=draft.pk).update(status="published")
    for user in (member, outsider):
        client.force_login(user)
        page = client.get("/en/datasets/bus-routes/").content.decode()
        assert "file-state" not in page and "Failed" not in page


def test_submit_for_review_warns_about_failed_files_and_pending_decisions(draft, editor, client):
    _files_in_every_state(draft)
    client.force_login(editor)

    page = client.get("/en/datasets/bus-routes/").content.decode()
    assert "These files need attention" in page
    assert "bad.xlsx</a>: it could not be read" in page
    assert "people.csv</a>: possible personal data waits for your decision" in page
    assert "Submit for review anyway" in page and 'name="confirm"' in page

    # A page loaded before the problems (no confirmation): not submitted, and told why.
    response = client.post("/en/datasets/bus-routes/submit/", follow=True)
    assert Dataset.objects.get(pk=draft.pk).status == "draft"
    assert "Not submitted: some files need your attention first (bad.xlsx, people.csv)." in (
        response.content.decode()
    )
    # Confirmed on the page: submitted.
    client.post("/en/datasets/bus-routes/submit/", {"confirm": "1"})
    assert Dataset.objects.get(pk=draft.pk).status == "in_review"


def test_api_submit_names_the_files_to_look_at_unless_confirmed(draft, editor, api_client):
    _good, bad, pii, _running, _pdf = _files_in_every_state(draft)
    api_client.force_authenticate(editor)
    url = "/api/v1/datasets/bus-routes/submit/"

    refused = api_client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    chinese = api_client.post(
        url, {"confirm": False}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hant"
    )
    wrong = api_client.post(url, {"confirm": "maybe"}, format="json")

    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Not submitted: some files need your attention first (bad.xlsx, people.csv)."
    )
    assert refused.json()["files"] == [
        {"id": str(bad.pk), "name": "bad.xlsx", "state": "failed"},
        {"id": str(pii.pk), "name": "people.csv", "state": "awaiting_decision"},
    ]
    assert chinese.status_code == 409 and "未送出" in chinese.json()["detail"]
    assert wrong.status_code == 400 and "confirm" in wrong.json()
    assert Dataset.objects.get(pk=draft.pk).status == "draft"

    confirmed = api_client.post(url, {"confirm": True}, format="json")

    assert confirmed.status_code == 200 and confirmed.json()["status"] == "in_review"
