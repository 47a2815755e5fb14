"""Versions, failures, idempotency, the data dictionary, personal data and clean-up."""

import csv
import io
import json
import os
import tempfile
import time
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from datasets.datastore.load import create_version_table, version_tables
from datasets.datastore.schema import table_name_for
from datasets.ingest import columnar, pii
from datasets.ingest.downloads import escape_formula, version_downloads_write
from datasets.ingest.pipeline import ingest_run
from datasets.ingest.validate import COLUMN_CHANGES
from datasets.models import IngestJob, ResourceVersion
from datasets.services.catalog import resource_update
from datasets.services.ingestion import (
    datastore_orphans_drop,
    version_personal_data_decide,
    versions_prune,
)
from tests.datasets.ingest_helpers import ingest, ingest_bytes, resource_with_file, rows_of
from tests.factories import IngestJobFactory, MembershipFactory

pytestmark = pytest.mark.django_db

GOOD = b"id,name,score\n1,Alice,3.5\n2,Bob,4\n"


def replace_file(resource, content: bytes, name="data.csv"):
    resource.file.save(name, ContentFile(content), save=True)


def test_failed_ingest_keeps_previous_version_and_leaves_no_table():
    job, resource = ingest_bytes(GOOD)
    first = resource.current_version
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    tables_before = version_tables()
    resource.schema = {
        "fields": [
            {"name": "id", "type": "integer", "constraints": {"unique": True}},
            {"name": "score", "type": "number", "constraints": {"maximum": 5}},
        ]
    }
    resource.save()
    replace_file(resource, b"id,name,score\n1,Alice,3.5\n1,Carol,9\n2,Dan,high\n")

    job = ingest(resource)

    assert job.status == IngestJob.Status.FAILED
    assert resource.current_version == first
    assert rows_of(first)[0]["name"] == "Alice"
    assert version_tables() == tables_before
    report = job.options["report"]
    assert report["totals"] == {"unique-error": 1, "constraint-error": 1, "type-error": 1}
    assert {(e["code"], e["row"], e["column"]) for e in report["errors"]} == {
        ("unique-error", 3, 1),
        ("constraint-error", 3, 3),
        ("type-error", 4, 3),
    }
    assert "Row 3" in job.error


@pytest.mark.parametrize("columnar_path", [True, False], ids=["columnar", "row-by-row"])
def test_a_new_version_says_which_columns_went_came_or_changed_type(monkeypatch, columnar_path):
    if not columnar_path:
        monkeypatch.setattr(columnar, "eligible", lambda *args: False)
    job, resource = ingest_bytes(GOOD)
    assert not [
        w for w in resource.current_version.report["warnings"] if w["code"] in COLUMN_CHANGES
    ]
    # Upstream dropped a column, added one, and a value turned a number column into text.
    replace_file(resource, "id,score,區\n1,high,中正\n2,4,大安\n".encode())

    job = ingest(resource)

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    warnings = resource.current_version.report["warnings"]
    assert {(w["code"], w["column"], w["field"]): w["translations"] for w in warnings
            if w["code"] in COLUMN_CHANGES} == {
        ("column-removed", None, "name"): {
            "en": "The version that was live has a column 'name' this file does not have: "
                  "what uses it stops working.",
            "zh-hant": "上線中的版本有「name」欄位，這個檔案沒有：用到它的程式與圖表將無法運作。",
        },
        ("type-changed", 2, "score"): {
            "en": "The column 'score' is read as text; in the version that was live it was "
                  "number.",
            "zh-hant": "「score」欄位讀作文字；上線中的版本是數值。",
        },
        ("column-added", 3, "區"): {
            "en": "The column '區' is new in this file.",
            "zh-hant": "「區」是這個檔案新增的欄位。",
        },
    }  # fmt: skip


def test_the_report_lists_each_problem_once_from_the_top_of_the_file():
    # A required whole number typed as 'x' was also "a value is required" (the value is
    # there), and the summary's "first" problem was row 3's, found first as the columns
    # are checked one after the other, while row 2 had one.
    resource = resource_with_file(b"a,n\n1,x\n11,3\n")
    resource.schema = {
        "fields": [
            {"name": "a", "type": "integer", "constraints": {"maximum": 10}},
            {"name": "n", "type": "integer", "constraints": {"required": True}},
        ]
    }
    resource.save()

    job = ingest(resource)

    assert job.status == IngestJob.Status.FAILED
    assert job.error == (
        "2 problem(s) found; the first: Row 2, column 2 (n): 'x' is not a valid whole number."
    )
    assert job.error_translations["zh-hant"].startswith(
        "發現 2 個問題；第一個：第 2 列第 2 欄（n）"
    )
    report = job.options["report"]
    assert [(e["row"], e["column"], e["code"]) for e in report["errors"]] == [
        (2, 2, "type-error"),
        (3, 1, "constraint-error"),
    ]
    assert report["totals"] == {"type-error": 1, "constraint-error": 1}


def test_dictionary_types_override_inference_and_required_enum_pattern_are_enforced():
    resource = resource_with_file(b"code,kind,count\n007,a,1\n,b,2\nx9,z,3\n")
    resource.schema = {
        "fields": [
            {"name": "code", "type": "string", "constraints": {"required": True,
                                                                "pattern": "[0-9]+"}},
            {"name": "kind", "type": "string", "constraints": {"enum": ["a", "b"]}},
            {"name": "count", "type": "string"},
        ]
    }  # fmt: skip
    resource.save()

    job = ingest(resource)

    assert job.status == IngestJob.Status.FAILED
    errors = {(e["row"], e["column"]) for e in job.options["report"]["errors"]}
    assert errors == {(3, 1), (4, 1), (4, 2)}

    resource.schema = {"fields": [{"name": "count", "type": "string"}]}
    resource.save()
    replace_file(resource, b"code,kind,count\n007,a,1\n")
    job = ingest(resource)
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert {c["id"]: c["type"] for c in resource.current_version.columns}["count"] == "text"


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_a_dictionary_pattern_that_is_no_regular_expression_is_reported_by_field(language):
    resource = resource_with_file(b"code,kind\n007,a\n008,b\n")
    resource.schema = {"fields": [{"name": "code", "constraints": {"pattern": "[0-9"}}]}
    resource.save()

    job = ingest(resource, options={"language": language})

    assert job.status == IngestJob.Status.FAILED
    [error] = job.options["report"]["errors"]
    assert (error["code"], error["field"]) == ("schema-error", "code")
    expected = {
        "en": "The data dictionary's pattern for 'code' is not a regular expression: a [ is "
        "not closed with ], at character 1.",
        "zh-hant": "欄位說明中「code」的樣式不是有效的正規表示式："
        "有個 [ 沒有用 ] 結束（第 1 個字元）",
    }[language]
    assert expected in job.error
    assert resource.current_version is None


def test_a_new_data_dictionary_ingests_the_same_file_again_under_it(
    django_capture_on_commit_callbacks,
):
    _job, resource = ingest_bytes(b"code,n\n007,1\n010,2\n")
    assert {c["id"]: c["type"] for c in resource.current_version.columns}["n"] == "integer"
    editor = MembershipFactory(organization=resource.dataset.organization, role="editor").user

    resource_update(resource=resource, by=editor, description_en="Codes and counts")
    assert resource.ingest_jobs.count() == 1  # nothing to do for a description
    resource_update(
        resource=resource, by=editor, schema={"fields": [{"name": "n", "type": "string"}]}
    )

    job = resource.ingest_jobs.latest("created_at")
    assert (job.status, job.source) == (IngestJob.Status.QUEUED, "rerun")
    ingest_run(job=job)
    resource.refresh_from_db()
    assert resource.current_version.number == 2
    assert {c["id"]: c["type"] for c in resource.current_version.columns}["n"] == "text"


def test_same_file_twice_makes_no_new_version_and_a_finished_job_is_not_rerun():
    job, resource = ingest_bytes(GOOD)
    again = ingest(resource)

    assert again.status == IngestJob.Status.SUCCEEDED
    assert again.stage == "unchanged"
    assert resource.versions.count() == 1
    ingest_run(job=job)  # delivered twice: nothing happens
    assert resource.versions.count() == 1


def test_two_identical_active_jobs_only_one_runs():
    _job, resource = ingest_bytes(GOOD)
    replace_file(resource, b"a\n1\n")
    running = IngestJobFactory(resource=resource, status=IngestJob.Status.RUNNING, attempts=1)
    import hashlib

    running.sha256 = hashlib.sha256(b"a\n1\n").hexdigest()
    running.save()

    second = ingest(resource)

    assert second.stage == "duplicate"
    assert resource.versions.count() == 1


def test_a_job_found_running_is_retried_once_then_failed_with_an_explanation():
    _job, resource = ingest_bytes(GOOD)
    first = resource.current_version
    replace_file(resource, b"id\n5\n")
    # The worker died during the first attempt and left its half-loaded table behind.
    leftover = table_name_for(resource.pk, 2)
    create_version_table(table_name=leftover, columns=[{"id": "id", "type": "integer"}])
    retried = IngestJobFactory(
        resource=resource, status=IngestJob.Status.RUNNING, attempts=1, options={"language": "en"}
    )

    ingest_run(job=retried)

    retried.refresh_from_db()
    assert retried.status == IngestJob.Status.SUCCEEDED, retried.error
    assert retried.attempts == 2
    resource.refresh_from_db()
    assert rows_of(resource.current_version) == [{"id": 5}]

    twice = IngestJobFactory(
        resource=resource, status=IngestJob.Status.RUNNING, attempts=2, options={"language": "en"}
    )
    ingest_run(job=twice)
    twice.refresh_from_db()
    assert twice.status == IngestJob.Status.FAILED
    assert "stopped twice" in twice.error
    assert first.pk != resource.current_version_id


def test_work_directories_left_by_killed_attempts_are_swept(settings, tmp_path):
    # A worker killed outright (out of memory, a lost machine) runs no clean-up: its copy
    # of the file and DuckDB's staging files stay on disk until the next ingestion there.
    work = tmp_path / "work"
    work.mkdir()
    settings.INGEST_WORK_DIR = str(work)
    resource = resource_with_file(GOOD)
    job = IngestJobFactory(resource=resource, options={"language": "en"})
    finished = IngestJobFactory(status=IngestJob.Status.SUCCEEDED)
    running = IngestJobFactory(status=IngestJob.Status.RUNNING)
    stuck = IngestJobFactory(status=IngestJob.Status.RUNNING)

    def leftover(name: str, age: float = 0) -> None:
        (work / name).mkdir()
        (work / name / "chunk_0.csv").write_bytes(b"x" * 1000)
        if age:
            moment = time.time() - age
            os.utime(work / name, (moment, moment))

    leftover(f"job-{job.pk}-earlier")  # this job's own attempt before a redelivery
    leftover(f"job-{finished.pk}-a")
    leftover(f"job-{running.pk}-b")  # another worker on this machine is at it
    leftover(f"job-{stuck.pk}-c", age=settings.CELERY_TASK_TIME_LIMIT + 60)
    leftover(f"job-{uuid.uuid4().int % 10**9 + 10**9}-d")  # its job was deleted
    (work / "not-ours").mkdir()

    ingest_run(job=job)

    job.refresh_from_db()
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert sorted(p.name for p in work.iterdir()) == [f"job-{running.pk}-b", "not-ours"]


def test_another_sites_work_directories_on_the_machine_are_left_alone(settings, tmp_path):
    # Two sites on one machine (staging beside production, a demo beside either), each
    # with its own database and so its own job numbers, both in the default folder: the
    # sweep took the other's job 12, still loading, for a finished job 12 of its own.
    settings.INGEST_WORK_DIR = None
    tempfile.tempdir = tmp_path
    finished = IngestJobFactory(status=IngestJob.Status.SUCCEEDED)
    others = [
        tmp_path / "portal-ingest" / f"job-{finished.pk}-loading",  # before this change
        tmp_path / "portal-ingest-0123456789ab" / f"job-{finished.pk}-loading",
    ]
    for folder in others:
        folder.mkdir(parents=True)
        (folder / "load_0.csv").write_bytes(b"a\n1\n")
    resource = resource_with_file(GOOD)
    job = IngestJobFactory(resource=resource, options={"language": "en"})

    try:
        ingest_run(job=job)
    finally:
        tempfile.tempdir = None

    job.refresh_from_db()
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert all((folder / "load_0.csv").exists() for folder in others)


def test_progress_never_goes_back_and_moves_while_the_file_is_read_row_by_row(monkeypatch):
    # A short row near the end: DuckDB types part of the file before the Python path takes
    # over. The bar went back from 25% to 10% then, and stayed there while the first pass
    # read the whole file (45 seconds for 400,000 rows), only the row count moving.
    from datasets.ingest import pipeline

    seen = []
    set_fields = pipeline._set

    def recording_set(job, **fields):
        set_fields(job, **fields)
        seen.append((job.stage, job.progress))

    monkeypatch.setattr(pipeline, "_set", recording_set)
    monkeypatch.setattr(pipeline, "BATCH_CELLS", 3_000)  # 1,000 rows a batch
    lines = [f"{i},name {i},{i * 1.5}" for i in range(1, 4001)]
    lines[3500] = "3501,short"
    data = ("id,name,value\n" + "\n".join(lines) + "\n").encode()

    job, resource = ingest_bytes(data)

    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert any(e["code"] == "missing-cell" for e in resource.current_version.report["warnings"])
    progress = [p for stage, p in seen if stage not in ("fetch", "read")]
    assert progress == sorted(progress)
    reading = {p for stage, p in seen if stage == "analyse"}
    assert len(reading) >= 5  # the start, then batch by batch


def test_only_the_last_versions_keep_their_tables(settings):
    settings.INGEST_KEEP_VERSIONS = 2
    _job, resource = ingest_bytes(b"a\n1\n")
    for n in (2, 3):
        replace_file(resource, f"a\n{n}\n".encode())
        assert ingest(resource).status == IngestJob.Status.SUCCEEDED

    versions_prune(resource=resource)  # on_commit does not fire inside a test transaction

    oldest, *newer = resource.versions.order_by("number")
    assert oldest.dropped_at is not None
    assert oldest.table_name not in version_tables()
    assert all(v.dropped_at is None and v.table_name in version_tables() for v in newer)
    assert rows_of(resource.current_version) == [{"a": 3}]


def test_orphan_tables_are_dropped_but_a_table_being_loaded_is_kept():
    job, resource = ingest_bytes(GOOD)
    orphan = table_name_for(uuid.uuid4(), 1)
    create_version_table(table_name=orphan, columns=[{"id": "a", "type": "text"}])
    loading = table_name_for(resource.pk, 9)
    create_version_table(table_name=loading, columns=[{"id": "a", "type": "text"}])
    IngestJobFactory(
        resource=resource,
        status=IngestJob.Status.RUNNING,
        options={"_table": loading},
        heartbeat_at=job.finished_at,
    )

    dropped = datastore_orphans_drop()

    assert dropped == [orphan]
    assert resource.current_version.table_name in version_tables()
    assert loading in version_tables()


def test_personal_data_holds_the_version_until_an_editor_decides():
    data = (
        b"name,email,mobile,national_id,card,iban\n"
        b"A,a@example.org,0912-345-678,A123456789,4111 1111 1111 1111,DE89370400440532013000\n"
        b"B,b@example.org,+886 912 345 678,B142003005,5500005555555559,GB82WEST12345698765432\n"
    )
    job, resource = ingest_bytes(data)

    version = resource.versions.get()
    assert job.status == IngestJob.Status.SUCCEEDED and job.stage == "awaiting_confirmation"
    assert resource.current_version is None
    assert version.personal_data == ResourceVersion.PersonalData.FLAGGED
    kinds = {(f["column"], f["kind"]) for f in version.personal_data_findings}
    assert kinds == {
        ("email", "email"),
        ("mobile", "phone"),
        ("national_id", "national_id"),
        ("card", "credit_card"),
        ("iban", "iban"),
    }

    member = MembershipFactory(organization=resource.dataset.organization, role="member").user
    with pytest.raises(PermissionDenied):
        version_personal_data_decide(version=version, by=member, not_personal=True)
    editor = MembershipFactory(organization=resource.dataset.organization, role="editor").user
    version_personal_data_decide(version=version, by=editor, not_personal=True)

    resource.refresh_from_db()
    version.refresh_from_db()
    assert resource.current_version == version
    assert version.personal_data_decided_by == editor
    assert version.personal_data == ResourceVersion.PersonalData.CLEARED


def test_personal_data_checks():
    assert pii.is_tw_national_id("A123456789")
    assert not pii.is_tw_national_id("A123456788")
    assert pii.luhn("4111111111111111") and not pii.luhn("4111111111111112")
    assert pii.is_iban("GB82 WEST 1234 5698 7654 32") and not pii.is_iban("GB00WEST12345698765432")


@pytest.mark.parametrize(
    "value",
    [
        "a.b+c@example.org", "0912345678", "+886-912-345-678", "(02)2345-6789",
        "02 2345 6789", "+1 (415) 555 2671", "+44 20 7946 0958", " a123456789 ",
        "4111-1111-1111-1111", "gb82 west 1234 5698 7654 32", "DE89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432", "2024-01-05", "臺北市", "12345", "POINT (121.5 25.0)",
    ],
)  # fmt: skip
def test_the_scanner_finds_each_value_every_check_accepts(value):
    scanner = pii.Scanner(1)

    scanner.observe_batch(0, [value])

    accepted = {kind for kind, test in pii.KINDS.items() if test(value.strip())}
    assert {kind for kind, n in scanner.matches[0].items() if n} == accepted


def test_profile_counts_empties_distinct_top_values_and_histogram():
    data = "city,n\n" + "".join(f"{'臺北' if i % 3 else '高雄'},{i}\n" for i in range(100))
    data += ",50\n"

    _job, resource = ingest_bytes(data.encode())

    profile = resource.current_version.profile
    assert profile["rows"] == 101
    city, n = profile["columns"]["city"], profile["columns"]["n"]
    assert city["empty"] == 1 and city["distinct"] == 2
    assert city["top"][0] == {"value": "臺北", "count": 66}
    assert (n["min"], n["max"], n["mean"]) == (0, 99, 5000 / 101)
    assert sum(b["count"] for b in n["histogram"]) == 101


def test_derived_downloads_open_in_excel_and_escape_formulas():
    data = 'name,amount,when,note\n"=HYPERLINK(""x"")",-5,2024-01-05,@SUM(A1)\nok,7,,-x\n'
    _job, resource = ingest_bytes(data.encode())
    version = resource.current_version

    written = version_downloads_write(version=version)

    assert set(written) == {"csv", "json", "xlsx", "parquet"}
    with default_storage.open(written["csv"], "rb") as f:
        raw = f.read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["name", "amount", "when", "note"]
    assert rows[1] == ['\'=HYPERLINK("x")', "-5", "2024-01-05", "'@SUM(A1)"]
    assert rows[2][3] == "'-x"
    with default_storage.open(written["json"]) as f:
        assert json.load(f)[1] == {"name": "ok", "amount": 7, "when": None, "note": "-x"}
    import duckdb

    with default_storage.open(written["parquet"]) as f:
        path = f.name
    assert duckdb.read_parquet(path).sum("amount").fetchall() == [(2,)]
    assert escape_formula("-1.5") == "-1.5" and escape_formula("\tx") == "'\tx"
    assert escape_formula("-1\n") == "'-1\n"  # not a number: it goes on to a second line
    assert escape_formula("-١") == "'-١"  # as PostgreSQL's CSV: ASCII digits only


def _derived(resource) -> dict:
    """{format: bytes} of the derived downloads of the live version."""
    files = {}
    for fmt, name in version_downloads_write(version=resource.current_version).items():
        with default_storage.open(name, "rb") as f:
            files[fmt] = f.read()
    return files


def _sheet_rows(content: bytes) -> list[tuple]:
    from openpyxl import load_workbook

    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


def test_derived_xlsx_keeps_text_as_published_and_large_integers_exact():
    data = "等級,備註,地號\n+A 區,=1+1,9007199254740993\n-B 區,@home,12\n"
    _job, resource = ingest_bytes(data.encode())

    rows = _sheet_rows(_derived(resource)["xlsx"])

    # Text cells are never run, so nothing is added to them (the CSV has the apostrophe).
    assert rows[1][:2] == ("+A 區", "=1+1") and rows[2][:2] == ("-B 區", "@home")
    # A spreadsheet number would be 9007199254740992.
    assert rows[1][2] == "9007199254740993" and rows[2][2] == 12


def test_a_control_character_in_a_cell_leaves_every_download_written():
    _job, resource = ingest_bytes(b"name,n\na\x0bb,1\nc,2\n")

    files = _derived(resource)

    assert set(files) == {"csv", "json", "xlsx", "parquet"}
    assert json.loads(files["json"])[0]["name"] == "a\x0bb"  # kept where it can be
    assert _sheet_rows(files["xlsx"])[1] == ("ab", 1)  # XML cannot hold it


@pytest.mark.parametrize("separator", [";", "|"])
def test_a_one_column_table_with_separators_in_its_values_gets_its_parquet(separator):
    lines = ["路線", f"板南線{separator}淡水信義線", f"環狀線{separator}文湖線"]
    _job, resource = ingest_bytes(("\n".join(lines) + "\n").encode())

    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(_derived(resource)["parquet"]))
    assert table.to_pylist() == [{"col_1": line} for line in lines[1:]]


def test_derived_parquet_gives_times_in_the_citys_time_as_the_file_wrote_them(settings):
    import pyarrow.parquet as pq

    settings.TIME_ZONE = "Asia/Taipei"
    _job, resource = ingest_bytes("站名,更新時間\n市政府,2025-03-01 08:00\n".encode())

    table = pq.read_table(io.BytesIO(_derived(resource)["parquet"]))
    (row,) = table.to_pylist()
    assert row["col_2"].isoformat() == "2025-03-01T08:00:00+08:00"


def test_a_format_that_cannot_be_written_leaves_the_others(monkeypatch):
    from datasets.ingest import downloads

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(downloads, "_write_xlsx", broken)
    _job, resource = ingest_bytes(b"name,n\na,1\n")

    assert set(_derived(resource)) == {"csv", "json", "parquet"}
    assert set(resource.current_version.downloads) == {"csv", "json", "parquet"}


def test_derived_csv_writes_booleans_as_the_data_api_does(client):
    _job, resource = ingest_bytes("名稱,啟用\n甲,是\n乙,否\n".encode())

    derived = _derived(resource)["csv"].decode("utf-8-sig")
    response = client.get(f"/api/v1/resources/{resource.pk}/data/", {"format": "csv"})
    api = b"".join(response.streaming_content).decode("utf-8-sig")

    assert list(csv.reader(io.StringIO(derived)))[1:] == [["甲", "true"], ["乙", "false"]]
    assert [row[1:] for row in csv.reader(io.StringIO(api))][1:] == [
        ["甲", "true"],
        ["乙", "false"],
    ]


def test_errors_are_written_in_the_publishers_language():
    resource = resource_with_file(b"a,b\n1,2,3\n")
    job = IngestJobFactory(resource=resource, options={"language": "zh-hant"})

    ingest_run(job=job)

    job.refresh_from_db()
    assert job.status == IngestJob.Status.FAILED
    assert "第 2 列在第 3 欄有值" in job.error


def test_latitude_longitude_columns_give_a_geojson_download():
    data = "站名,緯度,經度\n市政府,25.0408,121.5679\n未定位,,\n".encode()
    _job, resource = ingest_bytes(data)
    version = resource.current_version

    written = version_downloads_write(version=version)

    assert "geojson" in written
    with default_storage.open(written["geojson"]) as f:
        features = json.load(f)["features"]
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [121.5679, 25.0408]}
    assert features[0]["properties"]["col_1"] == "市政府"
    assert features[1]["geometry"] is None  # a row without a position stays, unplaced


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Row 3 has a value in column 3"), ("zh-hant", "第 3 列在第 3 欄有值")],
)
def test_errors_follow_the_language_of_the_person_who_uploaded(language, expected):
    from django.utils import translation

    from datasets.services.ingestion import ingest_enqueue

    resource = resource_with_file(b"a,b\n1,2\n3,4,5\n")
    editor = MembershipFactory(organization=resource.dataset.organization, role="editor").user
    with translation.override(language):
        job = ingest_enqueue(resource=resource, by=editor)

    ingest_run(job=job)

    job.refresh_from_db()
    assert job.options["language"] == language
    assert expected in job.error


def _stored_derived(version) -> list[str]:
    if not default_storage.exists("derived"):
        return []
    _folders, names = default_storage.listdir("derived")
    return [n for n in names if n.startswith(version.table_name + ".")]


# As in a worker: each statement commits, and one failing does not abort the others.
@pytest.mark.django_db(transaction=True)
def test_a_file_deleted_while_its_downloads_are_written_leaves_none_behind(monkeypatch):
    """The derived-download task runs after a version goes live; the publisher may delete
    the file meanwhile. The files it writes then belong to nothing: none may stay."""
    from datasets.ingest import downloads
    from datasets.services import catalog
    from datasets.tasks import version_downloads_task
    from tests.factories import editor_of

    _job, resource = ingest_bytes(b"name,n\nA,1\nB,2\n")
    version = resource.current_version
    editor = editor_of(resource.dataset.organization)
    write_parquet = downloads._write_parquet

    def deleted_meanwhile(*args):
        write_parquet(*args)
        catalog.resource_delete(resource=resource, by=editor)

    monkeypatch.setattr(downloads, "_write_parquet", deleted_meanwhile)
    version_downloads_task(version.pk)  # ends quietly: nothing is left to write for

    assert not ResourceVersion.objects.filter(pk=version.pk).exists()
    assert _stored_derived(version) == []


@pytest.mark.django_db(transaction=True)
def test_a_table_dropped_while_its_rows_are_read_ends_the_download_task_quietly(monkeypatch):
    from datasets.datastore import load
    from datasets.ingest import downloads
    from datasets.tasks import version_downloads_task

    _job, resource = ingest_bytes(b"name,n\nA,1\nB,2\n")
    version = resource.current_version
    for name in version.downloads.values():  # written once the version went live
        default_storage.delete(name)
    ResourceVersion.objects.filter(pk=version.pk).update(downloads={})
    monkeypatch.setattr(downloads, "CHUNK", 1)
    rows = downloads.version_rows

    def pruned_meanwhile(version):
        for number, row in enumerate(rows(version)):
            if number == 1:  # the version is pruned between two chunks
                ResourceVersion.objects.filter(pk=version.pk).update(dropped_at="2024-01-01T00:00Z")
                load.drop_version_table(table_name=version.table_name)
            yield row

    monkeypatch.setattr(downloads, "version_rows", pruned_meanwhile)
    version_downloads_task(version.pk)

    assert ResourceVersion.objects.get(pk=version.pk).downloads == {}
    assert _stored_derived(version) == []
