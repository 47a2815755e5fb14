"""The subset of Solr query syntax that CKAN clients and harvesters send, turned into a Q.

    tags:water AND -organization:"taipei-dot" metadata_modified:[2024-01-01T00:00:00Z TO *]

Supported: `field:value`, `field:"quoted value"`, `field:(a OR b)`, ranges `[a TO b]`
(inclusive) and `{a TO b}` (exclusive) with `*` and `NOW[-+]N UNIT`, prefix `-`/`+`/`!`,
`AND`/`OR`/`NOT`/`&&`/`||`, parentheses, `*:*`, trailing `*` wildcards on names, and
bare words (free text, handed to the caller's `text` function). Terms without an operator
between them are ANDed, as CKAN's default `q.op` does for short queries. Anything else is
a `SearchQueryError` with a message naming what is wrong, never an exception that ends
as a 500.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _


class SearchQueryError(ValueError):
    pass


# --- tokens -------------------------------------------------------------------------------


@dataclass
class Token:
    kind: str  # LPAREN RPAREN FIELD WORD QUOTED RANGE AND OR NOT PLUS
    value: str = ""
    pos: int = 0


_OPERATORS = {"AND": "AND", "&&": "AND", "OR": "OR", "||": "OR", "NOT": "NOT"}
_WORD_END = set(' \t\r\n()"[]{}')


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            tokens.append(Token("LPAREN" if c == "(" else "RPAREN", c, i))
            i += 1
        elif c == '"':
            end, value = i + 1, []
            while end < n and text[end] != '"':
                if text[end] == "\\" and end + 1 < n:
                    end += 1
                value.append(text[end])
                end += 1
            if end >= n:
                raise SearchQueryError(
                    _("Unclosed quote at position %(position)s") % {"position": i + 1}
                )
            tokens.append(Token("QUOTED", "".join(value), i))
            i = end + 1
        elif c in "[{":
            end = i + 1
            while end < n and text[end] not in "]}":
                end += 1
            if end >= n:
                raise SearchQueryError(
                    _("Unclosed range at position %(position)s") % {"position": i + 1}
                )
            tokens.append(Token("RANGE", text[i : end + 1], i))
            i = end + 1
        elif c in "]}":
            raise SearchQueryError(
                _("Unexpected '%(text)s' at position %(position)s") % {"text": c, "position": i + 1}
            )
        elif c in "-+!" and i + 1 < n and not text[i + 1].isspace():
            tokens.append(Token("NOT" if c in "-!" else "PLUS", c, i))
            i += 1
        else:
            start, value = i, []
            while i < n and text[i] not in _WORD_END:
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                    value.append("\x00" + text[i])  # escaped: never a field separator
                elif text[i] == ":" and not any(v == ":" for v in value) and value:
                    # First unescaped colon ends the field name; the value follows.
                    field = "".join(v[-1] for v in value)
                    tokens.append(Token("FIELD", field, start))
                    value = [":"]  # marker, dropped below
                    start = i + 1
                else:
                    value.append(text[i])
                i += 1
            word = "".join(v[-1] for v in value if v != ":")
            if value == [":"]:
                continue  # `field:` followed by a quote, range or group
            if word in _OPERATORS and not (tokens and tokens[-1].kind == "FIELD"):
                tokens.append(Token(_OPERATORS[word], word, start))
            else:
                tokens.append(Token("WORD", word, start))
    return tokens


# --- syntax tree --------------------------------------------------------------------------


@dataclass
class Term:
    field: str | None
    value: str
    kind: str  # WORD QUOTED RANGE


@dataclass
class Not:
    node: object


@dataclass
class BoolOp:
    op: str  # AND OR
    nodes: list


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.i = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self):
        if not self.tokens:
            return BoolOp("AND", [])
        node = self.or_expr(None)
        token = self.peek()
        if token is not None:
            raise SearchQueryError(
                _("Unexpected '%(text)s' at position %(position)s")
                % {"text": token.value, "position": token.pos + 1}
            )
        return node

    def or_expr(self, field):
        nodes = [self.and_expr(field)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            nodes.append(self.and_expr(field))
        return nodes[0] if len(nodes) == 1 else BoolOp("OR", nodes)

    def and_expr(self, field):
        nodes = [self.unary(field)]
        while (token := self.peek()) is not None and token.kind not in ("OR", "RPAREN"):
            if token.kind == "AND":
                self.take()
            nodes.append(self.unary(field))
        return nodes[0] if len(nodes) == 1 else BoolOp("AND", nodes)

    def unary(self, field):
        token = self.peek()
        if token is None:
            raise SearchQueryError(_("The query ends where a term was expected"))
        if token.kind == "NOT":
            self.take()
            return Not(self.unary(field))
        if token.kind == "PLUS":
            self.take()
            return self.unary(field)
        return self.primary(field)

    def primary(self, field):
        token = self.take() if self.peek() else None
        if token is None:
            raise SearchQueryError(_("The query ends where a term was expected"))
        if token.kind == "LPAREN":
            node = self.or_expr(field)
            closing = self.peek()
            if closing is None or closing.kind != "RPAREN":
                raise SearchQueryError(
                    _("Unclosed '(' at position %(position)s") % {"position": token.pos + 1}
                )
            self.take()
            return node
        if token.kind == "FIELD":
            if field is not None:
                raise SearchQueryError(
                    _("Nested field '%(text)s' inside '%(field)s:(...)'")
                    % {"text": token.value, "field": field}
                )
            if self.peek() is None:
                raise SearchQueryError(_("Field '%(text)s' has no value") % {"text": token.value})
            return self.primary(token.value)
        if token.kind in ("WORD", "QUOTED", "RANGE"):
            return Term(field, token.value, token.kind)
        raise SearchQueryError(
            _("Unexpected '%(text)s' at position %(position)s")
            % {"text": token.value, "position": token.pos + 1}
        )


def parse(text: str):
    return _Parser(tokenize(text)).parse()


# --- values -------------------------------------------------------------------------------

_NOW = re.compile(r"^NOW(?:/(DAY|HOUR|MONTH|YEAR))?(?:([+-])(\d+)(DAYS?|HOURS?|MONTHS?|YEARS?))?$")


def parse_instant(value: str, field: str) -> dt.datetime | None:
    """A Solr date (`2024-01-01T00:00:00Z`, `2024-01-01`, `NOW-7DAYS`) or None for `*`."""
    if value == "*":
        return None
    if match := _NOW.match(value):
        rounding, sign, amount, unit = match.groups()
        moment = timezone.now()
        if rounding:
            moment = moment.replace(minute=0, second=0, microsecond=0)
            if rounding != "HOUR":
                moment = moment.replace(hour=0)
        if sign:
            days = {"D": 1, "H": 1 / 24, "M": 30, "Y": 365}[unit[0]] * int(amount)
            try:
                moment += dt.timedelta(days=days if sign == "+" else -days)
            except OverflowError:  # before year 1 or after 9999
                raise SearchQueryError(
                    _("Date '%(value)s' for field '%(field)s' is out of range")
                    % {"value": value, "field": field}
                ) from None
        return moment
    parsed = None
    try:
        parsed = parse_datetime(value)
        if parsed is None and (day := parse_date(value)) is not None:
            parsed = dt.datetime.combine(day, dt.time())
    except ValueError:
        parsed = None
    if parsed is None:
        raise SearchQueryError(
            _("Invalid date '%(value)s' for field '%(field)s'") % {"value": value, "field": field}
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


_RANGE = re.compile(r"^([\[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])$")


def date_q(lookup: str, term: Term) -> Q:
    if term.kind == "RANGE":
        match = _RANGE.match(term.value)
        if not match:
            raise SearchQueryError(
                _("Invalid range '%(value)s': use [from TO to]") % {"value": term.value}
            )
        opening, low, high, closing = match.groups()
        q = Q()
        if (start := parse_instant(low, lookup)) is not None:
            q &= Q(**{f"{lookup}__{'gte' if opening == '[' else 'gt'}": start})
        if (end := parse_instant(high, lookup)) is not None:
            q &= Q(**{f"{lookup}__{'lte' if closing == ']' else 'lt'}": end})
        return q
    if term.value == "*":
        return Q(**{f"{lookup}__isnull": False})
    moment = parse_instant(term.value, lookup)
    return Q(**{lookup: moment})


def string_q(lookup: str, term: Term, *, iexact: bool = False) -> Q:
    if term.kind == "RANGE":
        raise SearchQueryError(_("Ranges are not supported on '%(field)s'") % {"field": lookup})
    if term.value == "*":
        return Q(**{f"{lookup}__isnull": False})
    if term.kind == "WORD" and term.value.endswith("*"):
        return Q(**{f"{lookup}__istartswith": term.value.rstrip("*")})
    return Q(**{f"{lookup}__iexact" if iexact else lookup: term.value})


def related_q(lookup: str, term: Term, *, iexact: bool = False) -> Q:
    """A condition on a many-valued relation as a subquery, so `tags:a AND tags:b` means
    two different tags (one shared join would need one tag named both) and rows never
    repeat."""
    from datasets.models import Dataset

    return Q(pk__in=Dataset.objects.filter(string_q(lookup, term, iexact=iexact)).values("pk"))


def _format_q(term: Term) -> Q:
    """Datasets with a file of that format as readers download it (Resource.public_file),
    not as a newer upload still being read or that failed has it."""
    from datasets.models import Resource

    resources = Resource.objects.with_public_format()
    return Q(
        pk__in=resources.filter(string_q("public_format", term, iexact=True)).values("dataset_id")
    )


def _id_q(term: Term) -> Q:
    try:
        return Q(pk=uuid.UUID(term.value))
    except ValueError:
        return Q(pk__in=[])


def _owner_org_q(term: Term) -> Q:
    return Q(organization_id=int(term.value)) if term.value.isdigit() else Q(pk__in=[])


def _bool_q(lookup: str, term: Term) -> Q:
    value = term.value.lower()
    if value not in ("true", "false"):
        raise SearchQueryError(
            _("'%(field)s' takes true or false, not '%(value)s'")
            % {"field": lookup, "value": term.value}
        )
    return Q(**{lookup: value == "true"})


def _always(_term: Term) -> Q:
    return Q()


def _text_fields(*fields: str) -> Callable[[Term], Q]:
    def build(term: Term) -> Q:
        q = Q()
        for name in fields:
            q |= string_q(f"{name}__icontains", Term(None, term.value.rstrip("*"), "QUOTED"))
        return q

    return build


FIELDS: dict[str, Callable[[Term], Q]] = {
    "id": _id_q,
    "name": lambda t: string_q("name", t),
    "title": _text_fields("title_zh_hant", "title_en"),
    "notes": _text_fields("summary_zh_hant", "summary_en", "description_zh_hant", "description_en"),
    "organization": lambda t: string_q("organization__slug", t),
    "owner_org": _owner_org_q,
    "groups": lambda t: related_q("themes__slug", t),
    "tags": lambda t: related_q("tags__name", t, iexact=True),
    "res_format": _format_q,
    "license_id": lambda t: string_q("license_id", t),
    "metadata_modified": lambda t: date_q("metadata_modified", t),
    "metadata_created": lambda t: date_q("created_at", t),
    "private": lambda t: _bool_q("private", t),
    "capacity": lambda t: Q(private=t.value != "public"),
    # Harvesters add these to every query; on this portal they always hold.
    "type": _always,
    "dataset_type": _always,
    "site_id": _always,
    "state": lambda t: Q() if t.value == "active" else Q(pk__in=[]),
}


def to_q(node, text: Callable[[str], Q]) -> Q:
    """Compile a parsed query; `text(words)` builds the Q for free-text terms."""
    if isinstance(node, BoolOp):
        parts = [to_q(child, text) for child in node.nodes]
        if node.op == "OR" and any(not part for part in parts):
            return Q()  # one branch matches everything
        q = Q()
        for part in parts:
            q = (q & part) if node.op == "AND" or not q else (q | part)
        return q
    if isinstance(node, Not):
        return ~to_q(node.node, text)
    if node.field is None:
        return text(node.value)
    if node.field == "*" and node.value == "*":
        return Q()
    if node.field == "text":
        return text(node.value)
    builder = FIELDS.get(node.field)
    if builder is None:
        raise SearchQueryError(_("Unknown field '%(field)s'") % {"field": node.field})
    return builder(node)


def solr_to_q(text: str, *, free_text: Callable[[str], Q]) -> Q:
    return to_q(parse(text), free_text)


def free_text_only(text: str) -> str | None:
    """The words of a query made only of ANDed free-text terms (`bus stop`), else None."""
    try:
        node = parse(text)
    except SearchQueryError:
        return None
    terms = node.nodes if isinstance(node, BoolOp) and node.op == "AND" else [node]
    if terms and all(isinstance(t, Term) and t.field is None for t in terms):
        return " ".join(t.value for t in terms)
    return None
