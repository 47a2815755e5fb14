"""Column type inference and conversion of text cells to typed values.

A column gets a non-text type only when every non-empty value converts to it, so
inference never loses a value: `007` stays text (the zeros matter), `1,234` is the integer
1234, `113/01/05` is the ROC date 2024-01-05.
"""

import functools
import itertools
import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import pgettext_lazy

# Most specific first; "text" always fits.
ORDER = ("boolean", "integer", "number", "date", "datetime", "geometry", "text")

# A null token may be padded with white space before it, and with these after it (as
# fixed-width exports pad their fields): "  -" and "-  " are no value.
TRAILING_SPACES = (" ", "\u3000")

TRUE = {"true", "t", "yes", "y", "是", "真"}
FALSE = {"false", "f", "no", "n", "否", "假"}

# Digits are ASCII digits, after full-width ones (typed in an IME's full-width mode:
# "１２３") are read as the digits they are. Python's \d would take any script's, which
# int() reads too; other scripts' digits leave a value text. The columnar path's SQL
# knows ASCII digits only and steps aside for a column Python reads otherwise.
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_INT = re.compile(r"^[+-]?(0|[1-9]\d{0,17})$", re.ASCII)
_INT_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+$", re.ASCII)
# No leading zeros ("007" is a code, not 7); "0.5" is fine.
_NUMBER = re.compile(r"^[+-]?((0|[1-9]\d*)(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
# Finite and exact for sure (no exponent, at most 300 digits before a point, at most 15
# without one): the others are checked by to_number, which refuses 1e999 and 400 nines
# (infinite as floats) and 20-digit codes (inexact).
_PLAIN_NUMBER = re.compile(r"^[+-]?((0|[1-9]\d{0,299})\.\d*|\.\d+|0|[1-9]\d{0,14})$", re.ASCII)
_NUMBER_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$", re.ASCII)
_NUMBER_DECIMAL_COMMA = re.compile(r"^[+-]?([1-9]\d{0,2}([. ]\d{3})+|0|[1-9]\d*)(,\d+)?$", re.ASCII)
# A whole number as _NUMBER and _NUMBER_THOUSANDS take it, and what is not its digits.
_WHOLE = re.compile(r"^[+-]?[\d,]+$", re.ASCII)
_WHOLE_DIGITS = re.compile(r"[^\d]", re.ASCII)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_SLASH_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$", re.ASCII)
_ROC_DATE = re.compile(r"^(?:民國)?(\d{2,3})[/.年-](\d{1,2})[/.月-](\d{1,2})日?$", re.ASCII)
_DATETIME = re.compile(
    # A date alone is its midnight: a workbook writes a date and time at midnight so.
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?"
    r"\s*(Z|[+-](?:0\d|1[0-4]):?[0-5]\d)?)?$",  # no zone is past 14 hours from UTC
    re.ASCII,
)
_WKT = re.compile(r"^\s*(POINT|LINESTRING|POLYGON)\s*(Z\s*)?\((.*)\)\s*$", re.IGNORECASE | re.S)
GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


class Invalid(ValueError):
    pass


def to_boolean(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise Invalid


def _digits(value: str) -> str:
    return value.strip().translate(_FULL_WIDTH_DIGITS)


# What a 64-bit integer column holds.
INTEGER_RANGE = range(-(2**63), 2**63)
# A whole number with more significant digits than this is not exact as a float (a
# double keeps 15): 20-digit tracking numbers stay text rather than lose digits.
FLOAT_DIGITS = 15


def to_integer(value: str, decimal_comma: bool = False) -> int:
    value = _digits(value)
    if _INT.match(value):
        return int(value)
    if not decimal_comma and _INT_THOUSANDS.match(value):
        number = int(value.replace(",", ""))
        if number in INTEGER_RANGE:
            return number
    raise Invalid


def _inexact_whole(digits: str) -> bool:
    """Whether a whole number written with these digits would lose some as a float."""
    return len(digits.strip("0")) > FLOAT_DIGITS


def to_number(value: str, decimal_comma: bool = False) -> float:
    number = _number(_digits(value), decimal_comma)
    if not math.isfinite(number):  # 1e999: no number PostgreSQL, JSON or charts can use
        raise Invalid
    return number


def _number(value: str, decimal_comma: bool) -> float:
    if decimal_comma:
        if _NUMBER_DECIMAL_COMMA.match(value) or _INT.match(value):
            whole, _comma, fraction = value.partition(",")
            if not fraction and _inexact_whole(_WHOLE_DIGITS.sub("", whole)):
                raise Invalid
            return float(value.replace(".", "").replace(" ", "").replace(",", "."))
        raise Invalid
    if _NUMBER.match(value) or _NUMBER_THOUSANDS.match(value):
        if _WHOLE.match(value) and _inexact_whole(_WHOLE_DIGITS.sub("", value)):
            raise Invalid
        return float(value.replace(",", ""))
    raise Invalid


def to_date(value: str) -> str:
    value = _digits(value)
    match = _ISO_DATE.match(value) or _SLASH_DATE.match(value)
    offset = 0
    if not match:
        match = _ROC_DATE.match(value)
        offset = 1911  # ROC year 1 = 1912
    if not match:
        raise Invalid
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year + offset, month, day).isoformat()
    except ValueError:
        raise Invalid from None


def to_datetime(value: str) -> str:
    match = _DATETIME.match(_digits(value))
    if not match:
        raise Invalid
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or ".0")[1:].ljust(6, "0")),
        )
    except ValueError:
        raise Invalid from None
    if zone:
        if zone == "Z":
            zone = "+00:00"
        elif ":" not in zone:
            zone = f"{zone[:3]}:{zone[3:]}"
        return f"{moment.isoformat()}{zone}"
    # A time without zone is local time of the city publishing it.
    return moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE)).isoformat()


# Local times in this range are looked at a day apart for changes of UTC offset (no zone
# has changed and changed back within a day); earlier ones a year apart.
_DAILY_FROM, _DAILY_UNTIL = datetime(1800, 1, 1), datetime(2200, 1, 1)


@functools.cache
def local_offsets(zone_name: str) -> tuple[str, list[tuple[datetime, str]], datetime | None]:
    """The UTC offset to_datetime gives a time without zone in `zone_name`, as its
    isoformat writes it ("+08:00"), as a step function of the local time: (the offset
    before the first step, [(local time from which, offset)], the local time from which
    it is not known, or None). A repeated hour (clocks going back) takes the offset
    before the change and so does a skipped one, as Python's `fold=0` does; offsets of
    local mean time keep their seconds ("+08:06"). Not known: past 2200 in a zone whose
    clocks still change every year."""
    zone = ZoneInfo(zone_name)

    def offset(moment: datetime) -> timedelta:
        return moment.replace(tzinfo=zone).utcoffset()

    def text(delta: timedelta) -> str:
        return datetime(2000, 1, 1, tzinfo=timezone(delta)).isoformat()[19:]

    moment = datetime(1, 1, 1)
    current = first = offset(moment)
    steps = []
    while moment < _DAILY_UNTIL:
        step = timedelta(days=1) if moment >= _DAILY_FROM else timedelta(days=365)
        following = min(moment + step, _DAILY_UNTIL)
        if moment < _DAILY_FROM:
            following = min(following, _DAILY_FROM)
        if offset(following) == current:
            moment = following
            continue
        low, high = moment, following  # the offset changes in between: to the second
        while high - low > timedelta(seconds=1):
            middle = (low + (high - low) / 2).replace(microsecond=0)
            if offset(middle) == current:
                low = middle
            else:
                high = middle
        current = offset(high)
        steps.append((high, text(current)))
        moment = high
    still_changing = any(at >= _DAILY_UNTIL - timedelta(days=36524) for at, _ in steps)
    return text(first), steps, _DAILY_UNTIL if still_changing else None


def _ring_closed(ring) -> bool:
    return isinstance(ring, list) and len(ring) >= 4 and ring[0] == ring[-1]


# How deep a geometry's positions are in its coordinates.
_NESTING = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


def _positions(value, depth: int) -> bool:
    """Whether `value` holds positions (two or three finite numbers) `depth` lists deep."""
    if depth:
        return isinstance(value, list) and all(_positions(v, depth - 1) for v in value)
    return (
        isinstance(value, list)
        and len(value) in (2, 3)
        and all(type(n) in (int, float) and math.isfinite(n) for n in value)
    )


def _check_geometry(geometry) -> None:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in GEOMETRY_TYPES:
        raise Invalid
    if kind == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            _check_geometry(part)
        return
    coordinates = geometry.get("coordinates")
    if not _positions(coordinates, _NESTING[kind]):
        raise Invalid
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    for polygon in polygons:
        if not polygon or not all(_ring_closed(ring) for ring in polygon):
            raise Invalid


_COORDINATE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


def _wkt_positions(text: str) -> list:
    positions = []
    for pair in text.split(","):
        numbers = pair.split()
        # Not float()'s other spellings: nan, inf, 1_000, full-width digits.
        if len(numbers) not in (2, 3) or not all(_COORDINATE.match(n) for n in numbers):
            raise Invalid
        positions.append([float(n) for n in numbers[:2]])
    return positions


def to_geometry(value: str) -> str:
    value = value.strip()
    if value.startswith("{"):
        try:
            geometry = json.loads(value)
        except (ValueError, RecursionError):
            raise Invalid from None
        return geojson_geometry(geometry)
    match = _WKT.match(value)
    if not match:
        raise Invalid
    kind, _z, body = match.groups()
    kind = kind.upper()
    try:
        if kind == "POINT":
            geometry = {"type": "Point", "coordinates": _wkt_positions(body)[0]}
        elif kind == "LINESTRING":
            geometry = {"type": "LineString", "coordinates": _wkt_positions(body)}
        else:
            rings = re.findall(r"\(([^()]*)\)", body)
            geometry = {"type": "Polygon", "coordinates": [_wkt_positions(r) for r in rings]}
    except (ValueError, IndexError):
        raise Invalid from None
    _check_geometry(geometry)
    return json.dumps(geometry, separators=(",", ":"))


def geojson_geometry(geometry: dict) -> str:
    """A parsed GeoJSON geometry as to_geometry gives its text: checked, compact."""
    _check_geometry(geometry)
    return json.dumps(geometry, ensure_ascii=False, separators=(",", ":"))


_WKT_POINT = re.compile(r"^POINT ?\((-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)\)$", re.ASCII)
_BOOLEANS = {
    **{v: True for v in ("true", "True", "TRUE", "t", "yes", "Yes", "YES", "y", "Y", "是")},
    **{v: False for v in ("false", "False", "FALSE", "f", "no", "No", "NO", "n", "N", "否")},
}


def _iso_date(value: str) -> str:
    if len(value) == 10 and value[4] == "-" and value[7] == "-" and value.isascii():
        return value
    raise Invalid


def _iso_datetime(value: str) -> str:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return moment.isoformat()


def _wkt_point(value: str) -> str:
    match = _WKT_POINT.match(value)
    if not match:
        raise Invalid
    return '{"type":"Point","coordinates":[%s,%s]}' % (  # noqa: UP031
        float(match.group(1)),
        float(match.group(2)),
    )


def _valid_iso_date(value: str) -> None:
    if not (len(value) == 10 and value[4] == "-" and value[7] == "-"):
        raise Invalid
    date.fromisoformat(value)


def _valid_iso_datetime(value: str) -> None:
    if not _DATETIME.match(value):
        raise Invalid
    datetime.fromisoformat(value)


def fast_converter(kind: str, decimal_comma: bool = False):
    """A quicker converter giving the same result as `converter` for values that already
    passed inference (or raising, so the caller falls back to the full one). Not for
    columns typed by a data dictionary: those values were never checked."""
    if kind == "integer":
        return int
    if kind == "number" and not decimal_comma:
        return float
    return {
        "date": _iso_date,
        "datetime": _iso_datetime,
        "boolean": _BOOLEANS.__getitem__,
        "geometry": _wkt_point,
    }.get(kind)


def converter(kind: str, decimal_comma: bool = False):
    """A function turning a non-empty text cell into the typed value, raising Invalid."""
    if kind == "integer":
        return lambda v: to_integer(v, decimal_comma)
    if kind == "number":
        return lambda v: to_number(v, decimal_comma)
    return {
        "boolean": to_boolean,
        "date": to_date,
        "datetime": to_datetime,
        "geometry": to_geometry,
        "text": str,
    }[kind]


def _fits(convert):
    def fits(value: str) -> bool:
        try:
            convert(value)
        except (Invalid, ValueError):
            return False
        return True

    return fits


@dataclass(frozen=True)
class RuledOut:
    """The first value of a column that does not fit a type: `fitted` values came before
    it (all of which fit), and it is on file row `row`."""

    fitted: int
    value: str
    row: int | None


def nth_present(values: list, n: int) -> int:
    """The position in `values` of its n-th (from 0) value that is not None."""
    return next(itertools.islice((i for i, v in enumerate(values) if v is not None), n, None))


class Inference:
    """Narrows each column's possible types as values stream past."""

    def __init__(self, width: int, decimal_comma: bool = False):
        self.decimal_comma = decimal_comma
        self.candidates = [list(ORDER[:-1]) for _ in range(width)]
        self.converters = {k: converter(k, decimal_comma) for k in ORDER}
        self.predicates = {k: _fits(c) for k, c in self.converters.items()}
        self.quick = {
            "integer": _INT.fullmatch,
            "date": _fits(_valid_iso_date),
            "datetime": _fits(_valid_iso_datetime),
            "geometry": _WKT_POINT.fullmatch,
        }
        if not decimal_comma:
            self.quick["number"] = _PLAIN_NUMBER.fullmatch
        self.seen = [False] * width
        self.observed = [0] * width
        # Per column, each type ruled out: kind -> RuledOut (the first value not fitting).
        self.ruled_out: list[dict[str, RuledOut]] = [{} for _ in range(width)]

    def observe_batch(self, index: int, values: list[str], row_of=None) -> None:
        """Narrow column `index` by a batch of its non-empty values. all() stops at the
        first misfit, so a column of text rules out the other types after a value or two.
        `row_of(i)`: the file row of values[i], recorded for a value that rules out a type."""
        if not values:
            return
        self.seen[index] = True
        candidates = self.candidates[index]
        for kind in list(candidates):
            quick = self.quick.get(kind)
            if quick is not None and all(map(quick, values)):
                continue  # plain digits: the regex alone proves the type, in C
            fits = self.predicates[kind]
            if not all(map(fits, values)):
                candidates.remove(kind)
                at = next(i for i, v in enumerate(values) if not fits(v))
                row = row_of(at) if row_of else None
                self.ruled_out[index][kind] = RuledOut(self.observed[index] + at, values[at], row)
        self.observed[index] += len(values)

    def result(self) -> list[str]:
        return [
            (c[0] if c else "text") if seen else "text"
            for c, seen in zip(self.candidates, self.seen, strict=True)
        ]


# What each type is called in messages and on pages (translated under "column type":
# other catalogs translate a bare "text" as body text).
_TYPE_NAMES = {
    "integer": "whole number",
    "number": "number",
    "boolean": "yes/no value",
    "date": "date",
    "datetime": "date and time",
    "geometry": "geometry (closed rings, GeoJSON or WKT)",
    "text": "text",
}


def type_name(kind: str):
    """The type's name, translated (lazily) into the language active when it is shown."""
    return pgettext_lazy("column type", _TYPE_NAMES[kind])
