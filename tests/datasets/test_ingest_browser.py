"""A publisher uploads a file, watches the progress bar and reads what to fix, in a real
browser (Debian's Chromium) against the live server."""

import pytest

from datasets.ingest.pipeline import ingest_run
from datasets.models import IngestJob, Resource
from tests.datasets.test_catalog_browser import sign_in
from tests.factories import DatasetFactory, OrganizationFactory, editor_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _upload(page, live_server, dataset, name: str, content: bytes) -> Resource:
    page.goto(f"{live_server.url}/en/datasets/{dataset.name}/resources/new/")
    page.get_by_label("Upload a file").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(f"**/en/datasets/{dataset.name}/")
    resource = Resource.objects.get(dataset=dataset, file__endswith=name)
    page.goto(f"{live_server.url}/en/datasets/{dataset.name}/resources/{resource.pk}/")
    return resource


@pytest.fixture
def queued(monkeypatch):
    """Ingestion jobs wait here until the test plays the worker (ingest_run), so pages are
    seen waiting and then changing on their own (htmx polling), without a reload."""
    jobs = []
    monkeypatch.setattr("datasets.tasks.resource_ingest_task.delay", jobs.append)
    return jobs


@pytest.fixture
def dataset(browser_page, live_server):
    """A dataset of the editor signed in on the page."""
    org = OrganizationFactory(slug="parking-office")
    editor_of(org, "editor")
    sign_in(browser_page, live_server, "editor")
    return DatasetFactory(organization=org, name="parking")


def test_publisher_watches_progress_reads_the_report_then_sees_the_data(
    browser_page, live_server, queued, dataset
):
    page = browser_page

    _upload(
        page,
        live_server,
        dataset,
        "lots.csv",
        "名稱,格位,區\n府前,120,中正\n市民,80,大安,多\n".encode(),
    )

    status = page.locator(".ingest-status")
    status.get_by_text("Waiting for a worker").wait_for()
    assert page.get_by_role("progressbar", name="Ingestion progress").is_visible()
    ingest_run(job=IngestJob.objects.get(pk=queued.pop()))
    status.get_by_text("The file could not be ingested.").wait_for()
    assert "Row 3 has a value in column 4" in status.inner_text()

    status.get_by_role("link", name="Validation report").click()
    problems = page.locator("table").first
    problems.get_by_text("extra-cell").wait_for()
    first = problems.locator("tbody tr").first.locator("td")
    assert first.nth(0).inner_text() == "3" and first.nth(1).inner_text() == "4"

    _upload(
        page,
        live_server,
        dataset,
        "fixed.csv",
        "名稱,格位,區\n府前,120,中正\n市民,80,大安\n".encode(),
    )
    status.get_by_text("Waiting for a worker").wait_for()
    ingest_run(job=IngestJob.objects.get(pk=queued.pop()))
    status.get_by_text("Data ready: 2 rows.").wait_for()
    assert Resource.objects.get(file__endswith="fixed.csv").current_version.row_count == 2


def test_publisher_sets_the_data_dictionary_in_the_browser(
    browser_page, live_server, queued, dataset
):
    # A constraint the file breaks fails the new reading; the live version stays.
    page = browser_page
    resource = _upload(
        page, live_server, dataset, "lots.csv", "名稱,格位\n府前,120\n市民,80\n".encode()
    )
    ingest_run(job=IngestJob.objects.get(pk=queued.pop()))
    page.locator(".ingest-status").get_by_text("Data ready: 2 rows.").wait_for()

    page.get_by_role("link", name="Edit the data dictionary").click()
    lots = page.get_by_role("group", name="格位")
    lots.get_by_label("Label").fill("Parking spaces")
    lots.get_by_label("Maximum").fill("lots")
    page.get_by_role("button", name="Save the data dictionary").click()
    # Under its field (the list of problems above the form names it too).
    page.get_by_role("group", name="格位").get_by_text(
        "Column '格位': 'lots' is not a number."
    ).wait_for()
    assert page.get_by_role("group", name="格位").get_by_label("Label").input_value() == (
        "Parking spaces"  # what was typed is still there
    )

    page.get_by_role("group", name="格位").get_by_label("Maximum").fill("100")
    page.get_by_role("button", name="Save the data dictionary").click()
    page.get_by_text("Data dictionary saved. The file is being read again under it.").wait_for()
    ingest_run(job=IngestJob.objects.get(pk=queued.pop()))
    page.locator(".ingest-status").get_by_text("Row 2, column 2 (格位)").wait_for()
    resource.refresh_from_db()
    assert resource.current_version.number == 1  # still the one published
    assert resource.schema["fields"] == [
        {"name": "格位", "title": "Parking spaces", "type": "integer",
         "constraints": {"maximum": 100}}
    ]  # fmt: skip


def test_report_shows_the_new_version_once_ingest_again_ends(
    browser_page, live_server, queued, dataset
):
    page = browser_page
    resource = _upload(page, live_server, dataset, "lots.csv", b"x,y\na,b\n1,2\n")
    ingest_run(job=IngestJob.objects.get(pk=queued.pop()))
    page.goto(f"{live_server.url}/en/resources/{resource.pk}/report/")
    page.get_by_role("heading", name="Published version 1: 2 rows").wait_for()

    page.get_by_label("Header row").fill("2")
    page.get_by_role("button", name="Ingest again").click()
    page.locator(".ingest-status").get_by_text("Waiting for a worker").wait_for()
    ingest_run(job=IngestJob.objects.get(pk=queued.pop()))

    # No reload: the status line and the rest of the report both show version 2.
    page.locator(".ingest-status").get_by_text("Data ready: 1 row.").wait_for()
    page.get_by_role("heading", name="Published version 2: 1 row").wait_for()
    assert page.get_by_role("heading", name="Published version 1: 2 rows").count() == 0
    assert page.locator("#report-body tbody th").all_inner_texts()[0].startswith("a")


def test_publisher_replaces_the_file_from_the_report_and_the_preview_follows(
    browser_page, live_server, queued, dataset
):
    page = browser_page
    resource = _upload(page, live_server, dataset, "lots.csv", "名稱,格位\n府前,120\n".encode())
    ingest_run(job=IngestJob.objects.get(pk=queued.pop()))
    page.reload()
    page.get_by_role("gridcell", name="府前").wait_for()

    # Next month's file has a ragged row: it fails, and the live version stays.
    page.get_by_role("link", name="Edit or replace the file").click()
    page.get_by_label("Replace with a new file").set_input_files(
        files=[
            {
                "name": "lots-02.csv",
                "mimeType": "text/csv",
                "buffer": "名稱,格位\n市民,80,多\n".encode(),
            }
        ]
    )
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The new file is being read.").wait_for()
    ingest_run(job=IngestJob.objects.get(pk=queued.pop()))
    status = page.locator(".ingest-status")
    status.get_by_text("The file could not be ingested.").wait_for()
    page.get_by_role("gridcell", name="府前").wait_for()  # still the live version

    # The report leads to sending a corrected file, and the preview shows it, no reload.
    status.get_by_role("link", name="Validation report").click()
    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("Replace with a new file").set_input_files(
        files=[
            {
                "name": "lots-02.csv",
                "mimeType": "text/csv",
                "buffer": "名稱,格位\n市民,80\n松山,45\n".encode(),
            }
        ]
    )
    page.get_by_role("button", name="Save").click()
    status.get_by_text("Waiting for a worker").wait_for()
    ingest_run(job=IngestJob.objects.get(pk=queued.pop()))
    status.get_by_text("Data ready: 2 rows.").wait_for()
    page.get_by_role("gridcell", name="松山").wait_for()
    assert page.get_by_role("gridcell", name="府前").count() == 0
    resource.refresh_from_db()
    assert resource.current_version.number == 2 and resource.name_en == "lots-02.csv"
