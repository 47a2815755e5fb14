"""Turn a file of any ingestible format into a header and rows of text cells.

Every reader yields `(row_number, cells)` where `row_number` is the 1-based row the
publisher sees in the file (header included) and cells are strings or None. Readers are
re-iterable (`Table.rows()` starts over) so the pipeline can stream the file twice
instead of holding it in memory.
"""

import bisect
import codecs
import csv
import functools
import gzip
import itertools
import json
import logging
import math
import os
import posixpath
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path, PurePosixPath, PureWindowsPath

from django.utils.translation import gettext_lazy as _

from datasets.ingest import conf, decode, types
from datasets.ingest.detect import OLE_SIGNATURE, detect_format
from datasets.ingest.errors import IngestError, Text, TooLarge, joined

# A single CSV field may be this large (the stdlib default of 128 KB rejects real files).
csv.field_size_limit(64 * 1024 * 1024)
SNIFF_CHARS = 64 * 1024
DELIMITERS = ",\t;|"
TITLE_SCAN_ROWS = 20
PROGRESS_ROWS = 10_000
# Deeper JSON is not a table (and ijson's memory grows with the square of the depth).
JSON_MAX_DEPTH = 64
# calamine (Rust) reads spreadsheets 5 to 15 times faster than openpyxl and odfpy
# (bench/ingest.py --xlsx) but holds a whole sheet in memory, up to about twice its XML
# (2,000,000 cells with shared strings: 70 MB of XML, 138 MB held). Whole ingestions
# peaked at 281 MB for 250,000 x 10 cells (131 MB of inline-string XML) and 246 MB for
# those 2,000,000 cells. XLSX sheets past this stream through openpyxl.
CALAMINE_MAX_XML = 128 * 1024 * 1024
# odfpy builds a DOM of the whole document (451 MB for 15 MB of XML), so ODS files are
# read by calamine up to this (~280 MB of memory) and refused past it.
ODS_MAX_XML = 256 * 1024 * 1024
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
logger = logging.getLogger(__name__)


@dataclass
class Table:
    labels: list[str]
    # 1-based row of the header in the file (its last when it takes several); 0: none.
    header_row: int
    rows: Callable[[], Iterator[tuple[int, list]]]
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheets: list = field(default_factory=list)  # a workbook's sheet names, in order
    hints: dict = field(default_factory=dict)  # label -> forced type (e.g. geometry)
    # Hinted columns whose cells in `path` are that type's values already, converted
    # (and so checked) on the way into a CSV copy: the columnar path takes them as they are.
    converted: frozenset = frozenset()
    path: Path | None = None  # the delimited text file itself, for the columnar path
    # Lines of `path` before the data when they are not the file's own header rows (a
    # CSV copy of a JSON array has a header line, the file none): data row n of `path`
    # is row header_row + n for the publisher either way.
    path_skip: int | None = None
    # Rows numbered by record rather than by the line each starts on: a CSV copy of ours,
    # where a value's line breaks do not move the rows after it.
    numbered_by_record: bool = False
    # Where the records of such a copy skip rows of the file (blank JSON lines): (first
    # record, rows skipped before it), as they grow. Record n is row header_row + n + the
    # last count at or before n.
    skipped: list = field(default_factory=list)
    # A workbook's formulas without a saved result: {column number: (first row, cells)}.
    unsaved_formulas: dict = field(default_factory=dict)
    # Its cells showing an error: {column number: (first row, cells, the first error)}.
    error_cells: dict = field(default_factory=dict)
    header_rows: int = 1  # rows the header takes, ending at header_row
    # Notes below the table (source, remarks), left out of the rows: (row, text).
    notes: list = field(default_factory=list)
    # Lines at the end of `path` that are not data: the notes and blank lines above them.
    tail_lines: int = 0
    # Where in a JSON object the rows were found ("result.records"); "" for an array.
    rows_at: str = ""
    # For the report, about the reading: (code, message, column number).
    warnings: list = field(default_factory=list)
    temp_paths: list = field(default_factory=list)


def row_numbers(header_row: int, shifts: list[tuple[int, int]]) -> Callable[[int], int]:
    """`row_of(n)`, the file row of data record n: header_row + n, plus the rows before
    it beyond one per record, `shifts` holding (first record, that count) as they grow."""
    starts = [first for first, _extra in shifts]

    def row_of(n: int) -> int:
        at = bisect.bisect_right(starts, n)
        return header_row + n + (shifts[at - 1][1] if at else 0)

    return row_of


@dataclass
class CsvCopy:
    """Where a reader writes its CSV copy of the rows, and whom it tells how many it has
    written, every PROGRESS_ROWS: converting a large workbook takes a while."""

    dir: Path
    on_rows: Callable[[int], None] | None = None

    def written(self, count: int) -> None:
        if self.on_rows is not None and count % PROGRESS_ROWS == 0:
            self.on_rows(count)


def _text(value) -> str | None:
    if value is None or type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _elapsed_time(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text


_ODS_DURATION = re.compile(r"(-?)PT(\d+)H(\d+)M(\d+(?:\.\d+)?)S")


def _ods_time(value: str):
    """An ODS time-value (PT36H15M00S) as calamine reads those under a day: a time of day;
    a day or more (or less than none) is a duration, shown as Excel shows one (36:15:00).
    Any other text is itself."""
    found = _ODS_DURATION.fullmatch(value)
    if found is None:
        return value
    sign, hours, minutes, seconds = found.groups()
    spent = timedelta(hours=int(hours), minutes=int(minutes), seconds=float(seconds))
    if sign:
        return -spent
    if spent < timedelta(days=1):
        return (datetime.min + spent).time()
    return spent


def _elapsed_time(value: timedelta) -> str:
    """A duration as Excel shows it under [h]:mm:ss, in hours however many days it spans:
    36:15:00, not Python's '1 day, 12:15:00'."""
    sign = "-" if value < timedelta(0) else ""
    seconds, micro = divmod(abs(value) // timedelta(microseconds=1), 1_000_000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{sign}{hours}:{minutes:02}:{seconds:02}"
    return f"{text}.{micro:06}" if micro else text


def find_header(rows: list[list]) -> int:
    """Index of the header among the first rows: skips title rows (few filled cells above
    a wider table), e.g. a report title in A1 of a spreadsheet."""
    widths = [sum(1 for c in r if c not in (None, "")) for r in rows]
    if not widths:
        return 0
    widest = max(widths)
    for index, width in enumerate(widths):
        # A narrower row with a blank one under it is a title, also above a table of one
        # or two columns (where any filled row could be the header).
        if width < widest and widths[index + 1 : index + 2] == [0]:
            continue
        if width < widest and _says_unit(rows[index]):
            continue  # a title and 單位：人 above the header, not labels
        if (
            width >= max(1, widest * 0.6)
            or (widest <= 2 and width)
            or (width >= 2 and _over_data(rows, index))  # labels, some columns unnamed
        ):
            first = index
            while first and index - first < HEADER_MAX_ROWS - 1 and _group_row(rows, first, index):
                first -= 1
            return first
    return 0


def _over_data(rows: list[list], index: int) -> bool:
    """Whether row `index` holds labels only and stands right over a row of data (numbers
    or dates): a header with unnamed columns, where a title stands over labels."""
    below = rows[index + 1] if index + 1 < len(rows) else []
    return _labels_only(rows[index]) and any(_reads_as_value(_cell(c)) for c in below)


def _header_index(options: dict, sample: list[list]) -> int:
    if options.get("header_row"):
        return int(options["header_row"]) - 1
    return find_header(sample)


# ---------------------------------------------------------------- headers over several rows
#
# Statistical tables put a group label over the columns it covers ("107年" over "男" and
# "女"), merged across them or written once at the left, and sometimes a row of units
# under the labels. Such a header takes two or more rows; its labels are combined column by
# column ("107年 男"). A row below the header is part of it only when it holds labels
# (no numbers or dates) laid out as a header's are (a label over blank cells that have
# labels under them, or blank under a label), and most of its labels stand over numbers
# or dates; or when the workbook merges cells of the row above across columns or down
# into it.

HEADER_MAX_ROWS = 4
_EVIDENCE_ROWS = 10


def _cell(value) -> str:
    return (_text(value) or "").strip()


@functools.cache
def _value_converters():
    return [types.converter(kind) for kind in ("integer", "number", "date", "datetime")]


def _reads_as_value(text: str) -> bool:
    """A number or a date: what data rows hold and header labels do not."""
    for convert in _value_converters():
        try:
            convert(text)
        except ValueError:
            continue
        return True
    return False


def _labels_only(cells: list) -> bool:
    texts = [_cell(c) for c in cells]
    return any(texts) and not any(t and _reads_as_value(t) for t in texts)


def _spans(upper: list[str], lower: list[str]) -> bool:
    """A label of `upper` stands over blank cells that have labels under them."""
    group = ""
    for above, below in zip(upper, lower, strict=True):
        if above:
            group = above if below else ""
        elif group and below:
            return True
        else:
            group = ""
    return False


def _over_values(lower: list[str], below: list[list]) -> bool:
    """Most labels of `lower` stand over columns of numbers or dates in the rows `below`
    (rows of labels only, further header rows, skipped)."""
    rows = [[_cell(c) for c in r] for r in below if not _labels_only(r)]
    nulls = set(conf.get("NULL_TOKENS"))
    labelled = [j for j, text in enumerate(lower) if text and text not in nulls]
    over = 0
    for j in labelled:
        column = [r[j] for r in rows if j < len(r) and r[j] and r[j] not in nulls]
        over += bool(column) and all(_reads_as_value(t) for t in column)
    return bool(labelled) and over * 2 >= len(labelled)


def _widen(rows: list[list]) -> list[list[str]]:
    width = max(len(r) for r in rows)
    return [[_cell(c) for c in r] + [""] * (width - len(r)) for r in rows]


def _continues_header(sample: list[list], first: int, index: int, merges) -> bool:
    """Whether row `index` of the sample belongs to the header on rows `first` to
    `index - 1`; `merges`: the workbook's merged ranges (see _table_from_records)."""
    if index >= len(sample) or not _labels_only(sample[index]):
        return False
    *block, lower = _widen(sample[first : index + 1])
    upper = block[-1]
    for (top, left), (bottom, right) in merges:
        # Merged down into the row, or across columns that have labels in it.
        if top == index - 1 and (bottom > top or (right > left and any(lower[left : right + 1]))):
            return True
    spans = _spans(upper, lower)
    if spans and _last_filled(lower) > max(_last_filled(row) for row in block):
        # Labels past the header's last, under a group label: read alone, the rows above
        # would leave them without a column.
        return True
    laid_out = spans or any(a and not b for a, b in zip(upper, lower, strict=True))
    return laid_out and _over_values(lower, sample[index + 1 : index + 1 + _EVIDENCE_ROWS])


def _last_filled(cells: list[str]) -> int:
    return max((j for j, text in enumerate(cells) if text), default=-1)


def _group_row(sample: list[list], first: int, chosen: int) -> bool:
    """Whether the row above `first` holds group labels over the header rows `first` to
    `chosen` (the row `find_header` chose, which they were too narrow to be chosen over):
    two at least (years too: 2023, 2024), each over blank cells with labels under them."""
    above = sample[first - 1]
    if sum(1 for c in above if _cell(c)) < 2:
        return False
    upper, *block = _widen([above, *sample[first : chosen + 1]])
    under = ["".join(texts) for texts in zip(*block, strict=True)]
    if upper[0] and under[0]:
        return False  # over the rows' own labels: a title, not a group
    below = sample[chosen + 1 : chosen + 1 + _EVIDENCE_ROWS]
    return _spans(upper, under) and _over_values(block[-1], below)


_UNIT_NOTE = re.compile(r"^\s*(單位|unit)\s*[:：]", re.IGNORECASE)


def _says_unit(cells: list) -> bool:
    return any(_UNIT_NOTE.match(_cell(c)) for c in cells)


def header_block(sample: list[list], first: int, merges, rows: int | None) -> int:
    """How many rows the header starting at sample row `first` takes: `rows` when the
    publisher said, else as many as continue it (see above), at most HEADER_MAX_ROWS."""
    if rows:
        return rows
    count = 1
    while count < HEADER_MAX_ROWS and _continues_header(sample, first, first + count, merges):
        count += 1
    return count


def combined_labels(block: list[list], merges=()) -> list[str]:
    """One label per column from a header of one or more rows (top first): the labels
    down each column joined by spaces, a group label standing for the blank cells to its
    right that have labels under them (within its own group one row up). `merges`:
    ((first row, first column), (last row, last column)) within the block, 0-based: a
    merged range stands for its top-left label, and a row with merges spans only those."""
    grid = _widen(block)
    merged_rows = set()
    for (top, left), (bottom, right) in merges:
        merged_rows.update(range(top, bottom + 1))
        for r in range(top, min(bottom, len(grid) - 1) + 1):
            for c in range(left, min(right, len(grid[r]) - 1) + 1):
                grid[r][c] = grid[r][c] or grid[top][left]
    for level, row in enumerate(grid[:-1]):
        if level in merged_rows:
            continue
        group = ""
        for j, text in enumerate(row):
            same_parent = level == 0 or j == 0 or grid[level - 1][j] == grid[level - 1][j - 1]
            labelled_below = any(r[j] for r in grid[level + 1 :])
            if text:
                group = text
            elif group and same_parent and labelled_below:
                row[j] = group
            else:
                group = ""
    labels = []
    for j in range(len(grid[0])):
        parts: list[str] = []
        for row in grid:
            if row[j] and row[j] not in parts:
                parts.append(row[j])
        labels.append(" ".join(parts))
    return labels


# ---------------------------------------------------------------- delimited text


def _sniff(text: str, override: str | None) -> csv.Dialect | type[csv.Dialect]:
    if override:
        delimiter = {"\\t": "\t", "tab": "\t"}.get(override, override)

        class Given(csv.excel):
            pass

        Given.delimiter = delimiter
        return Given
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS:
        sample = sample.rsplit("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        # Fall back to the candidate that splits the first lines most consistently.
        lines = [line for line in sample.splitlines()[:50] if line.strip()]
        best, best_score = ",", -1
        for delimiter in DELIMITERS:
            counts = [line.count(delimiter) for line in lines]
            if counts and min(counts) > 0:
                score = min(counts) * 1000 - (max(counts) - min(counts))
                if score > best_score:
                    best, best_score = delimiter, score

        class Guessed(csv.excel):
            pass

        Guessed.delimiter = best
        return Guessed


def _text_lines(path: Path, encoding: str) -> Iterator[str]:
    """Lines of the file decoded strictly, so a bad byte is reported with its line."""
    decoder = decode.decoder(encoding)
    line = 1
    pending = ""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                good = chunk[: exc.start].decode(encoding, errors="replace")
                row = line + (pending + good).count("\n")
                raise IngestError(
                    Text(
                        _(
                            "Row %(row)s is not valid %(encoding)s text: the file changes encoding "
                            "part-way, or the encoding is wrong. Save it in one encoding, or "
                            "choose the encoding and re-run."
                        ),
                        row=row,
                        encoding=encoding,
                    ),
                    code="encoding-error",
                    row=row,
                ) from None
            pending += text
            parts = pending.split("\n")
            pending = parts.pop()
            for part in parts:
                yield part + "\n"
                line += 1
            if not chunk:
                if pending:
                    yield pending
                return


_LONE_CR = re.compile(rb"\r(?!\n)")


def _line_feed_copy(path: Path, target: Path) -> Path:
    """`path` with each line end a line feed, where a carriage return alone ended a line
    (Excel for Mac's "CSV (Macintosh)"): both ways of reading split lines at line feeds."""
    with open(path, "rb") as source, open(target, "wb") as out:
        held = b""
        while chunk := source.read(1 << 22):
            chunk = held + chunk
            # A CR ending the block may be the first half of a CRLF.
            held = chunk[-1:] if chunk.endswith(b"\r") else b""
            out.write(_LONE_CR.sub(b"\n", chunk[: len(chunk) - len(held)]))
        out.write(b"\n" if held else b"")
    return target


def read_csv(path: Path, options: dict, out: CsvCopy) -> Table:
    with open(path, "rb") as f:
        sample = f.read(decode.SAMPLE_BYTES)
    encoding = (
        decode.normalize(options["encoding"]) if options.get("encoding") else decode.detect(sample)
    )
    ascii_line_ends = not codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))
    if ascii_line_ends and b"\r" in sample and b"\n" not in sample:
        path = _line_feed_copy(path, out.dir / "line-feeds.csv")
        with open(path, "rb") as f:
            sample = f.read(decode.SAMPLE_BYTES)
    try:
        head_text = codecs.getincrementaldecoder(encoding)("replace").decode(sample)
    except LookupError:
        raise IngestError(_("Unknown encoding."), code="encoding-error") from None
    dialect = _sniff(head_text, options.get("delimiter"))
    # Sniffer guesses quoting oddly on some samples; RFC 4180 quoting is what files use.
    delimiter = dialect.delimiter

    data_end = 0  # the first row of the notes below the table (see _csv_notes), if any

    def records() -> Iterator[tuple[int, list]]:
        reader = csv.reader(
            _text_lines(path, encoding), delimiter=delimiter, quotechar='"', doublequote=True
        )
        row = 1
        try:
            for record in reader:
                if data_end and row >= data_end:
                    return
                yield row, record
                row = reader.line_num + 1
        except csv.Error as exc:
            raise IngestError(
                Text(
                    _("Row %(row)s cannot be read as delimited text: %(error)s"), row=row, error=exc
                ),
                code="format-error",
                row=row,
            ) from None

    table = _table_from_records(
        records, options, cells_are_text=True, encoding=encoding, delimiter=delimiter, path=path
    )
    if len(table.labels) >= 2:
        data_end, table.tail_lines, table.notes = _csv_notes(path, encoding, delimiter)
    return table


def _csv_notes(path: Path, encoding: str, delimiter: str) -> tuple[int, int, list]:
    """The notes below a delimited table, found as in a sheet (see _sheet_table) among the
    file's last NOTE_TAIL_BYTES: (the row where they begin, blank rows above them included,
    the lines from there to the end, [(row, text)]); (0, 0, []) when there are none."""
    none = 0, 0, []
    if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
        return none  # lines are not counted in bytes there; such files are rare
    with open(path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - NOTE_TAIL_BYTES))
        tail = f.read().decode(encoding, errors="replace")
    lines = tail.split("\n")
    if tail.endswith("\n"):
        lines.pop()
    if size > NOTE_TAIL_BYTES:
        lines.pop(0)  # may begin mid-line
    block: list[str] = []  # the last lines of one text cell or none, bottom first
    for line in reversed(lines):
        if line.count('"') % 2:
            return none  # part of a quoted value over several lines: the reader's to read
        cells = [c.strip() for c in next(csv.reader([line.rstrip("\r")], delimiter=delimiter), [])]
        if any(cells) and not _note_like(cells, after_blank=True):
            break
        block.append(next((c for c in cells if c), ""))
    else:
        return none  # no row of the table in sight
    block.reverse()
    # The sheet's rule: the first note follows a blank row or says what it is.
    first = next(
        (i for i, t in enumerate(block) if t and _note_like([t], bool(i and not block[i - 1]))),
        None,
    )
    if first is None or sum(1 for text in block[first:] if text) > NOTE_MAX_ROWS:
        return none
    while first and not block[first - 1]:
        first -= 1
    end = line_count(path) - len(block) + 1 + first
    return end, len(block) - first, [(end + i, t) for i, t in enumerate(block[first:]) if t]


def line_count(path: Path) -> int:
    """Lines of a file in an encoding where a line feed is one byte: as _text_lines splits."""
    count, last = 0, b""
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            count += chunk.count(b"\n")
            last = chunk
    return count + (bool(last) and not last.endswith(b"\n"))


def _table_from_records(records, options, cells_are_text=False, merges=(), **extra) -> Table:
    """The table whose header is among the first records (title rows above it skipped,
    several header rows combined). `merges`: a workbook's merged ranges, ((first row,
    first column), (last row, last column)) 0-based from A1."""
    sample = []
    for _row, cells in records():
        sample.append(cells)
        if len(sample) >= TITLE_SCAN_ROWS:
            break
    if not sample:
        raise IngestError(_("The file is empty."), code="source-error")
    first = _header_index(options, sample)
    count = header_block(sample, first, merges, int(options.get("header_rows") or 0))
    last = first + count - 1
    if last >= len(sample):
        raise IngestError(_("The header row is past the end of the file."), code="source-error")
    within = [
        ((top - first, left), (bottom - first, right))
        for (top, left), (bottom, right) in merges
        if first <= top <= last
    ]
    if count > 1:
        labels = combined_labels(sample[first : last + 1], within)
    else:
        labels = [_text(c) or "" for c in sample[first]]
    # Trailing blank header cells from spreadsheets are padding, not columns, unless the
    # rows under them hold values there (an unnamed last column, named field_<n>).
    used = max(
        (i + 1 for cells in sample[last + 1 :] for i, c in enumerate(cells) if _cell(c)),
        default=1,
    )
    while labels and labels[-1].strip() == "" and len(labels) > max(used, 1):
        labels.pop()

    def rows():
        for number, (row, cells) in enumerate(records()):
            if number > last:
                # CSV cells are strings already; spreadsheets and JSON need converting.
                yield row, cells if cells_are_text else [_text(c) for c in cells]

    return Table(labels=labels, header_row=last + 1, header_rows=count, rows=rows, **extra)


# ---------------------------------------------------------------- spreadsheets


def read_xlsx(path: Path, options: dict, out: CsvCopy) -> Table:
    xml = _sheet_xml(path)
    if xml is not None and xml <= CALAMINE_MAX_XML:
        table = _calamine_else(_read_xlsx_openpyxl, path, options, out)
    else:
        table = _read_xlsx_openpyxl(path, options, out)
    table.unsaved_formulas, table.error_cells = _formula_cells(path, table.sheet)
    return table


# A cell holding a formula and no saved result: <c r="C2"><f>B2*2</f></c>, or a shared
# formula <f t="shared" si="0"/>. Excel and LibreOffice save results; programs writing
# workbooks (Apache POI, openpyxl) often do not, and every reader then finds the cell empty.
_UNSAVED_FORMULA = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)(?:<v\s*/>|<v>\s*</v>)?</c>'
)


# A cell showing an error (#DIV/0!, #N/A, #REF!): <c r="B3" t="e"><f>A3/0</f><v>#DIV/0!</v>.
# Every reader gives it as empty.
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*\st="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?'
    rb"<v>([^<]*)</v></c>"
)


def _column_number(letters: bytes) -> int:
    return functools.reduce(lambda n, c: n * 26 + c - 64, letters, 0)


def _formula_cells(path: Path, sheet: str) -> tuple[dict, dict]:
    """The sheet's formulas without a saved result, {column number: (first row, cells)},
    and its cells showing an error, {column number: (first row, cells, the first error)},
    from its XML part (streamed; nothing if the part cannot be found)."""
    from defusedxml import ElementTree

    found: dict[int, tuple[int, int]] = {}
    errors: dict[int, tuple[int, int, str]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            ids = [
                value
                for element in workbook.iter()
                if element.tag.endswith("}sheet") and element.get("name") == sheet
                for key, value in element.attrib.items()
                if key.endswith("}id")
            ]
            relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            targets = [r.get("Target", "") for r in relations if ids and r.get("Id") == ids[0]]
            if not targets:
                return found, errors
            part = targets[0].lstrip("/") if targets[0].startswith("/") else f"xl/{targets[0]}"
            with archive.open(posixpath.normpath(part)) as xml:
                rest = b""
                while chunk := xml.read(1 << 22):
                    block = rest + chunk
                    end = block.rfind(b"</c>") + 4  # whole cells only; the rest comes next
                    if end < 4:
                        rest = block[-(1 << 16) :]  # no cell ends here: keep a cell's worth
                        continue
                    block, rest = block[:end], block[end:]
                    if b't="e"' in block:
                        for letters, row, value in _ERROR_CELL.findall(block):
                            column = _column_number(letters)
                            first = errors.get(
                                column, (int(row), 0, value.decode(errors="replace"))
                            )
                            errors[column] = (first[0], first[1] + 1, first[2])
                    if b"<f" not in block:
                        continue
                    for letters, row in _UNSAVED_FORMULA.findall(block):
                        column = _column_number(letters)
                        first, cells = found.get(column, (int(row), 0))
                        found[column] = (first, cells + 1)
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return found, errors
    return found, errors


# Element and attribute names as expat gives them with namespace_separator=" ".
_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "


class _Enough(Exception):
    """Stops a scan of ODS content once it has what it needs."""


def _ods_merges(path: Path, sheet: str) -> list:
    """The merged ranges of an ODS sheet, as calamine gives them for XLSX: ((first row,
    first column), (last row, last column)), 0-based. Streamed from content.xml by expat
    with no tree kept (five times faster than iterparse: 66 MB in 2.5 s); past the first
    TITLE_SCAN_ROWS rows (the header's) only when the document merges cells down rows
    at all, which a scan of its bytes tells in a tenth of that. None if it cannot be read."""
    from xml.parsers import expat

    t = _ODS_TABLE
    limit = TITLE_SCAN_ROWS
    merges: list = []
    inside, row, column, repeat = False, 0, 0, 1

    def start(name, attrs):
        nonlocal inside, column, repeat
        if name == f"{t}table":
            inside = attrs.get(f"{t}name") == sheet
        elif not inside:
            return
        elif name == f"{t}table-row":
            column, repeat = 0, int(attrs.get(f"{t}number-rows-repeated", 1))
        elif name.endswith("table-cell"):  # covered-table-cell too
            across = int(attrs.get(f"{t}number-columns-spanned", 1))
            down = int(attrs.get(f"{t}number-rows-spanned", 1))
            if across > 1 or down > 1:
                merges.append(((row, column), (row + down - 1, column + across - 1)))
            column += int(attrs.get(f"{t}number-columns-repeated", 1))

    def end(name):
        nonlocal row
        if inside and name == f"{t}table":
            raise _Enough
        if inside and name == f"{t}table-row":
            row += repeat
            if row >= limit:
                raise _Enough

    def refuse(*_args):
        raise ValueError("a DTD")  # entities are not expanded here; see _sheet_xml

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    try:
        with zipfile.ZipFile(path) as archive:
            if _merges_down(archive):
                limit = math.inf
            with archive.open("content.xml") as xml:
                parser.ParseFile(xml)
    except _Enough:
        pass
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, expat.ExpatError):
        return []
    return merges


_SPANS_ROWS = re.compile(rb'number-rows-spanned="(?!1")')


def _merges_down(archive: zipfile.ZipFile) -> bool:
    """Whether any cell of the ODS document is merged down over further rows."""
    rest = b""
    with archive.open("content.xml") as xml:
        while chunk := xml.read(1 << 22):
            if _SPANS_ROWS.search(rest + chunk):
                return True
            rest = chunk[-64:]
    return False


def _calamine_else(other, path: Path, options: dict, out: CsvCopy) -> Table:
    """The workbook read by calamine; by `other` (the Python reader) when calamine fails,
    which reads it or says what is wrong in the publisher's terms."""
    try:
        return _read_calamine(path, options, out)
    except IngestError:
        raise
    except Exception:
        logger.info("calamine could not read %s; reading it with %s", path.name, other.__name__)
    return other(path, options, out)


def _sheet_xml(path: Path) -> int | None:
    """Bytes of sheet XML in the workbook (XLSX sheets and shared strings, or ODS
    content), for calamine's memory; None when a part declares a DTD (left to
    openpyxl's defusedxml and odfpy's expat, which refuse entity bombs with a message
    that says why) or the archive cannot be read."""
    try:
        with zipfile.ZipFile(path) as archive:
            items = archive.infolist()
            if any(
                _declares_dtd(archive, i) for i in items if i.filename.endswith((".xml", ".rels"))
            ):
                return None
            return sum(
                i.file_size for i in items
                if i.filename.startswith("xl/worksheets/")
                or i.filename in ("xl/sharedStrings.xml", "content.xml")
            )  # fmt: skip
    except (OSError, zipfile.BadZipFile, RuntimeError):
        return None


def _declares_dtd(archive: zipfile.ZipFile, item: zipfile.ZipInfo) -> bool:
    """A DTD can only come before the root element: look there (a first element not
    found in the part's first 64 KB counts as a DTD)."""
    with archive.open(item) as f:
        head = f.read(64 * 1024)
    root = _ROOT_ELEMENT.search(head)
    return root is None or b"<!DOCTYPE" in head[: root.start()].upper()


def _read_calamine(path: Path, options: dict, out: CsvCopy) -> Table:
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    with CalamineWorkbook.from_path(path) as book:
        names = book.sheet_names
        # calamine reads a whole sheet when asked for it: only those the choice looks at,
        # each once. The sheet the other readers would choose (see _chosen_sheet).
        sheet_of = functools.cache(book.get_sheet_by_name)
        name = _chosen_sheet(
            names,
            options,
            lambda n: sheet_of(n).to_python(skip_empty_area=False, nrows=TITLE_SCAN_ROWS),
            hidden={s.name for s in book.sheets_metadata if s.visible != SheetVisibleEnum.Visible},
        )
        sheet = sheet_of(name)

        merges = sheet.merged_cell_ranges
        ods = merges is None  # calamine gives no merges for ODS

        def records():
            # Rows and columns from A1, as the other readers give them: calamine starts at
            # the first cell with data. Empty cells come as "".
            if sheet.start is None:
                return
            top, left = sheet.start
            width = left + sheet.width
            for number in range(1, top + 1):
                yield number, [None] * width
            for number, values in enumerate(sheet.iter_rows(), start=top + 1):
                values = [None if v == "" else v for v in values]
                if ods:  # a duration of a day or more comes as its ISO text
                    values = [_ods_time(v) if type(v) is str else v for v in values]
                yield number, [None] * left + values

        if ods:
            merges = _ods_merges(path, name)
        return _sheet_table(records, options, name, out, names, merges or ())


def _chosen_sheet(names: list[str], options: dict, head, hidden=frozenset()) -> str:
    """The publisher's sheet, else the first visible one that looks like a table (two rows
    of two filled cells or more among its first rows: a cover sheet of notes does not),
    else the first visible one with anything in its first rows; hidden sheets (`hidden`,
    often the lookup lists behind a data sheet's drop-downs) only when no visible sheet
    has anything. `head(name)` gives those first rows."""
    wanted = options.get("sheet")
    if wanted:
        if wanted not in names:
            raise IngestError(
                Text(
                    _("There is no sheet named '%(sheet)s'. Sheets: %(sheets)s"),
                    sheet=wanted,
                    sheets=joined(names),
                ),
                code="source-error",
            )
        return wanted
    for group in ([n for n in names if n not in hidden], [n for n in names if n in hidden]):
        filled = None
        for name in group:
            widths = [sum(1 for v in row if v not in (None, "")) for row in head(name)]
            if sum(1 for w in widths if w >= 2) >= 2:
                return name
            filled = filled or (name if any(widths) else None)
        if filled:
            return filled
    return names[0]


# Below a statistical table: 資料來源：…, 說明：…, 註：…, Note: …, * …
_NOTE_START = re.compile(
    r"^\s*(\*|※|＊|註|注|附註|備註|備考|說明|資料來源|來源|資料時間|資料日期|製表|"
    r"note|source|remark)",
    re.IGNORECASE,
)
NOTE_MAX_ROWS = 30
NOTE_TAIL_BYTES = 64 * 1024  # of a delimited file, looked at for notes below its table


def _note_like(texts: list[str], after_blank: bool) -> bool:
    """A row of a sheet's notes: one filled cell of text, below a blank row (or another
    note) or saying what it is."""
    filled = [t for t in texts if t]
    if len(filled) != 1 or _reads_as_value(filled[0].strip()):
        return False
    return after_blank or bool(_NOTE_START.match(filled[0]))


def _sheet_table(
    records, options: dict, sheet: str, out: CsvCopy, sheets: list, merges=()
) -> Table:
    """The sheet written out as UTF-8 CSV, one record per sheet row (title rows and blank
    rows included, so row numbers stay the sheet's), and read back as delimited text: a
    clean sheet then takes the columnar path like a CSV file. Cells are written as the
    Python path reads them (_text); the CSV round trip keeps every string as it is.

    Readers pad rows to the last column and row anything was ever formatted in. Rows are
    written as wide as the widest row with data (empty columns past the header would send
    every sheet the slow way, its rows longer than the header), and blank rows after the
    last row with data are left out (each would be reported as skipped). So are the notes
    below the table (資料來源：…, 說明：…: rows of one text cell under a blank row or saying
    what they are), kept in `Table.notes` for the report."""
    target = out.dir / "sheet.csv"
    widths: set[int] = set()
    blank = 0
    wide = False  # a row of two filled cells or more was written: the table has begun
    held: list[tuple[int, list[str], int]] = []  # (row, cells, blank rows before it)
    with open(target, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")

        def write(texts: list[str], blanks: int) -> None:
            if blanks:
                writer.writerows([[]] * blanks)
                widths.add(0)
            writer.writerow(texts)
            widths.add(len(texts))

        for number, cells in records():
            out.written(number)
            texts = ["" if c is None else _text(c) for c in cells]
            while texts and not texts[-1]:
                texts.pop()
            if not texts:
                blank += 1
                continue
            if wide and _note_like(texts, after_blank=bool(blank or held)):
                held.append((number, texts, blank))
                blank = 0
                if len(held) <= NOTE_MAX_ROWS:
                    continue
                texts = []  # too many to be notes: written below with the rest
            for _number, earlier, blanks in held:  # more data after them: not notes
                write(earlier, blanks)
            held = []
            if not texts:
                continue
            write(texts, blank)
            blank = 0
            wide = wide or sum(1 for t in texts if t) >= 2
    notes = [(number, next(t for t in texts if t)) for number, texts, _blanks in held]
    widest = max(widths, default=0)
    if len(widths) > 1:
        padded = out.dir / "sheet-padded.csv"
        with (
            open(target, encoding="utf-8", newline="") as source,
            open(padded, "w", encoding="utf-8", newline="") as f,
        ):
            writer = csv.writer(f, lineterminator="\n")
            for texts in csv.reader(source):
                writer.writerow(texts + [""] * (widest - len(texts)))
        padded.replace(target)

    def text_records():
        with open(target, encoding="utf-8", newline="") as f:
            yield from enumerate(csv.reader(f), start=1)

    table = _table_from_records(
        text_records,
        options,
        cells_are_text=True,
        sheet=sheet,
        sheets=list(sheets),
        merges=merges,
        notes=notes,
        numbered_by_record=True,
        path=target,
        encoding="utf-8",
        delimiter=",",
    )
    _fill_merged_down(target, merges, table.header_row)
    return table


def _fill_merged_down(target: Path, merges, header_row: int) -> None:
    """Write the value of each range merged down over data rows (below the header's last
    row, `header_row`) into every row of it that holds anything else, as the sheet shows
    it: 中正區 merged over its three 里 is each one's 行政區. Down the range's first column
    only: a range merged across columns shows one value (a section label, a remark over
    男 and 女), not one per column, and copied it would put text in columns of numbers.
    One more pass over the CSV copy, only for a sheet that has such ranges."""
    starts: dict[int, list[tuple[int, int]]] = {}
    for (top, left), (bottom, _right) in merges:
        if bottom > top >= header_row:  # 0-based top: a data row
            starts.setdefault(top, []).append((left, bottom))
    if not starts:
        return
    filled = target.with_name("sheet-filled.csv")
    running: dict[int, tuple[str, int]] = {}  # column: (value, last row)
    with (
        open(target, encoding="utf-8", newline="") as source,
        open(filled, "w", encoding="utf-8", newline="") as f,
    ):
        writer = csv.writer(f, lineterminator="\n")
        for index, cells in enumerate(csv.reader(source)):
            for left, bottom in starts.get(index, ()):
                if left < len(cells):
                    running[left] = (cells[left], bottom)
            if any(cells):
                for column, (value, _bottom) in running.items():
                    if column < len(cells):
                        cells[column] = value
            writer.writerow(cells)
            running = {c: (v, bottom) for c, (v, bottom) in running.items() if bottom > index}
    filled.replace(target)


def _read_xlsx_openpyxl(path: Path, options: dict, out: CsvCopy) -> Table:
    import openpyxl
    from openpyxl.utils.escape import unescape

    def open_book():
        try:
            # openpyxl parses with defusedxml when it is installed (it is): entity
            # expansion (billion laughs) and external entities raise instead of expanding.
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            if _caused_by_entities(exc):
                raise IngestError(
                    _(
                        "The spreadsheet declares XML entities (a known way to crash servers, "
                        "'billion laughs'); it was refused. Save it again from Excel or "
                        "LibreOffice."
                    ),
                    code="format-error",
                ) from None
            raise _cannot_open(path, exc) from None

    book = open_book()
    try:
        names = book.sheetnames
        sheet = _chosen_sheet(
            names,
            options,
            lambda n: list(_first(book[n])),
            hidden={n for n in names if book[n].sheet_state != "visible"},
        )
    finally:
        book.close()

    def value(cell):
        # As calamine reads them: an error (#DIV/0!) is empty, not text that would make a
        # column of numbers text; Excel's escapes (_x000D_ for a carriage return) undone.
        if cell.data_type == "e":
            return None
        if type(cell.value) is str and "_x" in cell.value:
            return unescape(cell.value)
        return cell.value

    def records():
        book = open_book()
        try:
            # Cells rather than values_only, for their type: an error's value is its text.
            for number, cells in enumerate(book[sheet].iter_rows(), start=1):
                yield number, [value(c) for c in cells]
        except IngestError:
            raise
        except Exception as exc:
            logger.info("openpyxl could not read %s: %r", path.name, exc)
            raise IngestError(_DAMAGED, code="format-error", unreadable=True) from None
        finally:
            book.close()

    return _sheet_table(records, options, sheet, out, names)


_DAMAGED = _(
    "The spreadsheet cannot be read: the file is damaged or is not a spreadsheet. Save it "
    "again from Excel or LibreOffice and upload it again."
)
PASSWORD_PROTECTED = _(
    "The workbook is protected with a password, so it cannot be read. Remove the password "
    "in Excel or LibreOffice, save it and upload it again."
)
# The stream an encrypted XLSX keeps the workbook in, named in its OLE compound file.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def encrypted_workbook(head: bytes) -> bool:
    """Whether these first bytes of a file (a few MB: the OLE directory comes early in a
    small file) are an XLSX Excel encrypted with a password: an OLE compound file rather
    than a ZIP, holding an EncryptedPackage stream."""
    return head.startswith(OLE_SIGNATURE) and _ENCRYPTED_PACKAGE in head


def _cannot_open(path: Path, error: Exception) -> IngestError:
    """Why the workbook cannot be opened, in words that say what to do: protected with a
    password (Excel's encryption, or an encrypted XLS), or else damaged."""
    logger.info("%s could not be opened as a spreadsheet: %r", path.name, error)
    with open(path, "rb") as f:
        head = f.read(1 << 22)
    if encrypted_workbook(head) or "encrypted" in str(error).lower():
        return IngestError(PASSWORD_PROTECTED, code="format-error", unreadable=True)
    return IngestError(_DAMAGED, code="format-error", unreadable=True)


def _caused_by_entities(exc: BaseException | None) -> bool:
    from defusedxml import DefusedXmlException

    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _first(worksheet, n=TITLE_SCAN_ROWS):
    for number, row in enumerate(worksheet.iter_rows(values_only=True)):
        if number >= n:
            break
        yield row


# An elapsed-time number format ([h]:mm, [mm]:ss): its cells are durations.
_ELAPSED = re.compile(r"\[(h+|m+|s+)\]", re.IGNORECASE)


def read_xls(path: Path, options: dict, out: CsvCopy) -> Table:
    import xlrd

    try:
        # formatting_info for the merged cells (a header's group labels); blank cells
        # that only carry a format come as XL_CELL_BLANK, read as empty.
        book = xlrd.open_workbook(path, on_demand=True, formatting_info=True)
    except Exception as exc:
        raise _cannot_open(path, exc) from None

    def head(name):
        sheet = book.sheet_by_name(name)
        return [sheet.row_values(i) for i in range(min(sheet.nrows, TITLE_SCAN_ROWS))]

    names = book.sheet_names()
    # Read from the workbook's sheet list: a Sheet's own `visibility` would load each sheet.
    hidden = {n for n, v in zip(names, book._sheet_visibility, strict=True) if v}
    sheet_name = _chosen_sheet(names, options, head, hidden)
    sheet = book.sheet_by_name(sheet_name)

    @functools.cache
    def elapsed(xf_index: int) -> bool:
        return bool(_ELAPSED.search(book.format_map[book.xf_list[xf_index].format_key].format_str))

    def cell(c):
        if c.ctype == xlrd.XL_CELL_DATE:
            # As calamine and openpyxl read XLSX: a duration under an elapsed-time format,
            # a time of day below one day (not a moment on 1899-12-31), else a datetime.
            if elapsed(c.xf_index):
                return timedelta(milliseconds=round(c.value * 86_400_000))
            moment = xlrd.xldate_as_datetime(c.value, book.datemode)
            return moment.time() if c.value < 1 else moment
        if c.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(c.value)
        if c.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return None
        return c.value

    def records():
        for index in range(sheet.nrows):
            yield index + 1, [cell(c) for c in sheet.row(index)]

    merges = [((top, left), (end - 1, stop - 1)) for top, end, left, stop in sheet.merged_cells]
    return _sheet_table(records, options, sheet_name, out, names, merges)


def read_ods(path: Path, options: dict, out: CsvCopy) -> Table:
    xml = _sheet_xml(path)
    if xml is not None and xml > ODS_MAX_XML:
        raise IngestError(
            Text(
                _(
                    "This spreadsheet is too large to read here (%(mb)s MB of ODS content; "
                    "the limit is %(limit)s MB). Save it as CSV or XLSX and upload that."
                ),
                mb=xml // 1_000_000,
                limit=ODS_MAX_XML // 1_000_000,
            ),
            code="source-error",
        )
    if xml is not None:
        return _calamine_else(_read_ods_odfpy, path, options, out)
    return _read_ods_odfpy(path, options, out)


def _ods_hidden(document, sheets) -> set[str]:
    """Names of the hidden sheets: those whose table style says table:display="false"."""
    from odf import style

    hiding = {
        s.getAttribute("name")
        for styles in (document.automaticstyles, document.styles)
        for s in styles.getElementsByType(style.Style)
        if any(
            p.getAttribute("display") == "false" for p in s.getElementsByType(style.TableProperties)
        )
    }
    return {s.getAttribute("name") for s in sheets if s.getAttribute("stylename") in hiding}


def _read_ods_odfpy(path: Path, options: dict, out: CsvCopy) -> Table:
    from odf import opendocument, table, text

    try:
        document = opendocument.load(str(path))
    except Exception as exc:
        raise _cannot_open(path, exc) from None
    sheets = document.spreadsheet.getElementsByType(table.Table)
    names = [s.getAttribute("name") for s in sheets]

    def value(c):
        kind = c.getAttribute("valuetype")
        if kind in ("float", "percentage", "currency"):
            return float(c.getAttribute("value"))
        if kind == "date":  # as calamine and the other readers give it: a date or datetime
            iso = c.getAttribute("datevalue")
            try:
                return datetime.fromisoformat(iso) if "T" in iso else date.fromisoformat(iso)
            except ValueError:
                return iso
        if kind == "boolean":
            return c.getAttribute("booleanvalue") == "true"
        if kind == "time":
            return _ods_time(c.getAttribute("timevalue"))
        parts = ["".join(str(n) for n in p.childNodes) for p in c.getElementsByType(text.P)]
        return "\n".join(parts) or None

    cell_names = (table.TableCell().qname, table.CoveredTableCell().qname)

    def records(sheet):
        number = 0
        for row in sheet.getElementsByType(table.TableRow):
            repeat = min(int(row.getAttribute("numberrowsrepeated") or 1), 1000)
            cells = []
            for c in row.childNodes:
                # A merged range's other cells are covered-table-cell: columns too, read
                # (mostly empty) as calamine reads them.
                if c.qname not in cell_names:
                    continue
                times = min(int(c.getAttribute("numbercolumnsrepeated") or 1), 1000)
                cells.extend([value(c)] * times)
            while cells and cells[-1] is None:
                cells.pop()
            for _copy in range(repeat):
                number += 1
                yield number, cells

    def head(name):
        rows = itertools.islice(records(sheets[names.index(name)]), TITLE_SCAN_ROWS)
        return [cells for _number, cells in rows]

    name = _chosen_sheet(names, options, head, _ods_hidden(document, sheets))
    chosen = sheets[names.index(name)]
    merges = _ods_merges(path, name)
    return _sheet_table(lambda: records(chosen), options, name, out, names, merges)


# ---------------------------------------------------------------- JSON


@contextmanager
def _json_bytes(path: Path):
    """The file for ijson, past a UTF-8 byte order mark."""
    with open(path, "rb") as f:
        if f.read(3) != codecs.BOM_UTF8:
            f.seek(0)
        yield f


# The reasons yajl (ijson's parser) gives, in words a publisher can act on.
_JSON_MISPLACED = _("a comma, colon, quote or bracket is missing or out of place")
_JSON_REASONS = {
    "premature EOF": _("the file ends in the middle of the data (was it cut short?)"),
    "trailing garbage": _("there is more text after the end of the data"),
    "invalid string in json text.": _(
        "a value is not a number, a text in double quotes, true, false or null"
    ),
    "invalid char in json text.": _(
        "a value is not a number, a text in double quotes, true, false or null"
    ),
    "invalid character inside string.": _(
        "a text holds a control character (a line break must be written as \\n)"
    ),
    "probable comment found in input text, comments are not enabled.": _(
        "JSON cannot hold comments"
    ),
    "invalid bytes in UTF8 string.": _("the file is not in UTF-8"),
    "unallowed token at this point in JSON text": _JSON_MISPLACED,
    "invalid object key (must be a string)": _JSON_MISPLACED,
    "object key and value must be separated by a colon (':')": _JSON_MISPLACED,
    "after key and value, inside map, I expect ',' or '}'": _JSON_MISPLACED,
    "after array element, I expect ',' or ']'": _JSON_MISPLACED,
}


def _json_error(error: Exception, row: int | None) -> IngestError:
    """What is wrong with the JSON, in the publisher's words, and near what: the row
    being read (the object's number in the list of rows) and the text yajl quotes."""
    text = error.args[0] if error.args else ""
    if isinstance(text, bytes):  # yajl's quote of bytes that are not UTF-8
        text = text.decode("utf-8", "replace")
    lines = [line.strip() for line in str(text).splitlines()]
    reason = lines[0].removeprefix("parse error: ").removeprefix("lexical error: ") if lines else ""
    reason = _JSON_REASONS.get(reason, reason)
    if reason.startswith("malformed number"):
        reason = _("a number is incomplete")
    # yajl quotes the text around the fault, line breaks turned into spaces.
    quoted = " ".join(lines[1].split()) if len(lines) > 2 and lines[2].startswith("(right") else ""
    if row is None:
        message = Text(_("The file is not valid JSON: %(reason)s."), reason=reason)
    else:
        message = Text(
            _("The file is not valid JSON near row %(row)s: %(reason)s."), row=row, reason=reason
        )
    if quoted:
        message = Text(_("%(message)s Near: %(quoted)s"), message=message, quoted=quoted)
    return IngestError(message, code="format-error", row=row)


# Keys a portal's response keeps its rows under, and keys its description of the columns
# goes under (CKAN: {"fields": [...], "records": [...]}), in lower case.
_ROWS_KEYS = frozenset({"records", "results", "data", "items", "rows", "features", "value"})
_COLUMNS_KEYS = frozenset({"fields", "columns", "schema"})
_JSON_CLOSE_OR_KEY = ("end_map", "end_array", "map_key")  # events that begin no value


def _rows_rank(key: str, count: int) -> tuple[int, int]:
    """How likely a list of `count` objects under `key` holds the rows: a key that says
    so, then any other key but one that says columns, then the longest list."""
    name = key.casefold()
    return (2 if name in _ROWS_KEYS else 0 if name in _COLUMNS_KEYS else 1), count


def _json_rows_at(path: Path, geojson: bool = False) -> str | None:
    """Where the rows are, as an ijson prefix: "item" for a top-level array; in a top-level
    object, the list of objects one or two levels down ({"data": [...]}, {"result":
    {"records": [...]}}) that _rows_rank ranks first (GeoJSON: "features"); "" for a lone
    GeoJSON Feature; None when there is no such list.

    One pass over the file's events builds no values, so memory stays flat however large
    or deep the file, and refuses nesting past JSON_MAX_DEPTH before anything builds
    values: ijson keeps a path string per level, which grows with the square of the depth
    (a 200 KB file of 100,000 nested brackets took all the memory)."""
    import ijson

    depth, top, feature = 0, None, False
    # The keys being read in the objects at depths 1 and 2 (keys[0] unused), and whether
    # every container down to depth 2 is an object: a list there may hold the rows.
    keys, in_objects = [None, None, None], [True, False, False]
    # The list that may hold the rows while it is read: [prefix, depth, items begun, whether
    # the first is an object]; the best one read so far: (rank, prefix).
    reading, best = None, None
    with _json_bytes(path) as f:
        try:
            for event, value in ijson.basic_parse(f, use_float=True):
                if reading and depth == reading[1] and event not in _JSON_CLOSE_OR_KEY:
                    reading[2] += 1
                    if reading[2] == 1:
                        reading[3] = event == "start_map"
                if event in ("start_map", "start_array"):
                    depth += 1
                    if depth > JSON_MAX_DEPTH:
                        raise IngestError(_("The JSON is nested too deeply."), code="format-error")
                    if depth < 3:
                        in_objects[depth] = in_objects[depth - 1] and event == "start_map"
                    if depth == 1:
                        top = event
                        if event == "start_array" and not geojson:
                            reading = ["item", 1, 0, None]
                    elif (
                        depth <= 3
                        and in_objects[depth - 1]
                        and event == "start_array"
                        and (not geojson or (depth == 2 and keys[1] == "features"))
                    ):
                        reading = [".".join([*keys[1:depth], "item"]), depth, 0, None]
                elif event in ("end_map", "end_array"):
                    if reading and depth == reading[1]:
                        prefix, _depth, count, objects = reading
                        reading = None
                        if geojson:  # the first list of features, whatever it holds
                            best = best or ((0, 0), prefix)
                        elif objects is not False:  # objects, or an empty list
                            rank = _rows_rank(keys[depth - 1] or "", count)
                            if best is None or rank > best[0]:
                                best = (rank, prefix)
                    depth -= 1
                elif event == "map_key" and depth < 3:
                    keys[depth] = value
                elif depth == 1 and keys[1] == "type" and value == "Feature":
                    feature = True
        except ijson.JSONError as exc:
            row = reading[2] if reading and (reading[1] == 1 or reading[3]) else None
            raise _json_error(exc, row or None) from None
    if top == "start_array" and not geojson:
        return "item"
    if top == "start_map" and best is None and geojson and feature:
        return ""
    return best[1] if best else None


def _json_objects(path: Path, prefix: str, not_an_object):
    """(number, object) for each row at `prefix`, streamed: memory holds one at a time."""
    import ijson

    with _json_bytes(path) as f:
        items = ijson.items(f, prefix, use_float=True)
        for number, obj in enumerate(items, start=1):
            if not isinstance(obj, dict):
                raise not_an_object(number)
            yield number, obj


def _geometry(value) -> str:
    if isinstance(value, dict):  # GeoJSON, parsed already: no round trip through its text
        return types.geojson_geometry(value)
    return types.to_geometry(_text(value))


_CONVERT_OBJECT = {"geometry": _geometry}


def _objects_table(objects_factory, hints=None, out: CsvCopy | None = None) -> Table:
    """Rows of objects, their keys (in order of first appearance) as columns. Given `out`,
    the rows are written out as CSV (one line per object where no value holds a line
    break) and read back, so that a clean file takes the columnar path; unless a value
    of a hinted column does not convert to its type (the row-by-row path names it).
    Hinted columns are written converted: the columnar path has no SQL for every
    geometry. Objects numbered with gaps (JSON Lines with blank lines) keep their
    numbers through Table.skipped."""
    hints = hints or {}

    def plain() -> Table:
        labels: dict[str, None] = {}
        for _row, obj in objects_factory():
            labels.update(dict.fromkeys(obj))
        keys = list(labels)

        def rows():
            for row, obj in objects_factory():
                yield row, [_text(obj.get(k)) for k in keys]

        return Table(labels=keys, header_row=0, rows=rows, encoding="utf-8", hints=hints)

    if out is None:
        return plain()
    body = out.dir / "objects.rows"
    # One pass over the objects, the usual case: every object has the keys of the first.
    keys, grew, skipped = _write_objects(objects_factory, hints, body, out.written)
    if grew:  # a later object brought a key: write them again, each row as wide as the last
        keys, grew, skipped = _write_objects(objects_factory, hints, body, None, keys)
    if keys is None:
        body.unlink(missing_ok=True)
        return plain()
    target = out.dir / "objects.csv"
    with open(target, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(keys)
    with open(target, "ab") as f, open(body, "rb") as rows:
        shutil.copyfileobj(rows, f, 1 << 22)
    body.unlink()

    row_of = row_numbers(0, skipped)

    def text_rows():  # numbered as the objects are: the header line is ours
        with open(target, encoding="utf-8", newline="") as f:
            for record, cells in itertools.islice(enumerate(csv.reader(f)), 1, None):
                yield row_of(record), cells

    return Table(
        labels=keys,
        header_row=0,
        rows=text_rows,
        encoding="utf-8",
        delimiter=",",
        path=target,
        path_skip=1,
        numbered_by_record=True,
        skipped=skipped,
        hints=hints,
        converted=frozenset(hints),
    )


def _write_objects(objects_factory, hints: dict, target: Path, on_written, keys=None):
    """Write the objects' cells to `target` as CSV rows without a header, in the order of
    `keys`, or, without them, of the keys as they first appear. Returns (the keys, whether
    a key first appeared after the first object: rows before it are then shorter, where
    the objects' numbers skip some: Table.skipped), or (None, False, []) where a hinted
    value does not convert."""
    fixed = keys is not None
    keys = list(keys or [])
    known = set(keys)
    # A cell of a hinted column: the value converted as types.converter(kind) converts its
    # text, _text(value).
    converters = {k: _CONVERT_OBJECT[kind] for k, kind in hints.items()}
    first_width, skipped = None, []
    with open(target, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        for count, (row, obj) in enumerate(objects_factory(), start=1):
            if row - count != (skipped[-1][1] if skipped else 0):  # blank JSON lines
                skipped.append((count, row - count))
            if on_written is not None:
                on_written(count)
            if not fixed:
                for k in obj:
                    if k not in known:
                        known.add(k)
                        keys.append(k)
                if first_width is None:
                    first_width = len(keys)
            cells = []
            try:
                for k in keys:
                    value = obj.get(k)
                    if value is None:
                        cells.append("")
                    elif k in converters:
                        cells.append(converters[k](value))
                    else:
                        cells.append(_text(value))
            except (types.Invalid, ValueError):
                return None, False, []
            writer.writerow(cells)
    return keys, first_width is not None and len(keys) > first_width, skipped


def read_json(path: Path, options: dict, out: CsvCopy | None = None) -> Table:
    only_objects = _("Only a JSON array of objects (one object per row) can be ingested.")

    def not_an_object(number):
        return IngestError(
            Text(_("Row %(row)s is not a JSON object. %(rule)s"), row=number, rule=only_objects),
            code="format-error",
            row=number,
        )

    prefix = _json_rows_at(path)
    if prefix is None:
        raise IngestError(only_objects, code="format-error")
    table = _objects_table(lambda: _json_objects(path, prefix, not_an_object), out=out)
    table.rows_at = prefix.removesuffix("item").removesuffix(".")
    return table


def read_jsonl(path: Path, options: dict, out: CsvCopy | None = None) -> Table:
    def objects():
        with open(path, encoding="utf-8-sig") as f:
            for number, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except (ValueError, RecursionError) as exc:
                    message = Text(_("Line %(row)s is not valid JSON."), row=number)
                    if isinstance(exc, json.JSONDecodeError):
                        message = Text(
                            _("Line %(row)s is not valid JSON from character %(character)s."),
                            row=number,
                            character=exc.colno,
                        )
                    raise IngestError(
                        message,
                        code="format-error",
                        row=number,
                    ) from None
                if not isinstance(obj, dict):
                    raise IngestError(
                        Text(_("Line %(row)s is not a JSON object."), row=number),
                        code="format-error",
                        row=number,
                    )
                yield number, obj

    return _objects_table(objects, out=out)


@dataclass(frozen=True)
class _Ours:
    """A column of ours among a feature's properties, as a key that equals none of theirs:
    it is labelled `base`, else `base_2`, ... once every property's name is known."""

    base: str

    def __str__(self) -> str:  # in the CSV copy's header line, which is never read
        return self.base


_FEATURE_ID, _GEOMETRY_PROPERTY = _Ours("id"), _Ours("geometry")
_OURS_RENAMED = {
    _FEATURE_ID: _(
        "Column %(column)s holds the features' ids, named '%(label)s': a property is named 'id'."
    ),
    _GEOMETRY_PROPERTY: _(
        "Column %(column)s is the features' property 'geometry', renamed '%(label)s': the "
        "column 'geometry' holds their geometries."
    ),
}


def read_geojson(path: Path, options: dict, out: CsvCopy | None = None) -> Table:
    prefix = _json_rows_at(path, geojson=True)
    if prefix is None:
        raise IngestError(_("The GeoJSON has no list of features."), code="format-error")

    def not_a_feature(number):
        return IngestError(
            Text(_("Feature %(row)s is not an object."), row=number),
            code="format-error",
            row=number,
        )

    def objects():
        for number, feature in _json_objects(path, prefix, not_a_feature):
            # The feature's id (OSM and ArcGIS exports give one) is a column, first.
            row = {} if feature.get("id") is None else {_FEATURE_ID: feature["id"]}
            properties = feature.get("properties") or {}
            if not isinstance(properties, dict):
                raise IngestError(
                    Text(_("The properties of feature %(row)s are not an object."), row=number),
                    code="format-error",
                    row=number,
                )
            for key, value in properties.items():
                row[_GEOMETRY_PROPERTY if key == "geometry" else key] = value
            row["geometry"] = feature.get("geometry")
            yield number, row

    table = _objects_table(objects, hints={"geometry": "geometry"}, out=out)
    # A new list: the rows may still look the objects' values up by the keys in the old.
    keys, table.labels = table.labels, []
    taken = {key for key in keys if isinstance(key, str)}
    for column, key in enumerate(keys, start=1):
        label = key
        if isinstance(key, _Ours):
            label, n = key.base, 2
            while label in taken:
                label, n = f"{key.base}_{n}", n + 1
            taken.add(label)
            if label != key.base:
                message = Text(_OURS_RENAMED[key], column=column, label=label)
                table.warnings.append(("duplicate-label", message, column))
        table.labels.append(label)
    return table


# ---------------------------------------------------------------- archives


def _copy_capped(source, target, limit: int) -> int:
    written = 0
    while chunk := source.read(1 << 20):
        written += len(chunk)
        if written > limit:
            raise TooLarge(limit)
        target.write(chunk)
    return written


def extract_zip(path: Path) -> tuple[Path, str]:
    """The one ingestible member of a ZIP, extracted to a temporary file, with its name.
    Sizes in the directory are checked first and the extraction itself is capped, since a
    crafted archive can lie in its directory."""
    limit = conf.get("MAX_BYTES")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise IngestError(
            _("The ZIP archive is damaged."), code="format-error", unreadable=True
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > conf.get("ZIP_MAX_ENTRIES"):
            raise IngestError(
                Text(_("The ZIP archive holds too many files (%(n)s)."), n=len(infos)),
                code="source-error",
                unreadable=True,
            )
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if total > limit or total / packed > conf.get("ZIP_MAX_RATIO"):
            raise IngestError(
                _("The ZIP archive expands to too much data (a 'ZIP bomb'); it was not opened."),
                code="source-error",
                unreadable=True,
            )
        # PowerShell 5's Compress-Archive writes folder separators as backslashes: read as
        # Windows would read them, a name is refused if it climbs out or starts at a root
        # or a drive there (the member goes to a temporary file; its path is never used).
        for info in infos:
            name = PureWindowsPath(info.filename)
            if name.drive or name.root or ".." in name.parts:
                raise IngestError(
                    Text(
                        _("The ZIP archive contains an unsafe path: %(name)s"), name=info.filename
                    ),
                    code="source-error",
                    unreadable=True,
                )
        paths = {i.filename: PurePosixPath(i.filename.replace("\\", "/")) for i in infos}
        candidates = [
            i
            for i in infos
            if not i.is_dir()
            and paths[i.filename].suffix.lower()
            in (".csv", ".tsv", ".txt", ".json", ".jsonl", ".geojson", ".xlsx", ".xls", ".ods")
            and not paths[i.filename].name.startswith(".")
        ]
        # A .txt beside a table describes it (a README); alone it may be the data.
        candidates = [i for i in candidates if not i.filename.lower().endswith(".txt")] or (
            candidates
        )
        if len(candidates) != 1:
            names = [paths[i.filename].name for i in candidates]
            raise IngestError(
                Text(
                    _(
                        "A ZIP archive is ingested when it holds exactly one data file "
                        "(CSV, JSON, GeoJSON or a spreadsheet); this one holds %(n)s: "
                        "%(names)s. Upload the one to publish on its own."
                    ),
                    n=len(candidates),
                    names=joined(names[:10] + (["…"] if len(names) > 10 else [])),
                ),
                code="source-error",
                unreadable=True,
            )
        member = candidates[0]
        # Closed by the `with` below; kept on disk for the reader, removed by cleanup().
        target = tempfile.NamedTemporaryFile(  # noqa: SIM115
            delete=False, suffix=paths[member.filename].suffix
        )
        with archive.open(member) as source, target:
            _copy_capped(source, target, min(limit, max(member.file_size, 1)))
        return Path(target.name), paths[member.filename].name


def gunzip(path: Path) -> Path:
    limit = conf.get("MAX_BYTES")
    target = tempfile.NamedTemporaryFile(delete=False)  # noqa: SIM115 (closed by `with`)
    try:
        with gzip.open(path, "rb") as source, target:
            _copy_capped(source, target, limit)
    except (OSError, EOFError):
        Path(target.name).unlink(missing_ok=True)
        raise IngestError(
            _("The gzip file is damaged."), code="format-error", unreadable=True
        ) from None
    except TooLarge:
        Path(target.name).unlink(missing_ok=True)
        raise
    return Path(target.name)


SPREADSHEETS = ("xlsx", "xls", "ods")
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
READERS = {
    "csv": read_csv,
    "xlsx": read_xlsx,
    "xls": read_xls,
    "ods": read_ods,
    "json": read_json,
    "jsonl": read_jsonl,
    "geojson": read_geojson,
}


def open_table(
    path: Path, name: str, options: dict, workdir: Path, on_rows=None
) -> tuple[str, Table]:
    """(format, table) for the file; raises IngestError for formats we do not ingest.
    Spreadsheets and JSON are written out as CSV in `workdir`, `on_rows(count)` told as
    the rows are."""
    temp_paths = []
    fmt = detect_format(path, name)
    if fmt == "gzip":
        path = gunzip(path)
        temp_paths.append(path)
        name = name[:-3] if name.lower().endswith(".gz") else name
        fmt = detect_format(path, name)
    if fmt == "zip":
        path, name = extract_zip(path)
        temp_paths.append(path)
        fmt = detect_format(path, name)
        if fmt in ("zip", "gzip"):
            raise IngestError(
                _("Archives inside archives are not ingested."),
                code="source-error",
                unreadable=True,
            )
    if fmt == "html":
        raise IngestError(
            _(
                "Not ingested: this file is a web page (HTML), not a data table. A link should "
                "point to the data file itself (its download address), not to a page about it "
                "or a page the server shows instead (a login, an error or maintenance)."
            ),
            code="format-error",
            unreadable=True,
        )
    if fmt == "damaged" and Path(name).suffix.lower() == ".zip":
        raise IngestError(_("The ZIP archive is damaged."), code="format-error", unreadable=True)
    if fmt == "damaged" or (fmt == "other" and Path(name).suffix.lower() in _WORKBOOK_SUFFIXES):
        # Named as a workbook (or starting as one) but not one we can open: calling it
        # "not a table we can read" would send the publisher looking at the wrong thing.
        raise IngestError(_DAMAGED, code="format-error", unreadable=True)
    if fmt not in READERS:
        raise IngestError(
            _(
                "Not ingested: this file is not a table we can read (CSV, TSV, XLSX, XLS, ODS, "
                "JSON, JSON Lines, GeoJSON or a ZIP of one). It is stored and can be downloaded."
            ),
            code="format-error",
            unreadable=True,
        )
    # Spreadsheets and JSON are read through a CSV copy; delimited text may need one too.
    table = READERS[fmt](path, options, CsvCopy(workdir, on_rows))
    table.temp_paths = temp_paths
    return fmt, table


def cleanup(table: Table) -> None:
    for p in table.temp_paths:
        Path(p).unlink(missing_ok=True)
