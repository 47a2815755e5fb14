"""Header repair, the publisher's data dictionary, and the validation report.

Error codes follow Frictionless (blank-label, duplicate-label, extra-cell, missing-cell,
type-error, constraint-error, unique-error, blank-row, encoding-error, format-error,
source-error, schema-error). Rows and columns are 1-based as the publisher sees them in the file.
"""

import re
from collections import Counter

from django.utils.translation import gettext_lazy as _

from datasets.datastore.schema import SYSTEM_COLUMNS, is_safe_identifier
from datasets.ingest import conf
from datasets.ingest.errors import Text, translations
from datasets.ingest.types import type_name

SCHEMA_TYPES = {
    "string": "text",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
    "year": "integer",
    "geojson": "geometry",
    "geopoint": "geometry",
    "geometry": "geometry",
    "text": "text",
}
# Codes that make a file unpublishable even without a dictionary: a value would be lost.
FATAL_ALWAYS = {"extra-cell", "type-error"}


class Report:
    def __init__(self):
        self.totals: Counter = Counter()
        self.errors: list[dict] = []
        self.warnings: list[dict] = []
        self.cap = conf.get("MAX_REPORT_ERRORS")

    def add(self, code, message, *, row=None, column=None, field=None, warning=False):
        self.totals[code] += 1
        target = self.warnings if warning else self.errors
        if sum(1 for e in target if e["code"] == code) < self.cap:
            # `message` (a Text) is rendered only for the entries kept: in the job's
            # language, and in each site language for readers of the others.
            target.append(
                {
                    "code": code,
                    "row": row,
                    "column": column,
                    "field": field,
                    "message": str(message),
                    "translations": translations(message),
                }
            )

    @property
    def error_count(self) -> int:
        return sum(self.totals[e] for e in {e["code"] for e in self.errors})

    @property
    def first_error(self) -> dict:
        return self.ordered(self.errors)[0]

    @staticmethod
    def ordered(entries: list[dict]) -> list[dict]:
        """Top to bottom and left to right, as the publisher reads the file: problems are
        found a column of a batch of rows at a time (those of the header first)."""
        return sorted(entries, key=lambda e: (e["row"] or 0, e["column"] or 0))

    def as_dict(self, **extra) -> dict:
        return {
            "valid": not self.errors,
            "totals": dict(self.totals),
            "errors": self.ordered(self.errors),
            "warnings": self.ordered(self.warnings),
            **extra,
        }


def _slug(label: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")[:50]
    if slug and (slug[0].isdigit() or slug in SYSTEM_COLUMNS):
        slug = f"c_{slug}"
    return slug


def repair_header(labels: list[str], report: Report) -> list[dict]:
    """Columns with unique non-blank labels and safe ids, warning about each repair.
    Deterministic: the same header always gives the same ids (clients rely on them)."""
    columns = []
    seen_labels: set[str] = set()
    seen_ids: set[str] = set()
    for number, raw in enumerate(labels, start=1):
        label = (raw or "").strip()
        if not label:
            label = f"field_{number}"
            report.add(
                "blank-label",
                Text(
                    _("Column %(column)s has no name; it was named '%(label)s'."),
                    column=number,
                    label=label,
                ),
                row=None,
                column=number,
                warning=True,
            )
        if label in seen_labels:
            base, n = label, 2
            while f"{base}_{n}" in seen_labels:
                n += 1
            label = f"{base}_{n}"
            report.add(
                "duplicate-label",
                Text(
                    _("Column %(column)s repeats the name '%(base)s'; it was renamed '%(label)s'."),
                    column=number,
                    base=base,
                    label=label,
                ),
                column=number,
                warning=True,
            )
        seen_labels.add(label)
        ident = _slug(label) or f"col_{number}"
        if not is_safe_identifier(ident):
            ident = f"col_{number}"
        base, n = ident, 2
        while ident in seen_ids:
            ident = f"{base}_{n}"
            n += 1
        seen_ids.add(ident)
        columns.append({"id": ident, "label": label, "type": "text"})
    return columns


# What a data dictionary field says for readers only, copied onto its column.
DESCRIPTIVE_KEYS = ("title", "description", "unit")


def columns_by_name(columns: list[dict]) -> dict[str, int]:
    """Column index by the names a dictionary field may give it: its label, else its id."""
    by_name = {}
    for index, column in enumerate(columns):
        by_name.setdefault(column["label"], index)
        by_name.setdefault(column["id"], index)
    return by_name


def describe(column: dict, field: dict) -> None:
    """The field's label, description and unit on the column."""
    for key in DESCRIPTIVE_KEYS:
        if field.get(key):
            column[key] = field[key]


def apply_dictionary(columns: list[dict], schema: dict, report: Report) -> dict:
    """Declared types and constraints by column index; unknown declared fields are errors."""
    declared = {}
    fields = (schema or {}).get("fields") or []
    by_name = columns_by_name(columns)
    for field in fields:
        name = field.get("name", "")
        if name not in by_name:
            report.add(
                "missing-label",
                Text(
                    _("The data dictionary lists a column '%(name)s' that the file does not have."),
                    name=name,
                ),
                field=name,
            )
            continue
        index = by_name[name]
        kind = SCHEMA_TYPES.get(field.get("type", "string"), "text")
        constraints = dict(field.get("constraints") or {})
        if "pattern" in constraints:
            problem = pattern_problem(constraints["pattern"])
            if problem is not None:
                del constraints["pattern"]
                report.add(
                    "schema-error",
                    Text(
                        _(
                            "The data dictionary's pattern for '%(name)s' is not a regular "
                            "expression: %(error)s. Correct it in the data dictionary."
                        ),
                        name=name,
                        error=problem,
                    ),
                    column=index + 1,
                    field=name,
                )
        declared[index] = {"type": kind, "constraints": constraints}
        describe(columns[index], field)
    return declared


class ConstraintChecker:
    def __init__(self, column: dict, number: int, constraints: dict, report: Report):
        self.column = column
        self.number = number
        self.constraints = constraints
        self.report = report
        self.unique = set() if constraints.get("unique") else None
        pattern = constraints.get("pattern")
        self.pattern = re.compile(pattern) if pattern else None

    def _fail(self, row, message, code="constraint-error"):
        self.report.add(code, message, row=row, column=self.number, field=self.column["label"])

    def check(self, row: int, raw: str | None, value) -> None:
        c = self.constraints
        label = self.column["label"]
        where = {"row": row, "column": self.number, "label": label}
        if value is None:
            # A value that is not of the column's type has its own type error: it is
            # there, so "a value is required" would send the publisher looking for a gap.
            if c.get("required") and raw is None:
                self._fail(
                    row,
                    Text(
                        _("Row %(row)s, column %(column)s (%(label)s): a value is required."),
                        **where,
                    ),
                )
            return
        if "enum" in c and raw not in [str(v) for v in c["enum"]]:
            self._fail(
                row,
                Text(
                    _(
                        "Row %(row)s, column %(column)s (%(label)s): '%(value)s' is not one of "
                        "%(allowed)s."
                    ),
                    **where,
                    value=raw,
                    allowed=", ".join(str(v) for v in c["enum"]),
                ),
            )
        for key, bad in (("minimum", lambda v, m: v < m), ("maximum", lambda v, m: v > m)):
            if key in c:
                limit = c[key]
                try:
                    failed = bad(value, type(value)(limit))
                except (TypeError, ValueError):
                    failed = False
                if failed:
                    self._fail(
                        row,
                        Text(
                            _(
                                "Row %(row)s, column %(column)s (%(label)s): %(value)s is outside "
                                "the allowed %(key)s %(limit)s."
                            ),
                            **where,
                            value=raw,
                            key=key,
                            limit=limit,
                        ),
                    )
        if self.pattern and not self.pattern.fullmatch(raw):
            self._fail(
                row,
                Text(
                    _(
                        "Row %(row)s, column %(column)s (%(label)s): '%(value)s' does not match "
                        "the required pattern."
                    ),
                    **where,
                    value=raw[:100],
                ),
            )
        for key, bad in (("minLength", lambda n, m: n < m), ("maxLength", lambda n, m: n > m)):
            if key in c and bad(len(raw), int(c[key])):
                self._fail(
                    row,
                    Text(
                        _(
                            "Row %(row)s, column %(column)s (%(label)s): the length %(n)s is "
                            "outside the allowed %(key)s %(limit)s."
                        ),
                        **where,
                        n=len(raw),
                        key=key,
                        limit=c[key],
                    ),
                )
        if self.unique is not None:
            if value in self.unique:
                self._fail(
                    row,
                    Text(
                        _(
                            "Row %(row)s, column %(column)s (%(label)s): '%(value)s' appears more "
                            "than once but must be unique."
                        ),
                        **where,
                        value=raw[:100],
                    ),
                    code="unique-error",
                )
            self.unique.add(value)


# Python's words for the usual mistakes in a regular expression (re.error.msg), and ours.
_PATTERN_MISTAKES = {
    "unterminated character set": _("a [ is not closed with ]"),
    "missing ), unterminated subpattern": _("a ( is not closed with )"),
    "unbalanced parenthesis": _("a ) has no ( before it"),
    "nothing to repeat": _("*, + or ? follows nothing it could repeat"),
    "multiple repeat": _("two repeats such as ** or +* follow each other"),
    "bad escape (end of pattern)": _("the pattern ends with a lone \\"),
}


def pattern_problem(pattern) -> Text | None:
    """What is wrong with a data dictionary's `pattern` (Python's regular expressions, as
    ConstraintChecker matches them), and where, in the reader's language; None when it
    compiles. For the API, the dictionary page and the ingestion alike."""
    if not isinstance(pattern, str):
        return Text(_("it is not a text"))
    try:
        re.compile(pattern)
    except re.error as exc:
        reason = _PATTERN_MISTAKES.get(exc.msg)
        if reason is None and exc.msg.startswith("bad escape "):
            reason = Text(_("%(escape)s is no escape a pattern knows"), escape=exc.msg[11:])
        if reason is None and exc.msg.startswith("bad character range "):
            reason = Text(_("the range %(range)s runs backwards"), range=exc.msg[20:])
        reason = exc.msg if reason is None else reason  # a rarer mistake: Python's words
        if exc.pos is None:
            return Text("%(reason)s", reason=reason)
        return Text(_("%(reason)s, at character %(position)s"), reason=reason, position=exc.pos + 1)
    return None


# Warnings of a version whose columns differ from the live version's (report_column_changes).
COLUMN_CHANGES = ("column-removed", "column-added", "type-changed")


def report_column_changes(report: Report, before: list[dict] | None, after: list[dict]) -> None:
    """Warn where the columns differ from the version that was live (`before`): programs,
    charts and filters that use a column stop working when it goes or changes type, and a
    change upstream is not always meant."""
    if not before:
        return
    old = {c["id"]: c for c in before}
    new = {c["id"] for c in after}
    for column in before:
        if column["id"] not in new:
            label = column.get("label") or column["id"]
            report.add(
                "column-removed",
                Text(
                    _(
                        "The version that was live has a column '%(label)s' this file does "
                        "not have: what uses it stops working."
                    ),
                    label=label,
                ),
                field=label,
                warning=True,
            )
    for index, column in enumerate(after, start=1):
        label = column.get("label") or column["id"]
        earlier = old.get(column["id"])
        if earlier is None:
            report.add(
                "column-added",
                Text(_("The column '%(label)s' is new in this file."), label=label),
                column=index,
                field=label,
                warning=True,
            )
        elif earlier["type"] != column["type"]:
            report.add(
                "type-changed",
                Text(
                    _(
                        "The column '%(label)s' is read as %(type)s; in the version that was "
                        "live it was %(before)s."
                    ),
                    label=label,
                    type=type_name(column["type"]),
                    before=type_name(earlier["type"]),
                ),
                column=index,
                field=label,
                warning=True,
            )
