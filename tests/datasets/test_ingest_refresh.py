"""Scheduled refresh of linked files: new content makes a version, unchanged content
does not, failures reach the organization's editors."""

import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from datasets.ingest.refresh import resources_due, resources_refresh_due
from datasets.models import IngestJob
from tests.datasets.ingest_helpers import rows_of
from tests.factories import DatasetFactory, MembershipFactory, ResourceFactory

pytestmark = pytest.mark.django_db

STATE = {"body": b"a\n1\n", "etag": '"v1"', "status": 200, "requests": 0}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        STATE["requests"] += 1
        if STATE["status"] != 200:
            self.send_response(STATE["status"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if STATE["etag"] and self.headers.get("If-None-Match") == STATE["etag"]:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        if STATE["etag"]:
            self.send_header("ETag", STATE["etag"])
        self.send_header("Content-Length", str(len(STATE["body"])))
        self.end_headers()
        self.wfile.write(STATE["body"])

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@pytest.fixture
def linked(settings):
    settings.SITE_URL = "http://testserver"
    httpd = Server(("127.0.0.1", 0), Handler)
    port = httpd.server_address[1]
    settings.INGEST_FETCH_ALLOWED_ADDRESSES = [("127.0.0.1", port)]
    settings.LANGUAGE_CODE = "en"
    STATE.update(body=b"a\n1\n", etag='"v1"', status=200, requests=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    dataset = DatasetFactory(update_frequency="DAILY")
    resource = ResourceFactory(
        dataset=dataset, url_type="link", url=f"http://127.0.0.1:{port}/x.csv"
    )
    yield resource
    httpd.shutdown()
    httpd.server_close()


def age(resource, **delta):
    resource.refresh_from_db()
    resource.last_fetched_at = timezone.now() - timedelta(**delta)
    resource.save(update_fields=["last_fetched_at"])


def test_due_link_is_fetched_and_unchanged_content_makes_no_new_version(linked):
    [job] = resources_refresh_due()
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    linked.refresh_from_db()
    assert rows_of(linked.current_version) == [{"a": 1}]
    assert resources_due().count() == 0  # fetched just now, daily frequency

    age(linked, days=2)
    [job] = resources_refresh_due()
    assert job.stage == "unchanged"  # 304 Not Modified on the ETag

    STATE["etag"] = ""  # no validators any more: the sha256 decides
    age(linked, days=2)
    [job] = resources_refresh_due()
    assert job.stage == "unchanged"

    STATE["body"] = b"a\n2\n"
    age(linked, days=2)
    [job] = resources_refresh_due()
    linked.refresh_from_db()
    assert job.stage == "done"
    assert linked.versions.count() == 2
    assert rows_of(linked.current_version) == [{"a": 2}]


def test_failed_refresh_emails_the_editors_and_keeps_the_version(linked):
    resources_refresh_due()
    linked.refresh_from_db()
    live = linked.current_version
    editor = MembershipFactory(organization=linked.dataset.organization, role="editor").user
    MembershipFactory(organization=linked.dataset.organization, role="member")
    STATE["status"] = 500
    age(linked, days=2)

    [job] = resources_refresh_due()

    assert job.status == IngestJob.Status.FAILED
    linked.refresh_from_db()
    assert linked.current_version == live
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [editor.email]
    assert "500" in mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("Scheduled update failed")  # the site's (en here)


def test_failed_refresh_emails_each_editor_in_their_own_language(linked):
    linked.name_en, linked.name_zh_hant = "Bus stops", "公車站"
    linked.save()
    resources_refresh_due()
    org = linked.dataset.organization
    english = MembershipFactory(organization=org, role="admin", user__language="en").user
    chinese = MembershipFactory(organization=org, role="editor", user__language="zh-hant").user
    STATE["status"] = 500
    age(linked, days=2)

    resources_refresh_due()

    subjects = {tuple(m.to): m.subject for m in mail.outbox}
    assert subjects[(english.email,)] == "Scheduled update failed: Bus stops"
    assert subjects[(chinese.email,)] == "排程更新失敗：公車站"
    # The job's own error too, whatever language the job ran in.
    bodies = {tuple(m.to): m.body for m in mail.outbox}
    assert "The server answered 500" in bodies[(english.email,)]
    assert "The previous version is still published" in bodies[(english.email,)]
    assert "伺服器對此連結回應 500" in bodies[(chinese.email,)]
    assert "先前的版本仍維持公開。" in bodies[(chinese.email,)]
    # The report of what went wrong, each in the reader's language: the links differ by
    # their language prefix (which one has none depends on the site's default).
    report = re.compile(
        rf"(?:What went wrong, and where: |問題與位置：)(\S+/resources/{linked.pk}/report/)"
    )
    links = {report.search(body).group(1) for body in bodies.values()}
    assert len(links) == 2 and all(link.startswith("http://testserver/") for link in links)


def test_a_failed_refresh_of_a_draft_does_not_say_it_is_published(linked, settings):
    linked.dataset.status = "draft"
    linked.dataset.save()
    resources_refresh_due()
    MembershipFactory(organization=linked.dataset.organization, role="editor")
    STATE["status"] = 500
    age(linked, days=2)

    resources_refresh_due()

    [message] = mail.outbox
    assert "The previous version is kept." in message.body
    assert "published" not in message.body


def test_a_refresh_that_changes_the_columns_emails_the_editors_what_changed(linked):
    resources_refresh_due()
    org = linked.dataset.organization
    english = MembershipFactory(organization=org, role="editor", user__language="en").user
    chinese = MembershipFactory(organization=org, role="admin", user__language="zh-hant").user
    MembershipFactory(organization=org, role="member")
    STATE.update(body="a,站名\nx,市府\n".encode(), etag='"v2"')  # 'a' now text; a new column
    age(linked, days=2)

    [job] = resources_refresh_due()

    assert job.status == IngestJob.Status.SUCCEEDED and job.stage == "done", job.error
    linked.refresh_from_db()
    assert job.version == linked.current_version  # published: a change is not an error
    mails = {tuple(m.to): m for m in mail.outbox}
    assert set(mails) == {(english.email,), (chinese.email,)}
    assert mails[(english.email,)].subject.startswith("Scheduled update changed the columns")
    assert (
        "- The column 'a' is read as text; in the version that was live it was whole number.\n"
        "- The column '站名' is new in this file." in mails[(english.email,)].body
    )
    assert mails[(chinese.email,)].subject.startswith("排程更新改變了欄位")
    assert "- 「a」欄位讀作文字；上線中的版本是整數。" in mails[(chinese.email,)].body


def test_a_refresh_with_the_same_columns_sends_no_email(linked):
    resources_refresh_due()
    MembershipFactory(organization=linked.dataset.organization, role="editor")
    STATE.update(body=b"a\n2\n", etag='"v2"')
    age(linked, days=2)

    [job] = resources_refresh_due()

    assert job.stage == "done"
    assert mail.outbox == []
