"""`ingest_run`: drive one IngestJob from its file to a live datastore table.

The file is streamed twice: the first pass infers types, checks the shape of rows and
scans for personal data; the second converts, validates against the final types and the
data dictionary, profiles and loads. Memory stays flat whatever the file size. Nothing
the public sees changes until `version_publish` flips the resource in one transaction.
"""

import hashlib
import logging
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, connections, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from datasets.datastore import load
from datasets.datastore.schema import table_name_for
from datasets.ingest import columnar, conf, decode, pii, read, types, validate
from datasets.ingest.errors import IngestError, Stored, Text, TooLarge, translations
from datasets.ingest.profile import ColumnProfile, histogram, histogram_bins
from datasets.models import IngestJob, Resource

logger = logging.getLogger(__name__)
# Cells held at once, column-wise: 50,000 rows of ten columns, fewer rows of wider files.
BATCH_CELLS = 500_000
LOADED = 0.85  # the progress bar once the rows are in, before the indexes
NOTE_CHARS = 300  # of the notes below a table quoted in the report


class JobGone(Exception):
    """The job's resource, and the job with it, was deleted while the job ran."""


def _set(job: IngestJob, **fields) -> None:
    fields["heartbeat_at"] = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    if not IngestJob.objects.filter(pk=job.pk).update(**fields):
        raise JobGone


def ingest_run(*, job: IngestJob) -> IngestJob:
    """Run the job unless it already finished; safe to call twice for the same job.

    A job found RUNNING was interrupted (the worker died and the broker redelivered it):
    it gets one more attempt, then fails with an explanation."""
    job.refresh_from_db()
    if job.status in (IngestJob.Status.SUCCEEDED, IngestJob.Status.FAILED):
        return job
    language = job.options.get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            _attempt(job)
        except JobGone:
            if job.options.get("_table"):
                load.drop_version_table(table_name=job.options["_table"])
            logger.info("ingest job %s stopped: its resource was deleted", job.pk)
    return job


def _attempt(job: IngestJob) -> None:
    """One attempt at the job, its failure recorded; JobGone if the job was deleted."""
    if job.status == IngestJob.Status.RUNNING and job.attempts >= 2:
        _fail(
            job,
            IngestError(
                _(
                    "The ingestion stopped twice without finishing (the worker was "
                    "interrupted, possibly out of memory). Any previous version is kept. "
                    "Try again later or contact the site team."
                ),
                code="worker-lost",
            ),
        )
        return
    _set(
        job,
        status=IngestJob.Status.RUNNING,
        attempts=job.attempts + 1,
        started_at=job.started_at or timezone.now(),
        stage="fetch",
        progress=0.0,
    )
    workdir = _workdir(job)
    try:
        _run(job, workdir)
    except Exception as exc:
        if isinstance(exc, JobGone) or not IngestJob.objects.filter(pk=job.pk).exists():
            raise JobGone from exc
        if not isinstance(exc, IngestError):
            logger.exception("ingest job %s crashed", job.pk)
            exc = IngestError(
                _(
                    "The ingestion failed because of an error on our side. Any previous "
                    "version is kept; the site team has been told."
                ),
                code="internal-error",
            )
        _fail(job, exc)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _workdir(job: IngestJob) -> Path:
    """A fresh work directory for this attempt. Leftovers of attempts killed outright
    (out of memory, a lost machine: no `finally` ran) are removed first, each machine
    sweeping its own folder: those of this job's earlier attempts, of jobs no longer
    running, and any older than the hard time limit (no attempt outlives it). A job
    another worker on this machine is running keeps its own."""
    root = _work_root()
    root.mkdir(parents=True, exist_ok=True)
    found: dict[int, list[Path]] = {}
    for entry in root.glob("job-*-*"):
        number = entry.name.split("-")[1]
        if number.isdigit():
            found.setdefault(int(number), []).append(entry)
    running = set(
        IngestJob.objects.filter(pk__in=found, status=IngestJob.Status.RUNNING)
        .exclude(pk=job.pk)
        .values_list("pk", flat=True)
    )
    oldest = time.time() - settings.CELERY_TASK_TIME_LIMIT
    for number, entries in found.items():
        for entry in entries:
            if number not in running or _modified(entry) < oldest:
                logger.info("removing the work directory %s left by a stopped attempt", entry)
                shutil.rmtree(entry, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"job-{job.pk}-", dir=root))


def _work_root() -> Path:
    """The folder the work directories go in: INGEST_WORK_DIR, else one in the system's
    temporary folder for this site's database. The sweep goes by job numbers, which
    only mean something in one database: two sites on a machine (staging beside
    production, a demo beside either) sharing a folder removed each other's files
    mid-ingestion, and the publisher saw "an error on our side"."""
    if conf.get("WORK_DIR"):
        return Path(conf.get("WORK_DIR"))
    database = connections[IngestJob.objects.db].settings_dict
    site = "|".join(str(database.get(key) or "") for key in ("ENGINE", "HOST", "PORT", "NAME"))
    digest = hashlib.sha256(site.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"portal-ingest-{digest}"


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _fail(job: IngestJob, error: IngestError, report: dict | None = None) -> None:
    if job.options.get("_table"):
        load.drop_version_table(table_name=job.options["_table"])
    options = {k: v for k, v in job.options.items() if k not in ("_table", "unreadable")}
    if report is not None:
        options["report"] = report
    if error.unreadable:
        options["unreadable"] = True  # the report offers no other reading settings then
    _set(
        job,
        status=IngestJob.Status.FAILED,
        error=str(error.message),
        error_translations=translations(error.message),
        error_code=error.code,
        finished_at=timezone.now(),
        options=options,
    )


def _local_copy(job: IngestJob, workdir: Path) -> tuple[Path, str, dict]:
    """The file to ingest as a local path, its display name, and fetch metadata."""
    resource = job.resource
    if resource.url_type == Resource.UrlType.LINK:
        from datasets.ingest.fetch import fetch_to_file

        result = fetch_to_file(
            resource.url,
            workdir / "fetched",
            etag=resource.remote_etag if job.source == "refresh" else "",
            last_modified=resource.remote_last_modified if job.source == "refresh" else "",
        )
        return (
            result.path,
            result.name,
            {
                "etag": result.etag,
                "last_modified": result.last_modified,
                "not_modified": result.not_modified,
            },
        )
    if not resource.file:
        raise IngestError(_("The resource has no file to ingest."), code="source-error")
    try:
        return Path(default_storage.path(resource.file.name)), resource.file.name, {}
    except NotImplementedError:
        # Remote storage: stream a local copy, readers need random access.
        target = workdir / Path(resource.file.name).name
        with resource.file.open("rb") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
        return target, resource.file.name, {}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            size += len(chunk)
            if size > conf.get("MAX_BYTES"):
                raise TooLarge(conf.get("MAX_BYTES"))
            digest.update(chunk)
    return digest.hexdigest()


def _run(job: IngestJob, workdir: Path) -> None:
    resource = job.resource
    path, name, remote = _local_copy(job, workdir)
    if remote.get("not_modified"):
        _finish_unchanged(job, resource, remote)
        return
    sha256 = _sha256(path)
    current = resource.current_version
    if current and current.sha256 == sha256 and job.source != "rerun":
        job.sha256 = sha256
        _finish_unchanged(job, resource, remote)
        return
    try:
        with transaction.atomic():
            _set(job, sha256=sha256, stage="read", progress=0.05)
    except IntegrityError:
        # Another job is already ingesting this very file for this resource.
        _set(
            job,
            status=IngestJob.Status.SUCCEEDED,
            stage="duplicate",
            sha256=sha256,
            progress=1.0,
            finished_at=timezone.now(),
        )
        return
    options = {**resource.ingest_options, **job.options}
    fmt, table = read.open_table(
        path, Path(name).name, options, workdir, on_rows=lambda rows: _set(job, rows=rows)
    )
    try:
        _ingest_table(
            job, resource, table, fmt=fmt, sha256=sha256, path=path, remote=remote, workdir=workdir
        )
    finally:
        read.cleanup(table)


def _finish_unchanged(job, resource, remote) -> None:
    _record_remote(resource, remote)
    _set(
        job,
        status=IngestJob.Status.SUCCEEDED,
        stage="unchanged",
        progress=1.0,
        version=resource.current_version,
        finished_at=timezone.now(),
    )


def _record_remote(resource: Resource, remote: dict) -> None:
    if remote:
        resource.remote_etag = remote.get("etag") or ""
        resource.remote_last_modified = remote.get("last_modified") or ""
        resource.last_fetched_at = timezone.now()
        resource.save(update_fields=["remote_etag", "remote_last_modified", "last_fetched_at"])


def _ingest_table(job, resource, table, *, fmt, sha256, path, remote, workdir) -> None:
    """Clean delimited text goes the columnar way (DuckDB, then COPY of its output);
    everything else, and any file columnar.stage is not sure about, row by row."""
    report = validate.Report()
    decode.user_defined_count(reset=True)  # counted as the passes decode the file
    if len(table.labels) > MAX_COLUMNS:
        raise IngestError(
            Text(
                _(
                    "The table has %(columns)s columns; at most %(maximum)s can be loaded. "
                    "Split it into several files, or turn columns into rows (one row per "
                    "year, say, instead of one column per year)."
                ),
                columns=len(table.labels),
                maximum=MAX_COLUMNS,
            ),
            code="source-error",
        )
    columns = validate.repair_header(table.labels, report)
    for code, message, column in table.warnings:
        label = columns[column - 1]["label"]
        report.add(code, message, column=column, field=label, warning=True)
    _report_unsaved_formulas(report, columns, table)
    _report_error_cells(report, columns, table)
    _report_notes(report, table)
    declared = validate.apply_dictionary(columns, resource.schema, report)
    null_tokens = set((resource.schema or {}).get("missingValues") or conf.get("NULL_TOKENS"))
    staged = None
    if not report.errors and columnar.eligible(table, declared, null_tokens):
        _set(job, stage="analyse", progress=0.1)
        staged = columnar.stage(
            table=table,
            columns=columns,
            declared=declared,
            null_tokens=null_tokens,
            workdir=workdir,
            vendor=connections[settings.DATASTORE_DATABASE].vendor,
            # A column retyped after a late misfit runs the pass again: never backwards.
            on_progress=lambda done: _set(job, progress=max(job.progress, 0.1 + 0.3 * done)),
        )
    publish = {"job": job, "resource": resource, "table": table, "fmt": fmt}
    publish |= {"sha256": sha256, "path": path, "remote": remote, "report": report}
    if staged is None:
        _ingest_rows(columns, declared, null_tokens, publish)
        return
    _report_type_fallbacks(report, columns, staged.ruled_out, declared, table)
    using = settings.DATASTORE_DATABASE
    number, table_name = _claim_table(job, resource, progress=0.4)
    load.create_version_table(table_name=table_name, columns=columns)
    loaded = load.copy_csv_files(
        table_name=table_name,
        columns=columns,
        paths=staged.paths,
        using=using,
        on_part=lambda rows: _set(
            job, rows=rows, progress=0.4 + (LOADED - 0.4) * rows / staged.rows
        ),
    )
    _index(job, table_name, columns, using, rows=loaded)
    _publish(number, table_name, columns, loaded, staged.profile, staged.findings, **publish)


def _report_user_defined(report, table) -> None:
    """Point out CP950's user-defined characters (造字), kept as private-use characters:
    they show as meant only where the agency's own font is installed."""
    path = getattr(table, "path", None)
    if not decode.user_defined_count() or path is None:
        return
    count, line = decode.user_defined_lines(path, table.encoding)
    if not count:
        return
    report.add(
        "user-defined-character",
        Text(
            _(
                "Characters from the agency's own set (造字, user-defined in CP950): "
                "%(count)s, the first in row %(row)s. They were kept as private-use "
                "characters, which show as meant only where the agency's font is "
                "installed. Replace them with standard characters where you can."
            ),
            count=count,
            row=line,
        ),
        row=line,
        warning=True,
    )


def _report_notes(report, table) -> None:
    """Say which rows below the table (a sheet's or a CSV file's) were read as notes, not
    data, and what they say: the publisher sees what was left out and can move it to the
    description."""
    if not table.notes:
        return
    first, last = table.notes[0][0], table.notes[-1][0]
    said = " / ".join(text for _row, text in table.notes)
    if len(said) > NOTE_CHARS:
        said = said[: NOTE_CHARS - 1] + "…"
    if first == last:
        message = _("Row %(first)s, below the table, reads as a note and was left out: %(text)s")
    else:
        message = _(
            "Rows %(first)s to %(last)s, below the table, read as notes and were left out: %(text)s"
        )
    report.add(
        "note-rows", Text(message, first=first, last=last, text=said), row=first, warning=True
    )


# Row labels of a statistical table's totals (whole city, subtotals), compared lower-cased.
TOTAL_LABELS = frozenset(
    ("總計", "合計", "總和", "總數", "共計", "小計", "全市", "total", "grand total", "subtotal")
)


def _report_total_rows(report, columns, profile) -> None:
    """Warn about rows labelled as totals (總計, 合計, Total) in the first text column of a
    table with numbers: adding up the column, or a chart of it, counts their rows twice.
    Taken from the profile's top values, which hold every value of a small table."""
    if not any(c["type"] in ("integer", "number") for c in columns):
        return
    number, column = next(
        ((n, c) for n, c in enumerate(columns, start=1) if c["type"] == "text"), (0, None)
    )
    if column is None:
        return
    top = (profile.get("columns", {}).get(column["id"]) or {}).get("top") or []
    totals = [t["value"] for t in top if str(t["value"]).strip().lower() in TOTAL_LABELS]
    if not totals:
        return
    report.add(
        "total-row",
        Text(
            _(
                "Rows with %(values)s in %(label)s look like totals of other rows: adding up "
                "the table or charting it counts those rows twice. Leave them out of the "
                "file, or leave them out when adding up."
            ),
            values="、".join(sorted(totals)),
            label=column["label"],
        ),
        column=number,
        field=column["label"],
        warning=True,
    )


def _report_unsaved_formulas(report, columns, table) -> None:
    """Warn about a workbook's columns whose formulas were saved without their results:
    every reader finds those cells empty, and the data is not in the file."""
    for number, (row, cells) in sorted(table.unsaved_formulas.items()):
        if number > len(columns):
            continue
        label = columns[number - 1]["label"]
        report.add(
            "formula-without-value",
            Text(
                _(
                    "Column %(column)s (%(label)s) has %(n)s formulas whose results were not "
                    "saved in the workbook, the first in row %(row)s: those cells are empty. "
                    "Open the workbook in Excel or LibreOffice, save it and upload it again."
                ),
                column=number,
                label=label,
                n=cells,
                row=row,
            ),
            row=row,
            column=number,
            field=label,
            warning=True,
        )


def _report_error_cells(report, columns, table) -> None:
    """Warn about a workbook's columns with cells showing an error (#DIV/0!, #N/A): every
    reader finds them empty, and a column of numbers would otherwise look complete."""
    for number, (row, cells, error) in sorted(table.error_cells.items()):
        if number > len(columns):
            continue
        label = columns[number - 1]["label"]
        report.add(
            "error-cell",
            Text(
                _(
                    "Column %(column)s (%(label)s) has cells showing an error (%(n)s, such "
                    "as %(error)s), the first in row %(row)s: those cells are empty. Correct "
                    "the formulas in the workbook and upload it again."
                ),
                column=number,
                label=label,
                n=cells,
                error=error[:40],
                row=row,
            ),
            row=row,
            column=number,
            field=label,
            warning=True,
        )


def _index(job, table_name: str, columns, using: str, **fields) -> None:
    """Build the table's indexes, the progress bar moving from 87% to 95% as each is done
    (on a wide file they take a while: 200 b-trees for 300 columns)."""
    _set(job, stage="index", progress=0.87, **fields)
    load.create_indexes(
        table_name=table_name,
        columns=columns,
        using=using,
        on_index=lambda built: _set(job, progress=0.87 + 0.08 * built),
    )


def _claim_table(job, resource, *, progress: float) -> tuple[int, str]:
    """The next version number and its table name, recorded on the job first so that the
    orphan cleanup leaves the table alone while it loads."""
    with transaction.atomic():
        # One claim at a time per resource. A job reading a file that replaced another
        # may run beside the one still reading the old file: each gets its own number.
        Resource.objects.select_for_update().filter(pk=resource.pk).exists()
        claimed = [
            int(options["_table"].rsplit("_v", 1)[1])
            for options in IngestJob.objects.filter(resource=resource, status__in=IngestJob.ACTIVE)
            .exclude(pk=job.pk)
            .values_list("options", flat=True)
            if options.get("_table")
        ]
        latest = resource.versions.aggregate(n=Max("number"))["n"] or 0
        number = max([latest, *claimed]) + 1
        table_name = table_name_for(resource.pk, number)
        job.options = {**job.options, "_table": table_name}
        _set(job, stage="load", progress=progress, options=job.options)
    load.drop_version_table(table_name=table_name)  # left over by an interrupted attempt
    return number, table_name


def _publish(number, table_name, columns, rows, profile, findings, *, job, resource, table,
             fmt, sha256, path, remote, report) -> None:  # fmt: skip
    _set(job, stage="publish", progress=0.95)
    from datasets.services.ingestion import resource_source, version_publish

    source = _source_info(table, fmt)
    live = resource.current_version
    validate.report_column_changes(report, live.columns if live else None, columns)
    _report_total_rows(report, columns, profile)
    _report_user_defined(report, table)

    version_publish(
        job=job,
        number=number,
        table_name=table_name,
        columns=columns,
        rows=rows,
        sha256=sha256,
        encoding=source["encoding"],
        report=report.as_dict(**source, rows=rows),
        profile=profile,
        findings=findings,
        source_path=path if remote else None,
        # What this job read: `resource` is as the job found it when it started.
        source=resource_source(resource),
    )
    _record_remote(resource, remote)


def _ingest_rows(columns, declared, null_tokens, publish) -> None:
    """The reference path: the file is streamed twice, row by row, in Python."""
    job, resource, table, report = (publish[k] for k in ("job", "resource", "table", "report"))
    fmt = publish["fmt"]
    width = len(columns)
    decimal_comma = table.delimiter == ";"

    # The bar goes on from where it is (the columnar path may have typed part of the file
    # before stepping aside), the first pass taking a third of what is left to loading.
    start = max(job.progress, 0.1)
    middle = start + (LOADED - start) / 3
    expected = _rows_expected(table)

    # Pass 1: shape, types, personal data.
    _set(job, stage="analyse", progress=start)
    inference = types.Inference(width, decimal_comma=decimal_comma)
    scanner = pii.Scanner(width)
    rows = 0
    for numbers, batch in _batches(table, width, null_tokens, report):
        rows += len(numbers)
        for index, values in enumerate(batch):
            present = [v for v in values if v is not None]
            if index not in declared:
                inference.observe_batch(
                    index,
                    present,
                    row_of=lambda at, n=numbers, v=values: n[types.nth_present(v, at)],
                )
            scanner.observe_batch(index, present)
        done = min(1.0, rows / expected) if expected else 0.0
        _set(job, rows=rows, progress=start + (middle - start) * done)
    if rows == 0:
        others = [name for name in table.sheets if name != table.sheet]
        if others:  # a cover sheet, most likely: say where the data may be
            raise IngestError(
                Text(
                    _(
                        "The sheet '%(sheet)s' has a header but no rows of data. The file's "
                        "other sheets: %(others)s. Choose the sheet to read under 'Read the "
                        "file differently' on the validation report."
                    ),
                    sheet=table.sheet,
                    others=lazy(lambda: pgettext("between listed names", ", ").join(others), str)(),
                ),
                code="source-error",
            )
        raise IngestError(_("The file has a header but no rows of data."), code="source-error")
    inferred = inference.result()
    for index, column in enumerate(columns):
        if index in declared:
            column["type"] = declared[index]["type"]
        elif column["label"] in table.hints:
            column["type"] = table.hints[column["label"]]
        else:
            column["type"] = inferred[index]
    _report_type_fallbacks(report, columns, inference.ruled_out, declared, table)
    if report.errors:
        _fail_with_report(job, report, table, fmt)
        return

    # Pass 2: convert, validate, profile, load.
    number, table_name = _claim_table(job, resource, progress=middle)
    load.create_version_table(table_name=table_name, columns=columns)
    converters = [types.converter(c["type"], decimal_comma) for c in columns]
    fast_converters = [
        None if i in declared else types.fast_converter(c["type"], decimal_comma)
        for i, c in enumerate(columns)
    ]
    checkers = {
        i: validate.ConstraintChecker(columns[i], i + 1, d["constraints"], report)
        for i, d in declared.items()
        if d["constraints"]
    }
    profiles = [ColumnProfile(c["type"], width) for c in columns]

    def convert(numbers, index, values):
        column = columns[index]
        if column["type"] == "text":
            return values
        fast = fast_converters[index]
        if fast is not None:
            try:
                return [None if v is None else fast(v) for v in values]
            except (types.Invalid, ValueError, KeyError):
                pass
        convert_one = converters[index]
        try:
            return [None if v is None else convert_one(v) for v in values]
        except (types.Invalid, ValueError):
            pass
        # Only a failing batch pays for the value-by-value walk that names each bad cell.
        out = []
        for row, raw in zip(numbers, values, strict=True):
            value = None
            if raw is not None:
                try:
                    value = convert_one(raw)
                except (types.Invalid, ValueError):
                    report.add(
                        "type-error",
                        Text(
                            _(
                                "Row %(row)s, column %(column)s (%(label)s): '%(value)s' is not "
                                "a valid %(type)s."
                            ),
                            row=row,
                            column=index + 1,
                            label=column["label"],
                            value=raw[:100],
                            type=types.type_name(column["type"]),
                        ),
                        row=row,
                        column=index + 1,
                        field=column["label"],
                    )
            out.append(value)
        return out

    def typed_batches():
        for numbers, batch in _batches(table, width, null_tokens, None):
            typed = []
            for index, values in enumerate(batch):
                converted = convert(numbers, index, values)
                if index in checkers:
                    check = checkers[index].check
                    for row, raw, value in zip(numbers, values, converted, strict=True):
                        check(row, raw, value)
                profiles[index].observe_batch(converted)
                typed.append(converted)
            yield len(numbers), zip(*typed, strict=True)

    loaded = 0
    using = settings.DATASTORE_DATABASE
    for count, batch_rows in typed_batches():
        if report.errors:
            continue  # not publishable: stop loading, but read on to count every problem
        load.load_rows(
            table_name=table_name,
            columns=columns,
            rows=batch_rows,
            using=using,
            first_id=loaded + 1,
        )
        loaded += count
        _set(job, rows=loaded, progress=middle + (LOADED - middle) * loaded / rows)
    if report.errors:
        _fail_with_report(job, report, table, fmt)
        return

    _index(job, table_name, columns, using)
    histograms = _histograms(table_name, columns, profiles, using)
    profile = {
        "rows": loaded,
        "columns": {
            c["id"]: p.result(histogram=histograms.get(c["id"]))
            for c, p in zip(columns, profiles, strict=True)
        },
    }
    findings = scanner.findings(columns, conf.get("PII_THRESHOLD"))
    _publish(number, table_name, columns, loaded, profile, findings, **publish)


def _rows_expected(table) -> int:
    """About how many rows the table has, counted from the lines of its delimited text (a
    value's line breaks count extra: the bar then moves a little slower); 0 where its
    text has no single-byte line feeds to count."""
    if table.path is None or table.encoding.startswith(("utf-16", "utf-32")):
        return 0
    before = table.path_skip if table.path_skip is not None else table.header_row
    return max(0, read.line_count(table.path) - before)


def _batches(table, width: int, null_tokens: set, report):
    """The table in batches of BATCH_CELLS cells, column-wise: (row numbers, [values of each
    column]) with null tokens as None and every row exactly `width` cells. Working a column
    at a time lets the checks run in C (map, all, set, min) instead of cell by cell.
    Shape problems are reported when `report` is given (the first pass only)."""
    numbers: list[int] = []
    records: list = []
    batch_rows = max(1, BATCH_CELLS // max(width, 1))
    nul = {"cells": 0, "first": None}  # cells that held NUL characters, the first's place

    def without_nul(index, values):
        """The values with NUL characters left out: no database stores them in text
        (PostgreSQL refuses them), and legacy exports pad fields with them."""
        if not any("\x00" in v for v in values if v is not None):
            return values
        for at, value in enumerate(values):
            if value is not None and "\x00" in value:
                nul["cells"] += 1
                nul["first"] = nul["first"] or (numbers[at], index + 1)
                values[at] = value.replace("\x00", "")
        return values

    def columns():
        transposed = list(zip(*records, strict=True))
        return [
            without_nul(
                index,
                [
                    None
                    if v is None
                    or v in null_tokens
                    or (
                        (v[:1].isspace() or v.endswith(types.TRAILING_SPACES))
                        and v.strip() in null_tokens
                    )
                    else v
                    for v in values
                ],
            )
            for index, values in enumerate(transposed)
        ]

    def blank(row):
        if report is not None:
            report.add(
                "blank-row",
                Text(_("Row %(row)s is empty and was skipped."), row=row),
                row=row,
                warning=True,
            )

    for row, cells in table.rows():
        if len(cells) != width:
            if not any(c is not None and c.strip() for c in cells):
                blank(row)
                continue
            if report is not None:
                _report_shape(report, row, cells, width)
            cells = list(cells[:width]) + [None] * (width - len(cells))
        elif not any(cells):
            blank(row)
            continue
        numbers.append(row)
        records.append(cells)
        if len(records) >= batch_rows:
            yield numbers, columns()
            numbers, records = [], []
    if records:
        yield numbers, columns()
    if report is not None and nul["cells"]:
        row, column = nul["first"]
        report.add(
            "nul-character",
            Text(
                _(
                    "Cells holding NUL characters (\\u0000), which cannot be stored as "
                    "text: %(cells)s, the first in row %(row)s, column %(column)s. The "
                    "characters were left out."
                ),
                cells=nul["cells"],
                row=row,
                column=column,
            ),
            row=row,
            column=column,
            warning=True,
        )


def _report_shape(report, row: int, cells: list, width: int) -> None:
    if len(cells) > width:
        extra = [i for i in range(width, len(cells)) if cells[i] not in (None, "")]
        if extra:
            report.add(
                "extra-cell",
                Text(
                    _(
                        "Row %(row)s has a value in column %(column)s, past the last named "
                        "column (%(width)s). Remove it or add a column name."
                    ),
                    row=row,
                    column=extra[0] + 1,
                    width=width,
                ),
                row=row,
                column=extra[0] + 1,
            )
    else:
        report.add(
            "missing-cell",
            Text(
                _("Row %(row)s has %(n)s cells instead of %(width)s; the missing ones are empty."),
                row=row,
                n=len(cells),
                width=width,
            ),
            row=row,
            column=len(cells) + 1,
            warning=True,
        )


# PostgreSQL holds at most 1,600 columns in a table, and a row of numbers must fit in a
# page (8 kB: about 1,000 of them, with room left here); no one reads a wider table.
MAX_COLUMNS = 800

# Fewer values than this before the first misfit: the column is text, no hint needed.
FALLBACK_MIN_FITTED = 10


def _report_type_fallbacks(report, columns, ruled_out: list[dict], declared, table) -> None:
    """Warn about each inferred column read as text only because of a value further down:
    the publisher meant dates, say, and one typo made them text. Names the value that
    ruled out the type the column kept longest (the most specific of those on a tie)."""
    for index, column in enumerate(columns):
        if index in declared or column["label"] in table.hints or column["type"] != "text":
            continue
        if not ruled_out[index]:
            continue
        kind, first = max(
            ruled_out[index].items(),
            key=lambda item: (item[1].fitted, -types.ORDER.index(item[0])),
        )
        if first.fitted < FALLBACK_MIN_FITTED:
            continue
        message = _(
            "Column %(column)s (%(label)s) was read as text because of row %(row)s: "
            "'%(value)s' is not a %(kind)s, while the %(fitted)s values before it are. "
            "Correct it to have the column read as %(kind)s."
        )
        if not any(c.isdigit() for c in first.value):  # a marker, perhaps, such as 不詳
            message = _(
                "Column %(column)s (%(label)s) was read as text because of row %(row)s: "
                "'%(value)s' is not a %(kind)s, while the %(fitted)s values before it are. "
                "Correct it to have the column read as %(kind)s, or, if it means no value, "
                "add it to the values that mean 'no value' in the data dictionary."
            )
        report.add(
            "type-fallback",
            Text(
                message,
                column=index + 1,
                label=column["label"],
                row=first.row,
                value=first.value[:80],
                kind=types.type_name(kind),
                fitted=first.fitted,
            ),
            row=first.row,
            column=index + 1,
            field=column["label"],
            warning=True,
        )


def _source_info(table, fmt) -> dict:
    # Spreadsheets and JSON are read through a CSV copy of ours: its delimiter (and for
    # spreadsheets its encoding) is not the file's.
    return {
        "format": fmt,
        "encoding": "" if fmt in read.SPREADSHEETS else table.encoding,
        "delimiter": table.delimiter if fmt == "csv" else "",
        "sheet": table.sheet,
        "sheets": table.sheets,
        "rows_at": table.rows_at,
        "header_row": table.header_row,
        "header_rows": table.header_rows,
    }


def _fail_with_report(job, report, table, fmt) -> None:
    first = report.first_error
    total = report.error_count
    message = Text(
        _("%(n)s problem(s) found; the first: %(first)s"),
        n=total,
        first=Stored(first["message"], first["translations"]),
    )
    _fail(
        job,
        IngestError(message, code=first["code"], row=first["row"], column=first["column"]),
        report=report.as_dict(**_source_info(table, fmt)),
    )


def _histograms(table_name: str, columns, profiles, using: str) -> dict[str, list]:
    """Ten equal-width bins of each numeric column with values, by column id, counted by
    the database rather than in Python: on PostgreSQL in one scan of the table (one per
    column took 16.5 s of a 300-column file's 68)."""
    numeric = [
        (c["id"], *histogram_bins(p.minimum, p.maximum))
        for c, p in zip(columns, profiles, strict=True)
        if c["type"] in ("integer", "number") and p.count
    ]
    if not numeric:
        return {}
    quote = connections[using].ops.quote_name
    table, statements = quote(table_name), []
    if connections[using].vendor == "postgresql":
        # Values are >= low, so truncation is floor(); PostgreSQL's cast would round instead.
        buckets, params = [], []
        for n, (column_id, low, width) in enumerate(numeric):
            buckets.append(f"({n}, floor(({quote(column_id)} - %s) / %s)::int)")
            params += [low, width]
        statements.append(
            (
                f"SELECT v.n, v.b, count(*) FROM {table} "  # noqa: S608
                f"CROSS JOIN LATERAL (VALUES {', '.join(buckets)}) AS v(n, b) "
                f"WHERE v.b IS NOT NULL GROUP BY 1, 2",
                params,
            )
        )
    else:
        # SQLite takes at most 500 terms in a compound SELECT: a statement per 400 columns.
        for start in range(0, len(numeric), 400):
            selects, params = [], []
            for n, (column_id, low, width) in enumerate(numeric[start : start + 400], start):
                col = quote(column_id)
                selects.append(
                    f"SELECT {n}, CAST(({col} - %s) / %s AS INTEGER), count(*) "  # noqa: S608
                    f"FROM {table} WHERE {col} IS NOT NULL GROUP BY 2"
                )
                params += [low, width]
            statements.append((" UNION ALL ".join(selects), params))
    counted = [[] for _ in numeric]
    with connections[using].cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            for n, bucket, count in cursor.fetchall():
                counted[n].append((bucket, count))
    return {
        column_id: histogram(low, width, pairs)
        for (column_id, low, width), pairs in zip(numeric, counted, strict=True)
    }
