"""Linked files are fetched without letting a link reach internal addresses (SSRF)."""

import contextlib
import gzip
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import translation

from datasets.models import IngestJob
from tests.datasets.ingest_helpers import ingest, rows_of
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

ROUTES = {
    "/data.csv": (200, {"ETag": '"v1"'}, b"a,b\n1,2\n"),
    "/redirect-private": (302, {"Location": "http://10.0.0.1/data.csv"}, b""),
    "/redirect-loopback": (302, {"Location": "http://127.0.0.1:9/data.csv"}, b""),
    "/redirect-ok": (302, {"Location": "/data.csv"}, b""),
    # What some servers answer, with 200 OK, while the file is not there.
    "/maintenance": (
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        "<!DOCTYPE html><html><head><title>系統維護中</title></head></html>".encode(),
    ),
    "/lying-length": (200, {"Content-Length": str(10**12)}, b"a\n1\n"),
    "/gzip-bomb": (
        200,
        {"Content-Encoding": "gzip"},
        gzip.compress(b"a,b\n" + b"0" * 5_000_000, compresslevel=9),
    ),
}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/hang-up":  # no answer at all
            self.close_connection = True
            return
        if self.path == "/short":  # less than the announced length, then gone
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"a,b\n1,2\n")
            self.close_connection = True
            return
        if self.path == "/slow":
            self.send_response(200)
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"a,b\n1,2\n")
                self.wfile.flush()
                time.sleep(0.1)
            return
        status, headers, body = ROUTES.get(self.path, (404, {}, b""))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(settings):
    httpd = Server(("127.0.0.1", 0), Handler)
    port = httpd.server_address[1]
    settings.INGEST_FETCH_ALLOWED_ADDRESSES = [("127.0.0.1", port)]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", port
    httpd.shutdown()
    httpd.server_close()


def fetch(url):
    resource = ResourceFactory(url_type="link", url=url)
    return ingest(resource, source="url"), resource


def test_allowed_server_file_is_fetched_and_ingested(server):
    base, _port = server

    job, resource = fetch(f"{base}/redirect-ok")

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert rows_of(resource.current_version) == [{"a": 1, "b": 2}]
    assert resource.remote_etag == '"v1"'
    assert resource.current_version.source_file  # the original is kept


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{other}/data.csv",
        "http://[::ffff:127.0.0.1]:{port}/data.csv",
        "http://2130706433:{other}/data.csv",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/data.csv",
        "http://10.1.2.3/data.csv",
        "file:///etc/passwd",
        "ftp://127.0.0.1/data.csv",
    ],
)
def test_internal_addresses_and_other_schemes_are_refused(server, url):
    _base, port = server

    job, resource = fetch(url.format(port=port, other=port + 1 if port < 65535 else port - 1))

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "scheme-error"
    assert resource.current_version is None


@pytest.mark.parametrize("path", ["/redirect-private", "/redirect-loopback"])
def test_a_redirect_to_a_private_address_is_refused(server, path):
    base, _port = server

    job, _resource = fetch(f"{base}{path}")

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "scheme-error"
    assert "internal" in job.error


def test_lying_content_length_over_the_cap_stops(server, settings):
    base, _port = server
    settings.INGEST_MAX_BYTES = 1_000_000

    job, _resource = fetch(f"{base}/lying-length")

    assert job.status == IngestJob.Status.FAILED
    assert "larger than the limit" in job.error


def test_gzip_bomb_stops_at_the_byte_cap(server, settings):
    base, _port = server
    settings.INGEST_MAX_BYTES = 1_000_000

    job, _resource = fetch(f"{base}/gzip-bomb")

    assert job.status == IngestJob.Status.FAILED
    assert "larger than the limit" in job.error


def test_total_download_deadline_applies_to_a_trickling_server(server, settings):
    base, _port = server
    settings.INGEST_FETCH_TIMEOUT = 1

    job, _resource = fetch(f"{base}/slow")

    assert job.status == IngestJob.Status.FAILED
    assert "longer than 1 seconds" in job.error


def test_a_name_resolving_to_public_and_private_addresses_is_refused(monkeypatch):
    # DNS rebinding: the answer includes an internal address. We check every address and
    # connect only to a checked one, so a later, different answer is never used.
    def resolver(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)

    job, _resource = fetch("http://rebind.example/data.csv")

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "scheme-error"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free again once closed: nothing listens there


@pytest.mark.parametrize(
    ("url", "english", "chinese"),
    [
        (
            "http://127.0.0.1:{closed}/data.csv",
            "The link could not be fetched: the server refused the connection.",
            "無法擷取連結：伺服器拒絕連線。",
        ),
        (
            "{base}/hang-up",
            "The link could not be fetched: the server closed the connection.",
            "無法擷取連結：伺服器關閉了連線。",
        ),
        (
            "https://127.0.0.1:{port}/data.csv",
            "The link could not be fetched: no secure (https) connection could be made with "
            "the server.",
            "無法擷取連結：無法與伺服器建立安全（https）連線。",
        ),
        (
            "{base}/short",
            "The download broke off: the server sent less than it announced.",
            "下載中斷：伺服器傳來的資料比它宣告的少。",
        ),
    ],
    ids=["refused", "hung-up", "not-https", "cut-short"],
)
def test_a_failed_download_says_what_the_server_did_in_each_language(
    server, settings, url, english, chinese
):
    base, port = server
    closed = _closed_port()
    settings.INGEST_FETCH_ALLOWED_ADDRESSES = [("127.0.0.1", port), ("127.0.0.1", closed)]

    job, resource = fetch(url.format(base=base, port=port, closed=closed))

    assert job.status == IngestJob.Status.FAILED
    assert job.error_code == "source-error"
    assert job.error_translations == {"en": english, "zh-hant": chinese}
    assert resource.current_version is None


def test_a_link_answering_with_a_web_page_keeps_the_version_that_was_live(server):
    base, _port = server
    job, resource = fetch(f"{base}/data.csv")
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    live = resource.current_version
    resource.url = f"{base}/maintenance"  # the server now shows a maintenance page
    resource.save(update_fields=["url"])

    job = ingest(resource, source="url")

    assert job.status == IngestJob.Status.FAILED
    assert "web page (HTML)" in job.error
    resource.refresh_from_db()
    assert resource.current_version == live
    assert rows_of(resource.current_version) == [{"a": 1, "b": 2}]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.1/a.csv",
        "http://0x7f.0.0.1/a.csv",
        "http://2130706433/a.csv",
        "http://[::ffff:127.0.0.1]/a.csv",
        "http://192.168.0.10:8080/a.csv",
        "http://app.localhost/a.csv",
    ],
)
def test_links_to_internal_addresses_are_refused_before_any_connection(url):
    from datasets.ingest.fetch import link_refused

    with translation.override("en"):
        assert "internal or private network addresses" in link_refused(url)


def test_links_by_name_are_left_to_the_connect_time_checks():
    from datasets.ingest.fetch import link_refused

    assert link_refused("https://data.example.org/a.csv") == ""
    assert link_refused("http://8.8.8.8/a.csv") == ""
