"""Replacing a file or link with a newer one, and deleting it, from the resource's pages
and the REST API: the new file becomes a new version only once it passes, a failing one
never takes the live version down, and only the dataset's editors can do either."""

import html
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from datasets.datastore import load
from datasets.ingest.pipeline import ingest_run
from datasets.models import IngestJob, Resource, ResourceVersion
from datasets.services import catalog
from portal.models import Membership
from tests.datasets.ingest_helpers import ingest, resource_with_file, rows_of
from tests.factories import DatasetFactory, OrganizationFactory, UserFactory, editor_of

pytestmark = pytest.mark.django_db

JANUARY = "站名,月份,人次\n市政府,2024-01,1200\n台北車站,2024-01,3400\n".encode()
FEBRUARY = "站名,月份,人次\n市政府,2024-02,1500\n台北車站,2024-02,3900\n松山,2024-02,700\n".encode()


@pytest.fixture
def resource():
    resource = resource_with_file(JANUARY, "visitors-2024-01.csv")
    resource.name_zh_hant = resource.name_en = "visitors-2024-01.csv"
    resource.save()
    ingest(resource)
    assert resource.current_version.number == 1
    return resource


def page(resource, action: str, language: str = "en") -> str:
    prefix = "/en" if language == "en" else ""
    return f"{prefix}/datasets/{resource.dataset.name}/resources/{resource.pk}/{action}/"


def edit_form(resource, **changes) -> dict:
    """The edit page's form as it comes, its format left empty (the present one is only
    its placeholder), with `changes`."""
    data = {
        "name_zh_hant": resource.name_zh_hant,
        "name_en": resource.name_en,
        "description_zh_hant": "",
        "description_en": "",
        "format": "",
    }
    return {**data, **changes}


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def column(version, label: str) -> list:
    """The values of the column labelled `label`, in file order."""
    (id_,) = [c["id"] for c in version.columns if c["label"] == label]
    return [row[id_] for row in rows_of(version, [id_])]


def last_job(resource) -> IngestJob:
    return IngestJob.objects.filter(resource=resource).latest("created_at")


def test_a_new_file_becomes_the_next_version_with_its_own_name(
    client, resource, django_capture_on_commit_callbacks
):
    client.force_login(editor_of(resource.dataset.organization))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            page(resource, "edit"),
            edit_form(resource, file=upload(FEBRUARY, "visitors-2024-02.csv")),
        )

    assert response.status_code == 302
    resource.refresh_from_db()
    assert last_job(resource).status == IngestJob.Status.SUCCEEDED, last_job(resource).error
    assert resource.current_version.number == 2
    assert column(resource.current_version, "月份") == ["2024-02"] * 3
    # The name was only the old file's name: it follows the file.
    assert resource.name_en == resource.name_zh_hant == "visitors-2024-02.csv"
    detail = client.get(response["Location"]).content.decode()
    assert "The new file is being read. The version online stays until the new one passes." in (
        detail
    )
    downloaded = client.get(page(resource, "download"))
    assert b"".join(downloaded.streaming_content) == FEBRUARY


def test_a_failing_new_file_leaves_the_live_version_and_its_download_alone(
    client, resource, django_capture_on_commit_callbacks
):
    resource.schema = {"fields": [{"name": "人次", "type": "integer", "constraints": {}}]}
    resource.save()
    client.force_login(editor_of(resource.dataset.organization))
    broken = "站名,月份,人次\n市政府,2024-02,很多\n".encode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(resource, "edit"), edit_form(resource, file=upload(broken, "feb.csv")))

    resource.refresh_from_db()
    job = last_job(resource)
    assert job.status == IngestJob.Status.FAILED and "很多" in job.error
    assert resource.current_version.number == 1
    assert column(resource.current_version, "人次") == [1200, 3400]
    # The report leads the editor from what is wrong to sending the file again.
    report = client.get(f"/en/resources/{resource.pk}/report/").content.decode()
    assert "Upload a corrected file" in report and page(resource, "edit") in report
    # The public download is the file the live rows came from, not the failed one.
    client.logout()
    assert (
        page(resource, "edit")
        not in client.get(f"/en/resources/{resource.pk}/report/").content.decode()
    )
    downloaded = client.get(page(resource, "download"))
    assert b"".join(downloaded.streaming_content) == JANUARY
    assert client.get(page(resource, "newer-file")).status_code == 404
    # Its editors get the same download as everyone, and the failed file from its own link.
    client.force_login(editor_of(resource.dataset.organization))
    downloaded = client.get(page(resource, "download"))
    assert b"".join(downloaded.streaming_content) == JANUARY
    detail = client.get(page(resource, "")[:-1]).content.decode()
    assert "The newer file feb.csv" in detail and page(resource, "newer-file") in detail
    downloaded = client.get(page(resource, "newer-file"))
    assert b"".join(downloaded.streaming_content) == broken


def test_a_name_that_was_the_files_follows_a_new_file_only_once_it_is_online(
    client, resource, django_capture_on_commit_callbacks
):
    """The public sees the rows and download of the file online under its own name:
    a failing replacement leaves both names alone, a passing one then renames it."""
    resource.schema = {"fields": [{"name": "人次", "type": "integer", "constraints": {}}]}
    resource.save()
    editor = editor_of(resource.dataset.organization)
    broken = "站名,月份,人次\n市政府,2024-02,很多\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        catalog.resource_replace(resource=resource, by=editor, file=upload(broken, "feb.csv"))

    resource.refresh_from_db()
    assert last_job(resource).status == IngestJob.Status.FAILED
    assert resource.name_zh_hant == resource.name_en == "visitors-2024-01.csv"
    ckan = client.get("/api/3/action/resource_show", {"id": str(resource.pk)}).json()
    assert ckan["result"]["name"] == "visitors-2024-01.csv"

    with django_capture_on_commit_callbacks(execute=True):
        catalog.resource_replace(resource=resource, by=editor, file=upload(FEBRUARY, "mar.csv"))

    resource.refresh_from_db()
    assert resource.current_version.number == 2
    assert resource.name_zh_hant == resource.name_en == "mar.csv"


def test_a_name_follows_a_file_held_back_for_personal_data_once_it_is_published(
    client, resource, django_capture_on_commit_callbacks
):
    editor = editor_of(resource.dataset.organization)
    people = "姓名,電子郵件\n王小明,ming@example.org\n陳大華,hua@example.org\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        catalog.resource_replace(resource=resource, by=editor, file=upload(people, "people.csv"))
    resource.refresh_from_db()
    assert resource.versions.get(number=2).personal_data == "flagged"
    assert resource.name_en == "visitors-2024-01.csv"
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/en/resources/{resource.pk}/versions/2/personal-data/",
            {"decision": "not_personal"},
        )

    resource.refresh_from_db()
    assert resource.current_version.number == 2
    assert resource.name_zh_hant == resource.name_en == "people.csv"


def test_a_name_the_publisher_gave_stays_whatever_file_goes_online(
    resource, django_capture_on_commit_callbacks
):
    Resource.objects.filter(pk=resource.pk).update(name_zh_hant="捷運人次", name_en="")
    resource.refresh_from_db()
    editor = editor_of(resource.dataset.organization)

    with django_capture_on_commit_callbacks(execute=True):
        catalog.resource_replace(resource=resource, by=editor, file=upload(FEBRUARY, "feb.csv"))

    resource.refresh_from_db()
    assert resource.current_version.number == 2
    assert (resource.name_zh_hant, resource.name_en) == ("捷運人次", "")


def test_a_name_that_was_the_links_follows_the_new_link_once_it_is_online(
    resource, settings, django_capture_on_commit_callbacks
):
    """A link's name is its last path segment: the upload's name gives way to it, and
    that to the next link's, each once its rows are online."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    served = {"/stops/": FEBRUARY, "/visitors-v3.csv": JANUARY.replace(b"-01", b"-03")}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = served[self.path]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = httpd.server_address[1]
    settings.INGEST_FETCH_ALLOWED_ADDRESSES = [("127.0.0.1", port)]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    editor = editor_of(resource.dataset.organization)
    try:
        names = []
        for path in served:
            with django_capture_on_commit_callbacks(execute=True):
                catalog.resource_replace(
                    resource=resource, by=editor, url=f"http://127.0.0.1:{port}{path}"
                )
            resource.refresh_from_db()
            assert last_job(resource).status == IngestJob.Status.SUCCEEDED, last_job(resource).error
            names.append((resource.current_version.number, resource.name_en))
    finally:
        httpd.shutdown()
        httpd.server_close()

    assert names == [(2, "stops"), (3, "visitors-v3.csv")]
    assert resource.name_zh_hant == "visitors-v3.csv"


def test_the_same_file_again_makes_no_new_version(
    client, resource, django_capture_on_commit_callbacks
):
    client.force_login(editor_of(resource.dataset.organization))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(resource, "edit"), edit_form(resource, file=upload(JANUARY, "jan.csv")))

    resource.refresh_from_db()
    assert last_job(resource).stage == "unchanged"
    assert resource.versions.count() == 1


def test_changing_only_the_words_reads_nothing_again(client, resource):
    client.force_login(editor_of(resource.dataset.organization))
    jobs = IngestJob.objects.count()

    response = client.post(
        page(resource, "edit"),
        edit_form(
            resource, name_zh_hant="捷運人次", name_en="MRT visitors", description_en="By month."
        ),
    )

    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.name_zh_hant, resource.name_en) == ("捷運人次", "MRT visitors")
    assert resource.description_en == "By month."
    assert IngestJob.objects.count() == jobs
    assert "Saved." in client.get(response["Location"]).content.decode()


def test_a_replaced_file_is_deleted_once_no_kept_version_uses_it(
    client, resource, settings, django_capture_on_commit_callbacks
):
    settings.INGEST_KEEP_VERSIONS = 1
    january = resource.file.name
    client.force_login(editor_of(resource.dataset.organization))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(resource, "edit"), edit_form(resource, file=upload(FEBRUARY, "feb.csv")))

    resource.refresh_from_db()
    assert resource.current_version.number == 2
    assert not default_storage.exists(january)
    assert default_storage.exists(resource.file.name)


@pytest.mark.parametrize(
    ("changes", "field", "english", "chinese"),
    [
        (
            {"name_zh_hant": "", "name_en": ""},
            "name_zh_hant",
            "Give the file a name in at least one language.",
            "請至少用一種語言為檔案命名。",
        ),
        (
            {"url": "https://example.org/feb.csv", "file": "both"},
            None,
            "Upload a file or give a link, not both.",
            "請上傳檔案或提供連結，不能兩者都給。",
        ),
        (
            {"file": "exe", "name_en": "renamed"},
            "file",
            "The file's content does not match its extension .csv.",
            "檔案內容與副檔名 .csv 不符。",
        ),
        (
            {"url": "http://127.0.0.1/feb.csv"},
            "url",
            "",
            "",
        ),
    ],
)
def test_a_bad_edit_says_what_is_wrong_in_the_readers_language_and_changes_nothing(
    client, resource, changes, field, english, chinese
):
    client.force_login(editor_of(resource.dataset.organization))
    before = (resource.name_en, resource.file.name, IngestJob.objects.count())
    for language, message in (("en", english), ("zh-hant", chinese)):
        data = edit_form(resource, **changes)
        if data.get("file") == "both":
            data["file"] = upload(FEBRUARY, "feb.csv")
        elif data.get("file") == "exe":
            data["file"] = upload(b"MZ\x90\x00\x03\x00\x00\x00" + bytes(64), "feb.csv")

        response = client.post(page(resource, "edit", language), data)

        assert response.status_code == 400
        form = response.context["form"]
        errors = form.errors.get(field or "__all__")
        assert errors, form.errors
        if message:
            assert message in errors
        resource.refresh_from_db()
        assert (resource.name_en, resource.file.name, IngestJob.objects.count()) == before


def test_only_the_datasets_editors_may_edit_or_delete_a_file(client, resource):
    organization = resource.dataset.organization
    member = editor_of(organization, role=Membership.Role.MEMBER)
    outsider = editor_of(OrganizationFactory())
    data = edit_form(resource, name_en="hijacked", file=upload(FEBRUARY, "feb.csv"))

    anonymous = client.post(page(resource, "edit"), data)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client.post(page(resource, "delete")).status_code == 302
    for user in (member, outsider):
        client.force_login(user)
        assert client.get(page(resource, "edit")).status_code in (403, 404)
        assert client.post(page(resource, "edit"), data).status_code in (403, 404)
        assert client.post(page(resource, "delete")).status_code in (403, 404)
        detail = client.get(f"/en/datasets/{resource.dataset.name}/resources/{resource.pk}/")
        assert page(resource, "edit") not in detail.content.decode()

    resource.refresh_from_db()
    assert resource.name_en == "visitors-2024-01.csv" and resource.versions.count() == 1
    assert IngestJob.objects.filter(resource=resource).count() == 1


def test_deleting_a_file_asks_first_then_takes_its_versions_tables_and_files(
    client, resource, django_capture_on_commit_callbacks
):
    editor = editor_of(resource.dataset.organization)
    client.force_login(editor)
    version = resource.current_version
    stored = resource.file.name
    dataset = resource.dataset

    confirm = client.get(page(resource, "delete")).content.decode()
    assert "Delete “visitors-2024-01.csv”?" in confirm
    assert "the Data API no longer answers for it" in confirm
    assert "Its 1 version kept online is deleted with it." in confirm
    assert Resource.objects.filter(pk=resource.pk).exists()  # asking deleted nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page(resource, "delete"))

    assert response.status_code == 302 and response["Location"] == dataset.get_absolute_url()
    assert not Resource.objects.filter(pk=resource.pk).exists()
    assert not ResourceVersion.objects.filter(pk=version.pk).exists()
    assert version.table_name not in load.version_tables()
    assert not default_storage.exists(stored)
    assert client.get(f"/api/v1/resources/{resource.pk}/").status_code == 404
    activity = client.get(f"/en/datasets/{dataset.name}/activity/").content.decode()
    assert "Deleted" in activity and "visitors-2024-01.csv" in activity


def test_a_file_replaced_while_its_old_one_is_read_publishes_only_the_new_one(
    resource, monkeypatch
):
    """The editor replaces the file while a job still reads the old one: the new file's
    job takes its own version number, and the old job publishes nothing."""
    editor = editor_of(resource.dataset.organization)
    resource.file.save("visitors-2024-01b.csv", ContentFile(JANUARY + "松山,2024-01,1\n".encode()))
    old_job = IngestJob.objects.create(resource=resource, options={"language": "en"})
    create_indexes = load.create_indexes
    replaced = []

    def replace_meanwhile(**kwargs):
        create_indexes(**kwargs)
        if not replaced:  # the old job's table is loaded: now the editor replaces the file
            replaced.append(True)
            catalog.resource_replace(
                resource=resource, by=editor, file=upload(FEBRUARY, "visitors-2024-02.csv")
            )
            ingest_run(job=last_job(resource))  # the new file's job runs on another worker

    monkeypatch.setattr(load, "create_indexes", replace_meanwhile)

    ingest_run(job=old_job)

    old_job.refresh_from_db()
    resource.refresh_from_db()
    assert old_job.status == IngestJob.Status.FAILED and old_job.error_code == "superseded"
    assert "A new file replaced this one while it was being read" in old_job.error
    assert resource.current_version.number == 3  # 2 was the old job's, never published
    assert column(resource.current_version, "月份") == ["2024-02"] * 3
    assert list(resource.versions.values_list("number", flat=True)) == [3, 1]
    tables = load.version_tables()
    assert old_job.options.get("_table") is None
    assert sorted(t for t in tables if resource.pk.hex in t) == sorted(
        v.table_name for v in resource.versions.all()
    )


def test_a_file_deleted_while_it_is_read_leaves_no_table_behind(
    resource, monkeypatch, django_capture_on_commit_callbacks
):
    editor = editor_of(resource.dataset.organization)
    resource.file.save("visitors-2024-02.csv", ContentFile(FEBRUARY))
    job = IngestJob.objects.create(resource=resource, options={"language": "en"})
    create_indexes = load.create_indexes

    def delete_meanwhile(**kwargs):
        create_indexes(**kwargs)
        catalog.resource_delete(resource=resource, by=editor)

    monkeypatch.setattr(load, "create_indexes", delete_meanwhile)

    with django_capture_on_commit_callbacks(execute=True):
        ingest_run(job=job)  # returns: nothing to report to

    assert not Resource.objects.filter(pk=resource.pk).exists()
    assert not [t for t in load.version_tables() if resource.pk.hex in t]


# --- the REST API ---


def test_api_replaces_the_file_as_a_new_version(
    api_client, resource, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(editor_of(resource.dataset.organization))

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.put(
            f"/api/v1/resources/{resource.pk}/file/",
            {"file": upload(FEBRUARY, "visitors-2024-02.csv")},
            format="multipart",
        )

    assert response.status_code == 202, response.content
    assert response.json()["ingest"]["status"] in ("queued", "running", "succeeded")
    resource.refresh_from_db()
    assert resource.current_version.number == 2 and resource.current_version.row_count == 3


def test_api_refuses_a_bad_replacement_naming_the_field(api_client, resource):
    api_client.force_authenticate(editor_of(resource.dataset.organization))
    url = f"/api/v1/resources/{resource.pk}/file/"

    neither = api_client.put(url, {}, format="json")
    private = api_client.put(url, {"url": "http://169.254.169.254/x.csv"}, format="json")
    unknown = api_client.put(url, {"url": "https://example.org/a.csv", "id": "x"}, format="json")

    assert neither.status_code == 400 and "file" in neither.json()
    assert private.status_code == 400 and "url" in private.json()
    assert unknown.status_code == 400 and "id" in unknown.json()
    resource.refresh_from_db()
    assert resource.file.name and not resource.url
    assert IngestJob.objects.filter(resource=resource).count() == 1


def test_api_deletes_a_file_for_its_editors_only(
    api_client, resource, django_capture_on_commit_callbacks
):
    url = f"/api/v1/resources/{resource.pk}/"
    assert api_client.delete(url).status_code in (401, 403)
    api_client.force_authenticate(editor_of(OrganizationFactory()))
    assert api_client.delete(url).status_code == 403
    put = api_client.put(f"{url}file/", {"url": "https://example.org/a.csv"}, format="json")
    assert put.status_code == 403
    api_client.force_authenticate(UserFactory())
    assert api_client.delete(url).status_code == 403
    assert Resource.objects.filter(pk=resource.pk).exists()

    api_client.force_authenticate(editor_of(resource.dataset.organization))
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(url)

    assert response.status_code == 204
    assert api_client.get(url).status_code == 404
    assert resource.current_version.table_name not in load.version_tables()


def test_api_link_replacing_an_upload_is_read_from_the_link(api_client, resource):
    api_client.force_authenticate(editor_of(resource.dataset.organization))

    response = api_client.put(
        f"/api/v1/resources/{resource.pk}/file/",
        {"url": "https://data.example.org/visitors.csv"},
        format="json",
    )

    assert response.status_code == 202, response.content
    resource.refresh_from_db()
    assert resource.url == "https://data.example.org/visitors.csv" and not resource.file
    assert resource.url_type == Resource.UrlType.LINK and resource.format == "CSV"
    assert resource.size is None and resource.sha256 == ""
    assert last_job(resource).source == "url"
    # The upload stays stored: version 1, still live, was read from it.
    assert default_storage.exists(resource.current_version.source_file.name)
    assert io.BytesIO(resource.current_version.source_file.read()).read() == JANUARY


# --- the versions kept ---


def _three_versions(resource, settings, django_capture_on_commit_callbacks):
    """Versions 1 (January, dropped), 2 (February) and 3 (live): two kept."""
    settings.INGEST_KEEP_VERSIONS = 2
    editor = editor_of(resource.dataset.organization)
    for name, content in (("feb.csv", FEBRUARY), ("mar.csv", FEBRUARY.replace(b"-02", b"-03"))):
        with django_capture_on_commit_callbacks(execute=True):
            catalog.resource_replace(resource=resource, by=editor, file=upload(content, name))
    resource.refresh_from_db()
    assert resource.current_version.number == 3
    return editor


def test_the_resource_page_lists_the_versions_kept_with_their_rows(
    client, resource, settings, django_capture_on_commit_callbacks
):
    editor = _three_versions(resource, settings, django_capture_on_commit_callbacks)

    page = client.get(f"/en/datasets/{resource.dataset.name}/resources/{resource.pk}/")

    versions = page.context["versions"]
    assert [v.number for v in versions] == [3, 2]  # 1 was dropped
    text = page.content.decode()
    assert "Online" in text and "Version 2, CSV" in text and "Version 1, CSV" not in text
    assert str(editor) not in text  # who read it: for the editors
    client.force_login(editor)
    assert (
        str(editor)
        in client.get(
            f"/en/datasets/{resource.dataset.name}/resources/{resource.pk}/"
        ).content.decode()
    )
    client.logout()
    # The link gives that version's rows under the column names of the file.
    (link,) = re.findall(r'<a href="([^"]+)" download>Version 2, CSV</a>', text)
    older = client.get(html.unescape(link))
    lines = b"".join(older.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "_id,站名,月份,人次" and "2024-02" in lines[1]
    chinese = client.get(f"/datasets/{resource.dataset.name}/resources/{resource.pk}/")
    assert "第 2 版，CSV" in chinese.content.decode()


def test_api_lists_the_versions_kept_and_hides_one_held_back(
    api_client, resource, settings, django_capture_on_commit_callbacks
):
    editor = _three_versions(resource, settings, django_capture_on_commit_callbacks)
    people = "姓名,電子郵件\n王小明,ming@example.org\n陳大華,hua@example.org\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        catalog.resource_replace(resource=resource, by=editor, file=upload(people, "people.csv"))
    url = f"/api/v1/resources/{resource.pk}/versions/"

    public = api_client.get(url).json()
    api_client.force_authenticate(editor)
    editors = api_client.get(url).json()

    assert [(v["number"], v["live"], v["rows"]) for v in public] == [(3, True, 3), (2, False, 3)]
    assert public[1]["data_url"].endswith(f"/api/v1/resources/{resource.pk}/data/?version=2")
    assert public[0]["columns"][1] == {
        "id": public[0]["columns"][1]["id"],
        "label": "月份",
        "type": "text",
    }
    # Version 4 waits for a personal-data decision: only its editors see it.
    assert [(v["number"], v["live"]) for v in editors] == [(4, False), (3, True), (2, False)]
    api_client.force_authenticate(UserFactory())
    assert [v["number"] for v in api_client.get(url).json()] == [3, 2]


def test_a_version_not_kept_is_named_with_those_that_are(
    api_client, resource, settings, django_capture_on_commit_callbacks
):
    """?version=1 once version 1 was dropped, or a version held back for personal data
    asked for by a reader: a 404 that names the parameter and the versions there are, in
    the caller's language, not "no queryable data yet" beside a live version."""
    editor = _three_versions(resource, settings, django_capture_on_commit_callbacks)
    people = "姓名,電子郵件\n王小明,ming@example.org\n陳大華,hua@example.org\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        catalog.resource_replace(resource=resource, by=editor, file=upload(people, "people.csv"))
    url = f"/api/v1/resources/{resource.pk}/data/"

    def ask(version, language="en"):
        return api_client.get(url, {"version": version}, HTTP_ACCEPT_LANGUAGE=language)

    dropped, held_back, chinese = ask(1), ask(4), ask(1, "zh-hant")
    assert dropped.status_code == held_back.status_code == chinese.status_code == 404
    assert dropped.json() == {
        "detail": "Version 1 is not kept. Versions kept: 3, 2.",
        "param": "version",
        "code": "version_not_kept",
    }
    assert held_back.json()["detail"] == "Version 4 is not kept. Versions kept: 3, 2."
    assert chinese.json()["detail"] == "未保留第 1 版。保留的版本：3, 2。"
    api_client.force_authenticate(editor)
    assert ask(4).status_code == 200
    assert ask(1).json()["detail"] == "Version 1 is not kept. Versions kept: 4, 3, 2."


def test_a_newer_file_online_ends_the_wait_of_an_older_flagged_one(
    client, resource, django_capture_on_commit_callbacks
):
    """Version 2 held back for personal data, then a clean version 3 replaces it: the
    editor is no longer asked about 2, and deciding it anyway cannot put its older rows
    back online."""
    editor = editor_of(resource.dataset.organization)
    people = "姓名,電子郵件\n王小明,ming@example.org\n陳大華,hua@example.org\n".encode()
    for name, content in (("people.csv", people), ("mar.csv", FEBRUARY)):
        with django_capture_on_commit_callbacks(execute=True):
            catalog.resource_replace(resource=resource, by=editor, file=upload(content, name))
    resource.refresh_from_db()
    assert resource.current_version.number == 3
    assert resource.versions.get(number=2).personal_data == "flagged"
    client.force_login(editor)

    report = client.get(f"/en/resources/{resource.pk}/report/").content.decode()
    decided = client.post(
        f"/en/resources/{resource.pk}/versions/2/personal-data/",
        {"decision": "not_personal"},
        follow=True,
    )

    assert "Possible personal data" not in report
    assert "A newer version is online, so this one is no longer waiting for a decision." in (
        decided.content.decode()
    )
    resource.refresh_from_db()
    assert resource.current_version.number == 3
    page = client.get(f"/en/datasets/{resource.dataset.name}/resources/{resource.pk}/")
    assert "Waiting for a personal-data decision" not in page.content.decode()


def test_a_workbook_in_place_of_a_csv_takes_its_own_format(
    client, resource, django_capture_on_commit_callbacks
):
    from openpyxl import Workbook

    book = Workbook()
    for row in (["站名", "月份", "人次"], ["市政府", "2024-02", 1500]):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    client.force_login(editor_of(resource.dataset.organization))
    xlsx = SimpleUploadedFile("visitors-2024-02.xlsx", out.getvalue())

    form = client.get(page(resource, "edit")).content.decode()
    # The format left as it was (the CSV's, shown but not filled in): the new file names its own.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(resource, "edit"), edit_form(resource, file=xlsx))

    (field,) = re.findall(r'<input type="text" name="format"[^>]*>', form)
    assert 'placeholder="CSV"' in field and "value=" not in field
    assert "Leave empty to keep CSV, or with a new file or link, to take it from its name." in form
    resource.refresh_from_db()
    assert resource.format == "XLSX"
    assert resource.current_version.number == 2 and resource.current_version.row_count == 1


def test_a_format_typed_for_a_new_file_is_kept_even_when_it_is_the_old_one(
    client, resource, django_capture_on_commit_callbacks
):
    """The new export is named .txt but is CSV, as the old file was: the editor types CSV
    (the format the old file had) and the new file keeps it, rather than TXT."""
    client.force_login(editor_of(resource.dataset.organization))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            page(resource, "edit"),
            edit_form(resource, format="csv", file=upload(FEBRUARY, "visitors-2024-02.txt")),
        )

    resource.refresh_from_db()
    assert resource.format == "CSV"
    assert resource.current_version.number == 2 and resource.current_version.format == "CSV"
    api = client.get(f"/api/v1/resources/{resource.pk}/").json()
    assert api["format"] == "CSV"


def test_a_name_given_in_one_language_only_that_was_the_files_follows_it(
    resource, django_capture_on_commit_callbacks
):
    Resource.objects.filter(pk=resource.pk).update(name_en=None)
    resource.refresh_from_db()
    editor = editor_of(resource.dataset.organization)

    with django_capture_on_commit_callbacks(execute=True):
        catalog.resource_replace(
            resource=resource, by=editor, file=upload(FEBRUARY, "visitors-2024-02.csv")
        )

    resource.refresh_from_db()
    assert resource.name_zh_hant == "visitors-2024-02.csv"


def _workbook(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_every_catalog_describes_the_file_readers_download_until_the_new_one_is_live(
    client, django_capture_on_commit_callbacks
):
    """While a newer upload is read or after it failed, CKAN's hash and size, DCAT's byte
    size and media type, the REST API and the pages describe the live version's file,
    which is what the download gives; once the newer file is live, they describe it."""
    import hashlib
    import json

    dataset = DatasetFactory()
    schema = {"fields": [{"name": "人次", "type": "integer", "constraints": {}}]}
    with django_capture_on_commit_callbacks(execute=True):
        resource = catalog.resource_create(
            dataset=dataset,
            by=editor_of(dataset.organization),
            file=upload(JANUARY, "jan.csv"),
            schema=schema,
        )
    resource.refresh_from_db()
    assert resource.current_version.number == 1

    def described() -> dict:
        ckan = client.get("/api/3/action/resource_show", {"id": str(resource.pk)}).json()
        graph = json.loads(client.get(f"/datasets/{dataset.name}.jsonld").content)
        (node,) = graph["dcat:distribution"]
        (entry,) = json.loads(client.get("/data.json").content)["dataset"]
        (listed,) = entry["distribution"]
        api = client.get(f"/api/v1/resources/{resource.pk}/").json()
        page = client.get(page_url).content.decode()
        return {
            "ckan": {k: ckan["result"][k] for k in ("format", "hash", "size", "mimetype")},
            "dcat": (node["dcat:byteSize"]["@value"], node["dct:format"]["@id"][-4:]),
            "media type": (node["dcat:mediaType"]["@id"].rsplit("/", 2)[-2:], listed["mediaType"]),
            "api": {k: api[k] for k in ("format", "sha256", "size", "mimetype")},
            "page badge": f'<span class="badge text-bg-info">{api["format"]}</span>' in page,
        }

    page_url = page(resource, "")[:-1]
    online = {
        "ckan": {
            "format": "CSV",
            "hash": hashlib.sha256(JANUARY).hexdigest(),
            "size": len(JANUARY),
            "mimetype": "text/csv",
        },
        "dcat": (str(len(JANUARY)), "/CSV"),
        "media type": (["text", "csv"], "text/csv"),
        "api": {
            "format": "CSV",
            "sha256": hashlib.sha256(JANUARY).hexdigest(),
            "size": len(JANUARY),
            "mimetype": "text/csv",
        },
        "page badge": True,
    }
    assert described() == online

    broken = _workbook([["站名", "月份", "人次"], ["市政府", "2024-02", "很多"]])
    client.force_login(editor_of(dataset.organization))
    form = edit_form(resource, format="", file=SimpleUploadedFile("feb.xlsx", broken, XLSX))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(resource, "edit"), form)
    resource.refresh_from_db()
    assert last_job(resource).status == IngestJob.Status.FAILED
    assert resource.format == "XLSX"  # the newer file, for its editors
    client.logout()
    assert described() == online

    good = _workbook([["站名", "月份", "人次"], ["市政府", "2024-02", 1500]])
    client.force_login(editor_of(dataset.organization))
    form = edit_form(resource, file=SimpleUploadedFile("feb.xlsx", good, XLSX))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(resource, "edit"), form)
    resource.refresh_from_db()
    assert resource.current_version.number == 2
    client.logout()
    digest = hashlib.sha256(good).hexdigest()
    assert described() == {
        "ckan": {"format": "XLSX", "hash": digest, "size": len(good), "mimetype": XLSX},
        "dcat": (str(len(good)), "XLSX"),
        "media type": (XLSX.split("/"), XLSX),
        "api": {"format": "XLSX", "sha256": digest, "size": len(good), "mimetype": XLSX},
        "page badge": True,
    }
    downloaded = client.get(page(resource, "download"))
    assert b"".join(downloaded.streaming_content) == good


def _formats_shown(client, dataset) -> dict:
    """Each public place that shows or filters by a file's format, as a reader gets it."""
    catalog_page = client.get("/en/datasets/").content.decode()
    facet = catalog_page.split('data-facet="format"', 1)[1].split("</section>", 1)[0]
    results = catalog_page.split('id="catalog-facets"', 1)[1]
    dataset_page = client.get(f"/en/datasets/{dataset.name}/").content.decode()
    ckan = client.get(
        "/api/3/action/package_search", {"facet.field": '["res_format"]', "rows": 0}
    ).json()["result"]
    (package,) = client.get("/api/3/action/package_show", {"id": dataset.name}).json()["result"][
        "resources"
    ]
    api = client.get("/api/v1/datasets/").json()
    badge = r'<span class="badge text-bg-info[^"]*">([^<]+)</span>'
    return {
        "catalog facet": re.findall(r'id="facet-format-([^"]+)"', facet),
        "catalog filter": [
            fmt
            for fmt in ("CSV", "XLSX")
            if "1 dataset found" in client.get("/en/datasets/", {"format": fmt}).content.decode()
        ],
        "results badge": re.findall(badge, results),
        "dataset page badge": re.findall(badge, dataset_page.split("</h1>", 1)[1]),
        "ckan res_format facet": list(ckan["facets"]["res_format"]),
        "ckan res_format filter": [
            fmt
            for fmt in ("CSV", "XLSX")
            if client.get("/api/3/action/package_search", {"fq": f"res_format:{fmt}"}).json()[
                "result"
            ]["count"]
        ],
        "ckan package_show": package["format"],
        "api formats": [api["results"][0]["formats"], api["facets"]["format"][0]["value"]],
        "api filter": [
            fmt
            for fmt in ("CSV", "XLSX")
            if client.get("/api/v1/datasets/", {"res_format": fmt}).json()["count"]
        ],
        "api dataset": client.get(f"/api/v1/datasets/{dataset.name}/").json()["formats"],
    }


def _everywhere(fmt: str) -> dict:
    return {
        "catalog facet": [fmt],
        "catalog filter": [fmt],
        "results badge": [fmt],
        "dataset page badge": [fmt],
        "ckan res_format facet": [fmt],
        "ckan res_format filter": [fmt],
        "ckan package_show": fmt,
        "api formats": [[fmt], fmt],
        "api filter": [fmt],
        "api dataset": [fmt],
    }


def test_the_catalogs_count_and_filter_by_the_format_readers_download(
    client, django_capture_on_commit_callbacks
):
    """A live CSV replaced by a workbook that fails: the download is still the CSV, so the
    catalog's Format facet, its filter, the badges, CKAN's res_format and the REST API say
    CSV, not XLSX; once a workbook passes and goes live, they all say XLSX."""
    dataset = DatasetFactory()
    editor = editor_of(dataset.organization)
    schema = {"fields": [{"name": "人次", "type": "integer", "constraints": {}}]}
    with django_capture_on_commit_callbacks(execute=True):
        resource = catalog.resource_create(
            dataset=dataset, by=editor, file=upload(JANUARY, "jan.csv"), schema=schema
        )
    assert _formats_shown(client, dataset) == _everywhere("CSV")

    broken = _workbook([["站名", "月份", "人次"], ["市政府", "2024-02", "很多"]])
    with django_capture_on_commit_callbacks(execute=True):
        catalog.resource_replace(
            resource=resource, by=editor, file=SimpleUploadedFile("feb.xlsx", broken, XLSX)
        )
    resource.refresh_from_db()
    assert last_job(resource).status == IngestJob.Status.FAILED
    assert resource.format == "XLSX"  # the newer file, for its editors
    assert _formats_shown(client, dataset) == _everywhere("CSV")

    good = _workbook([["站名", "月份", "人次"], ["市政府", "2024-02", 1500]])
    with django_capture_on_commit_callbacks(execute=True):
        catalog.resource_replace(
            resource=resource, by=editor, file=SimpleUploadedFile("feb.xlsx", good, XLSX)
        )
    resource.refresh_from_db()
    assert resource.current_version.number == 2
    assert _formats_shown(client, dataset) == _everywhere("XLSX")


@pytest.mark.parametrize(
    "file, version_file, version_format, shown",
    [
        ("", None, "", "XLSX"),  # a link, never read
        ("resources/feb.xlsx", None, "", "XLSX"),  # an upload, being read
        ("resources/feb.xlsx", "resources/feb.xlsx", "XLSX", "XLSX"),  # live
        ("resources/feb.xlsx", "resources/jan.csv", "CSV", "CSV"),  # live CSV, newer workbook
        ("resources/feb.xlsx", "resources/jan", "", ""),  # live file without a format
        ("", "originals/2024/01/x-v1", "CSV", "XLSX"),  # a link, fetched and read
    ],
)
def test_the_catalogs_format_in_sql_is_the_download_s(file, version_file, version_format, shown):
    """Resource.objects.with_public_format() (what the catalogs count and filter by) gives
    the format `public_file` gives (what the pages and the download say), in every state."""
    resource = Resource.objects.create(
        dataset=DatasetFactory(), name="feb", format="XLSX", file=file, url="https://x.test/f"
    )
    if version_file is not None:
        resource.current_version = ResourceVersion.objects.create(
            resource=resource,
            number=1,
            table_name=f"t_{resource.pk.hex}",
            sha256="0" * 64,
            source_file=version_file,
            format=version_format,
        )
        resource.save()

    (annotated,) = Resource.objects.with_public_format().filter(pk=resource.pk)

    assert annotated.public_format == resource.public_file.format == shown


def test_a_workbook_held_back_for_personal_data_enters_the_catalog_once_published(
    client, resource, django_capture_on_commit_callbacks
):
    """While the workbook waits for the editors' decision, readers get the CSV and the
    catalog counts it (and keeps the counts a while); once they publish the workbook, the
    catalog counts XLSX at once, not the counts it kept from before."""
    editor = editor_of(resource.dataset.organization)
    people = _workbook([["姓名", "電子郵件"], ["王小明", "ming@example.org"]])
    with django_capture_on_commit_callbacks(execute=True):
        catalog.resource_replace(
            resource=resource, by=editor, file=SimpleUploadedFile("people.xlsx", people, XLSX)
        )
    assert resource.versions.get(number=2).personal_data == "flagged"

    def facet() -> list[str]:
        body = client.get("/en/datasets/").content.decode()
        return re.findall(r'id="facet-format-([^"]+)"', body)

    waiting = facet()
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/en/resources/{resource.pk}/versions/2/personal-data/", {"decision": "not_personal"}
        )
    client.logout()

    resource.refresh_from_db()
    assert resource.current_version.number == 2
    assert (waiting, facet()) == (["CSV"], ["XLSX"])


PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    "language, words",
    [("en", "report.pdf is not a table"), ("zh-hant", "report.pdf 不是表格")],
)
def test_a_document_cannot_take_the_place_of_a_table_whose_rows_are_online(
    client, resource, language, words, django_capture_on_commit_callbacks
):
    """Its rows would stay online under a PDF for good: the publisher is told to add it
    as a new file instead, and nothing changes."""
    client.force_login(editor_of(resource.dataset.organization))
    before = resource.file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            page(resource, "edit", language),
            edit_form(resource, file=SimpleUploadedFile("report.pdf", PDF, "application/pdf")),
        )

    assert response.status_code == 400
    assert words in response.content.decode()
    resource.refresh_from_db()
    assert resource.file.name == before and resource.format == "CSV"
    assert resource.current_version.number == 1
    assert IngestJob.objects.filter(resource=resource).count() == 1


def test_the_api_refuses_a_document_in_place_of_a_table_naming_the_file(api_client, resource):
    api_client.force_authenticate(editor_of(resource.dataset.organization))

    response = api_client.put(
        f"/api/v1/resources/{resource.pk}/file/",
        {"file": SimpleUploadedFile("report.pdf", PDF, "application/pdf")},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400 and "report.pdf is not a table" in response.json()["file"][0]
    assert IngestJob.objects.filter(resource=resource).count() == 1


def test_a_document_may_replace_a_document(client, django_capture_on_commit_callbacks):
    resource = resource_with_file(PDF, "report-2023.pdf", format="PDF")
    ingest(resource)
    assert resource.current_version is None  # stored for download, not read as a table
    client.force_login(editor_of(resource.dataset.organization))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            page(resource, "edit"),
            edit_form(resource, file=SimpleUploadedFile("report-2024.pdf", PDF + b"\n")),
        )

    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.file.name.endswith("report-2024.pdf")


def test_activity_lists_only_what_an_edit_changed(client, resource):
    """The edit form posts empty descriptions where the file had none: no change of the
    editor's, so the activity lists the name alone."""
    Resource.objects.filter(pk=resource.pk).update(description_zh_hant=None, description_en=None)
    resource.refresh_from_db()
    client.force_login(editor_of(resource.dataset.organization))

    client.post(page(resource, "edit"), edit_form(resource, name_en="Visitors"))

    activity = client.get(f"/en/datasets/{resource.dataset.name}/activity/").content.decode()
    assert "<li>Name (English)</li>" in activity
    assert "Description" not in activity
