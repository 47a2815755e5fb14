"""Progress fragment, validation report page and API, and publisher decisions, seen from
outside by anonymous visitors, other organizations, members and editors."""

import pytest
from django.urls import reverse as django_reverse
from django.utils import translation
from django.utils.html import escape

from datasets.models import IngestJob
from tests.datasets.ingest_helpers import ingest, ingest_bytes, resource_with_file
from tests.factories import IngestJobFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def reverse(name, **kwargs):
    """English pages (the /en/ prefix), so assertions read naturally."""
    with translation.override("en"):
        return django_reverse(name, **kwargs)


def report_url(resource):
    return f"/api/v1/resources/{resource.pk}/report/"


def resource_page(resource):
    return reverse("resource_detail", kwargs={"name": resource.dataset.name, "id": resource.pk})


def test_progress_fragment_polls_while_running_and_stops_when_done(client):
    resource = resource_with_file(b"a\n1\n")
    job = IngestJobFactory(
        resource=resource, status="running", stage="load", progress=0.42, rows=1234567
    )
    url = reverse("resource_ingest_status", kwargs={"resource_id": resource.pk})

    page = client.get(url).content.decode()

    assert 'hx-trigger="every 2s"' in page
    assert 'aria-valuenow="42"' in page and "1,234,567 rows read" in page
    chinese = client.get(url.removeprefix("/en")).content.decode()
    assert "已讀取 1,234,567 筆" in chinese
    job.delete()
    ingest(resource)
    page = client.get(url).content.decode()
    assert "every 2s" not in page
    assert "Data ready: 1 row." in page


def test_report_page_names_column_types_and_counts_rows_in_the_readers_language(client):
    data = "id,name\n" + "".join(f"{i},item {i}\n" for i in range(1, 1201))
    _job, resource = ingest_bytes(data.encode())
    report = reverse("resource_report", kwargs={"resource_id": resource.pk})

    english = client.get(report).content.decode()
    chinese = client.get(report.removeprefix("/en")).content.decode()

    assert "Published version 1: 1,200 rows" in english
    assert "<td>whole number</td>" in english and "<td>text</td>" in english
    assert "<td>整數</td>" in chinese and "<td>文字</td>" in chinese


def test_report_page_links_back_and_its_status_line_does_not_link_to_itself(client):
    _job, resource = ingest_bytes(b"a\n1\n")
    report = reverse("resource_report", kwargs={"resource_id": resource.pk})
    status = reverse("resource_ingest_status", kwargs={"resource_id": resource.pk})
    resource_page = reverse(
        "resource_detail", kwargs={"name": resource.dataset.name, "id": resource.pk}
    )

    page = client.get(report).content.decode()
    assert f'href="{resource_page}"' in page
    assert f'hx-get="{status}?on=report"' in page
    assert f'href="{report}"' in client.get(status).content.decode()
    assert f'href="{report}"' not in client.get(f"{status}?on=report").content.decode()


def test_report_api_shows_live_version_to_anyone_and_failure_details_to_editors(api_client):
    _job, resource = ingest_bytes(b"a,b\n1,x\n")
    resource.file.save("bad.csv", __import__("io").BytesIO(b"a,b\n1,x,extra\n"))
    ingest(resource)

    anonymous = api_client.get(report_url(resource)).json()
    assert anonymous["version"]["rows"] == 1
    assert anonymous["ingest"]["status"] == "failed"
    assert anonymous["failed_report"] is None and anonymous["ingest"]["error"] == ""

    editor = MembershipFactory(organization=resource.dataset.organization, role="editor").user
    api_client.force_authenticate(editor)
    data = api_client.get(report_url(resource), HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["failed_report"]["errors"][0]["code"] == "extra-cell"
    assert "Row 2" in data["ingest"]["error"]


def test_job_messages_are_shown_in_the_readers_language_whoever_started_the_job(api_client, client):
    # Uploaded from the Chinese pages: a declared whole-number column with a word in it.
    schema = {"fields": [{"name": "n", "type": "integer"}]}
    resource = resource_with_file(b"n,,c\n1,a,x\nthree,b,y\n", schema=schema)
    job = ingest(resource, options={"language": "zh-hant"})
    assert job.status == IngestJob.Status.FAILED
    assert "第 3 列第 1 欄" in job.error  # stored as the uploader read it
    editor = MembershipFactory(organization=resource.dataset.organization, role="editor").user
    api_client.force_authenticate(editor)
    client.force_login(editor)

    english = api_client.get(report_url(resource), HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = api_client.get(report_url(resource), HTTP_ACCEPT_LANGUAGE="zh-hant").json()

    bad_cell = "Row 3, column 1 (n): 'three' is not a valid whole number."
    assert english["ingest"]["error"] == f"1 problem(s) found; the first: {bad_cell}"
    [error] = english["failed_report"]["errors"]
    assert (error["code"], error["row"], error["message"]) == ("type-error", 3, bad_cell)
    assert "translations" not in error
    assert "第 3 列第 1 欄（n）：「three」不是有效的整數" in chinese["ingest"]["error"]
    assert "整數" in chinese["failed_report"]["errors"][0]["message"]
    # The blank second header was repaired with a warning, also in the reader's language.
    assert english["failed_report"]["warnings"][0]["message"] == (
        "Column 2 has no name; it was named 'field_2'."
    )
    page = reverse("resource_report", kwargs={"resource_id": resource.pk})
    status = reverse("resource_ingest_status", kwargs={"resource_id": resource.pk})
    assert escape(bad_cell) in client.get(page).content.decode()
    assert escape(f"the first: {bad_cell}") in client.get(status).content.decode()
    with translation.override("zh-hant"):
        chinese_page = django_reverse("resource_report", kwargs={"resource_id": resource.pk})
    chinese_html = client.get(chinese_page).content.decode()
    assert "不是有效的整數" in chinese_html
    # The warning is counted in the totals, so it is listed beside the error.
    html = client.get(page).content.decode()
    assert 'title="blank-label">Blank header: 1' in html and "Warnings in the same file" in html
    assert escape("Column 2 has no name; it was named 'field_2'.") in html
    assert "同一檔案中的警告" in chinese_html and "field_2" in chinese_html
    # Problems are named in the reader's words; the code stays for developers.
    assert 'title="type-error">型別不符: 1' in chinese_html
    assert '型別不符 <code class="small">type-error</code>' in chinese_html


def test_published_warnings_follow_the_reader_and_old_reports_keep_their_text(client):
    resource = resource_with_file(b"a,,c\n1,2,3\n")
    ingest(resource, options={"language": "zh-hant"})
    version = resource.current_version
    page = reverse("resource_report", kwargs={"resource_id": resource.pk})

    assert (
        escape("Column 2 has no name; it was named 'field_2'.") in client.get(page).content.decode()
    )

    # Reports kept before messages were stored in every language show them as written.
    [warning] = version.report["warnings"]
    del warning["translations"]
    warning["message"] = "第 2 欄沒有名稱（舊報告）"
    version.save()
    assert "第 2 欄沒有名稱（舊報告）" in client.get(page).content.decode()


def test_private_dataset_report_is_hidden_from_other_organizations(api_client, client):
    _job, resource = ingest_bytes(b"a\n1\n")
    resource.dataset.private = True
    resource.dataset.save()
    outsider = UserFactory()
    api_client.force_authenticate(outsider)
    client.force_login(outsider)

    assert api_client.get(report_url(resource)).status_code == 404
    page = reverse("resource_report", kwargs={"resource_id": resource.pk})
    assert client.get(page).status_code == 404
    member = MembershipFactory(organization=resource.dataset.organization).user
    client.force_login(member)
    assert client.get(page).status_code == 200


def test_rerun_with_overrides_is_for_editors_only(client, django_capture_on_commit_callbacks):
    resource = resource_with_file("名稱\n臺北\n".encode("cp950"))
    url = reverse("resource_ingest_rerun", kwargs={"resource_id": resource.pk})
    member = MembershipFactory(organization=resource.dataset.organization).user
    client.force_login(member)
    assert client.post(url, {"encoding": "cp950"}).status_code == 403

    editor = MembershipFactory(organization=resource.dataset.organization, role="editor").user
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"encoding": "cp950", "header_row": "1"})

    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.ingest_options == {"encoding": "cp950", "header_row": "1"}
    job = resource.ingest_jobs.get()
    assert job.source == "rerun" and job.status == IngestJob.Status.SUCCEEDED, job.error
    assert resource.current_version.encoding == "cp950"

    bad = client.post(url, {"header_row": "0"}, follow=True)
    assert "header row" in bad.content.decode().lower()
    for rows in ("0", "5", "two"):
        bad = client.post(url, {"header_rows": rows}, follow=True)
        assert "The rows of the header must be a whole number from 1 to 4." in bad.content.decode()
    assert resource.ingest_jobs.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"header_rows": "2"})
    resource.refresh_from_db()
    assert resource.ingest_options == {"header_rows": "2"}
    page = client.get(reverse("resource_report", kwargs={"resource_id": resource.pk}))
    assert 'name="header_rows" type="number" min="1" max="4" value="2"' in page.content.decode()


PERSONAL = b"name,email\nA,a@example.org\nB,b@example.org\n"
MUST_CHECK = "an editor must check it"


def _decide(client, resource, decision):
    version = resource.versions.get()
    editor = MembershipFactory(organization=resource.dataset.organization, role="editor").user
    client.force_login(editor)
    url = reverse(
        "version_personal_data", kwargs={"resource_id": resource.pk, "number": version.number}
    )
    report = client.post(url, {"decision": decision}, follow=True).content.decode()
    resource.refresh_from_db()
    return report


def _status_line(client, resource, language="en"):
    url = reverse("resource_ingest_status", kwargs={"resource_id": resource.pk})
    return client.get(url if language == "en" else url.removeprefix("/en")).content.decode()


def test_editor_confirms_personal_data_on_the_report_page_and_every_page_says_so(client):
    # given: a file where personal data was found, waiting for the editors
    _job, resource = ingest_bytes(PERSONAL)
    version = resource.versions.get()
    assert MUST_CHECK in _status_line(client, resource)

    # when
    editor = MembershipFactory(organization=resource.dataset.organization, role="editor").user
    client.force_login(editor)
    page = reverse("resource_report", kwargs={"resource_id": resource.pk})
    assert "email (e-mail addresses): 100%" in client.get(page).content.decode()
    chinese = client.get(page.removeprefix("/en")).content.decode()
    assert "email (電子郵件地址): 100%" in chinese
    client.logout()

    report = _decide(client, resource, "not_personal")

    # then
    assert resource.current_version == version
    assert 'value="not_personal"' not in report
    assert MUST_CHECK not in _status_line(client, resource)
    client.logout()
    assert MUST_CHECK not in _status_line(client, resource)
    assert "Data ready: 2 rows." in _status_line(client, resource)
    assert "資料已就緒" in _status_line(client, resource, "zh-hant")
    page = client.get(resource_page(resource)).content.decode()
    assert "personal data" not in page
    assert client.get(report_url(resource)).json()["ingest"]["stage"] == "done"


def test_keeping_personal_data_unpublished_ends_the_wait_for_editors_and_for_the_public(client):
    _job, resource = ingest_bytes(PERSONAL)
    version = resource.versions.get()

    report = _decide(client, resource, "personal")

    version.refresh_from_db()
    assert version.personal_data == "personal" and resource.current_version is None
    # Editors: the decision and what to do next, no buttons asking for it again.
    assert 'value="personal"' not in report
    line = _status_line(client, resource)
    assert "Version 1 is kept unpublished: it holds personal data (email)." in line
    assert "Upload a file without these columns." in line and MUST_CHECK not in line
    assert "第 1 版維持不公開" in _status_line(client, resource, "zh-hant")
    # The public: not published, not "being checked"; the rows and the file stay hidden.
    client.logout()
    for line in (_status_line(client, resource), client.get(resource_page(resource)).content):
        line = line if isinstance(line, str) else line.decode()
        assert MUST_CHECK not in line and "checking this file" not in line
    assert "was not published: it holds personal data" in _status_line(client, resource)
    assert "最新的檔案含有個人資料，因此未公開" in _status_line(client, resource, "zh-hant")
    assert "keeps it unpublished" in client.get(resource_page(resource)).content.decode()
    dataset_page = reverse("dataset_detail", kwargs={"name": resource.dataset.name})
    listing = client.get(dataset_page).content.decode()
    assert "Not published: it holds personal data" in listing
    assert "Being checked" not in listing
    assert "不公開：含有個人資料" in client.get(dataset_page.removeprefix("/en")).content.decode()
    assert client.get(f"{resource_page(resource)}download/").status_code == 404
    data = f"/api/v1/resources/{resource.pk}/data/?version=1"
    assert client.get(data).status_code == 404


def test_data_at_a_glance_sentence_in_both_languages():
    from datasets.ingest.status import version_at_a_glance

    data = "日期,站名,人數\n113/01/05,臺北,1\n113/03/31,板橋,2\n".encode()
    _job, resource = ingest_bytes(data)

    with translation.override("en"):
        english = version_at_a_glance(resource.current_version)
    with translation.override("zh-hant"):
        chinese = version_at_a_glance(resource.current_version)

    assert english == "2 rows, covering 2024-01-05 to 2024-03-31. Columns: 日期, 站名, 人數."
    assert chinese == "共 2 筆，涵蓋 2024-01-05 至 2024-03-31。欄位：日期、站名、人數。"


def test_fragment_included_by_another_page_loads_itself(client):
    from django.template.loader import render_to_string

    resource = resource_with_file(b"a\n1\n")

    html = render_to_string("datasets/_ingest_status.html", {"resource": resource})

    assert 'hx-trigger="load"' in html
    assert f"/resources/{resource.pk}/ingest/status/" in html


def test_read_again_asks_only_what_applies_to_the_file(client):
    from tests.datasets.test_ingest_formats import xlsx_bytes

    pages = {}
    for name, data in (
        ("book.xlsx", xlsx_bytes([["站名", "車位"], ["市政府", 180]], sheets={"附表": [["a"]]})),
        ("data.csv", b"a,b\n1,2\n"),
        ("data.json", b'[{"a": 1}]'),
    ):
        _job, resource = ingest_bytes(data, name)
        org = resource.dataset.organization
        client.force_login(MembershipFactory(organization=org, role="editor").user)
        url = reverse("resource_report", kwargs={"resource_id": resource.pk})
        pages[name] = client.get(url).content.decode()

    book = pages["book.xlsx"]
    assert 'name="sheet"' in book and 'name="encoding"' not in book
    # The workbook's sheets to choose from, in order.
    assert book.index('<option value="說明">') < book.index('<option value="附表">')
    assert book.index('<option value="附表">') < book.index('<option value="資料">')
    assert 'name="encoding"' in pages["data.csv"] and 'name="sheet"' not in pages["data.csv"]
    assert "Read the file differently" not in pages["data.json"]


def test_the_report_says_how_the_file_was_read(client):
    from tests.datasets.test_ingest_formats import xlsx_bytes

    rows = [["表一"], [], ["站名", "車位", "區"], ["市政府", 180, "信義"]]
    _job, book = ingest_bytes(xlsx_bytes(rows), "b.xlsx")
    _job, text = ingest_bytes("站名;車位\n市政府;180\n".encode("cp950"), "t.csv")

    def page(resource, language="en"):
        with translation.override(language):
            url = django_reverse("resource_report", kwargs={"resource_id": resource.pk})
        return client.get(url).content.decode()

    assert "Read from the sheet “資料”, header on row 3." in page(book)
    assert "Read as cp950 text separated by semicolons, header on row 1." in page(text)
    assert "以 cp950 編碼讀取，欄位以分號分隔，標題在第 1 列。" in page(text, "zh-hant")
    _job, objects = ingest_bytes(b'[{"a": 1}]', "o.json")
    assert "Read as" not in page(objects) and "Read from" not in page(objects)
    assert objects.current_version.report["delimiter"] == ""
    _job, wrapped = ingest_bytes(b'{"result": {"results": [{"a": 1}]}}', "w.json")
    assert "Read from the list “result.results” in the JSON file." in page(wrapped)
    assert "讀取 JSON 檔中的清單「result.results」。" in page(wrapped, "zh-hant")

    grouped = [["表一"], [], ["區", "107年", None], [None, "男", "女"], ["中正", 1, 2]]
    _job, book = ingest_bytes(xlsx_bytes(grouped), "g.xlsx")
    assert "Read from the sheet “資料”, header on rows 3 to 4." in page(book)
    assert "讀取工作表「資料」，標題在第 3 到 4 列。" in page(book, "zh-hant")
    _job, text = ingest_bytes("區;107年;\n;男;女\n中正;1;2\n".encode("cp950"), "g.csv")
    assert "separated by semicolons, header on rows 1 to 2." in page(text)


def test_status_line_tells_the_report_when_the_job_it_watched_ends(client):
    resource = resource_with_file(b"a\n1\n")
    job = IngestJobFactory(resource=resource, status="running", stage="load")
    url = reverse("resource_ingest_status", kwargs={"resource_id": resource.pk})
    assert "polling=1" in client.get(f"{url}?on=report").content.decode()
    assert "HX-Trigger" not in client.get(f"{url}?polling=1&on=report").headers

    job.delete()
    ingest(resource)

    assert client.get(f"{url}?polling=1&on=report")["HX-Trigger"] == "ingest-finished"
    assert "HX-Trigger" not in client.get(f"{url}?on=report").headers  # a first look
    report = client.get(reverse("resource_report", kwargs={"resource_id": resource.pk}))
    assert 'hx-trigger="ingest-finished from:body"' in report.content.decode()


def test_delimiter_choices_are_named_in_words(client):
    _job, resource = ingest_bytes(b"a;b\n1;2\n")
    client.force_login(
        MembershipFactory(organization=resource.dataset.organization, role="editor").user
    )
    report = reverse("resource_report", kwargs={"resource_id": resource.pk})

    english = client.get(report).content.decode()
    chinese = client.get(report.removeprefix("/en")).content.decode()

    assert '<option value="\t">Tabs</option>' in english
    assert '<option value=";">Semicolons</option>' in english
    assert '<option value="\t">Tab 字元</option>' in chinese
    assert ">\\t</option>" not in english


def test_on_a_draft_the_report_and_status_line_do_not_call_the_data_published(client):
    _job, resource = ingest_bytes(b"a\n1\n2\n", dataset__status="draft")
    editor = MembershipFactory(organization=resource.dataset.organization, role="editor").user
    client.force_login(editor)
    report = reverse("resource_report", kwargs={"resource_id": resource.pk})
    status = reverse("resource_ingest_status", kwargs={"resource_id": resource.pk})

    page = client.get(report).content.decode()
    assert "Published version" not in page
    assert "Version 1: 2 rows" in page
    assert "Not public yet: the dataset is “Draft”." in page
    chinese = client.get(report.removeprefix("/en")).content.decode()
    assert "已公開" not in chinese and "尚未公開" in chinese

    # A later file that fails: the first version is kept, not "still published".
    resource.file.save("bad.csv", __import__("io").BytesIO(b"a,b\n1,x,extra\n"))
    ingest(resource)
    line = client.get(status).content.decode()
    assert "The file could not be ingested." in line
    assert "still published" not in line and "The previous version is kept." in line
    assert "先前的版本保留不變" in client.get(status.removeprefix("/en")).content.decode()

    # Once the dataset is published, its data is.
    resource.dataset.status = "published"
    resource.dataset.save()
    assert "The previous version is still published." in client.get(status).content.decode()
    assert "Published version 1: 2 rows" in client.get(report).content.decode()


@pytest.mark.parametrize(
    "members",
    [{"big.csv": b"0" * 20_000_000}, {"2023.csv": b"a\n1\n", "2024.csv": b"a\n2\n"}],
    ids=["zip-bomb", "two-tables"],
)
def test_a_refused_zip_offers_a_corrected_upload_not_another_reading(client, members):
    # An encoding, a delimiter or a sheet cannot open an archive refused as a whole.
    from tests.datasets.test_ingest_formats import zip_of

    job, resource = ingest_bytes(zip_of(members), "data.zip", format="ZIP")

    assert job.status == IngestJob.Status.FAILED
    editor = MembershipFactory(organization=resource.dataset.organization, role="editor").user
    client.force_login(editor)
    status = reverse("resource_ingest_status", kwargs={"resource_id": resource.pk})
    assert "ZIP" in client.get(status + "?on=report").content.decode()
    html = client.get(reverse("resource_report", kwargs={"resource_id": resource.pk}))
    html = html.content.decode()
    assert "Read the file differently" not in html and 'name="encoding"' not in html
    edit = reverse("resource_edit", kwargs={"name": resource.dataset.name, "id": resource.pk})
    assert f'href="{edit}">Upload a corrected file</a>' in html


def test_a_pdf_kept_for_download_is_not_shown_as_a_failure(client):
    # The dataset page says "Stored, not a table"; the resource page said, in red, to
    # everyone, "The file could not be ingested".
    job, resource = ingest_bytes(b"%PDF-1.4\n%%EOF\n", "minutes.pdf", format="PDF")
    assert job.status == IngestJob.Status.FAILED
    status = reverse("resource_ingest_status", kwargs={"resource_id": resource.pk})
    report = reverse("resource_report", kwargs={"resource_id": resource.pk})

    public = client.get(status).content.decode()
    assert "could not be ingested" not in public and "alert-danger" not in public

    editor = MembershipFactory(organization=resource.dataset.organization, role="editor").user
    client.force_login(editor)
    seen = client.get(status + "?on=report").content.decode()
    assert "Not ingested: this file is not a table we can read" in seen
    assert "could not be ingested" not in seen and "alert-danger" not in seen
    assert "Upload a corrected file" not in client.get(report).content.decode()


def test_a_damaged_workbook_is_called_damaged_and_no_other_reading_is_offered(client):
    broken = b"PK\x03\x04this is not really a zip" * 40

    job, resource = ingest_bytes(broken, "broken.xlsx", format="XLSX")

    assert job.status == IngestJob.Status.FAILED
    assert "the file is damaged" in job.error
    assert "not a table we can read" not in job.error
    editor = MembershipFactory(organization=resource.dataset.organization, role="editor").user
    client.force_login(editor)
    page = client.get(reverse("resource_report", kwargs={"resource_id": resource.pk}))
    html = page.content.decode()
    assert "Read the file differently" not in html and 'name="sheet"' not in html
    status = reverse("resource_ingest_status", kwargs={"resource_id": resource.pk})
    assert "the file is damaged" in client.get(status).content.decode()


def test_only_editors_are_asked_to_review_possible_personal_data(client):
    # Visitors were offered "Review", leading to a report with nothing to decide.
    job, resource = ingest_bytes(b"name,email\nA,a@example.org\nB,b@example.org\n")
    assert job.stage == "awaiting_confirmation"
    status = reverse("resource_ingest_status", kwargs={"resource_id": resource.pk})
    report = reverse("resource_report", kwargs={"resource_id": resource.pk})

    public = client.get(status).content.decode()
    assert "Possible personal data found" in public and report not in public

    editor = MembershipFactory(organization=resource.dataset.organization, role="editor").user
    client.force_login(editor)
    assert f'href="{report}">Review</a>' in client.get(status).content.decode()
