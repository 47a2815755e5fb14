"""Column statistics for the "data at a glance" summary and the profile tab."""

import heapq
from collections import Counter

DISTINCT_CAP = 10_000  # past this the distinct count is reported as "at least"
TOP_CAP = 50_000  # values tracked for top-N before a column is treated as free text
# Values tracked for all columns together: wide files get lower caps per column, or 300
# columns of 50,000 values each held gigabytes.
TRACKED_VALUES = 1_000_000
NUMERIC = ("integer", "number")
ORDERED = ("integer", "number", "date", "datetime")


def caps(width: int) -> tuple[int, int]:
    """(distinct cap, top-values cap) per column of a file `width` columns wide: the
    defaults up to 20 columns, less beyond, so the values tracked stay bounded."""
    share = TRACKED_VALUES // max(width, 1)
    return min(DISTINCT_CAP, max(1_000, share // 5)), min(TOP_CAP, max(1_000, share))


def histogram_bins(minimum, maximum) -> tuple[float, float]:
    """(low, width) of ten equal-width bins from `minimum` to `maximum`; the value v goes
    in bin min(floor((v - low) / width), 9)."""
    low, high = float(minimum), float(maximum)
    return low, (high - low) / 10 or 1.0


def histogram(low: float, width: float, counted) -> list[dict]:
    """The histogram from (bin, count) pairs as the database counted them."""
    counts = [0] * 10
    for bin_, n in counted:
        counts[min(int(bin_), 9)] += n
    return [
        {"from": low + i * width, "to": low + (i + 1) * width, "count": n}
        for i, n in enumerate(counts)
    ]


class ColumnProfile:
    __slots__ = (
        "count", "distinct", "distinct_cap", "empty", "kind", "maximum", "minimum", "top_cap",
        "total", "values",
    )  # fmt: skip

    def __init__(self, kind: str, width: int = 1):
        """`width`: the file's columns (see `caps`)."""
        self.kind = kind
        self.distinct_cap, self.top_cap = caps(width)
        self.empty = 0
        self.count = 0
        self.values: Counter | None = Counter()
        self.distinct: set | None = set()
        self.minimum = None
        self.maximum = None
        self.total = 0.0

    def observe_batch(self, values: list) -> None:
        present = [v for v in values if v is not None]
        self.empty += len(values) - len(present)
        if not present:
            return
        self.count += len(present)
        if self.kind in ORDERED:
            low, high = min(present), max(present)
            if self.minimum is None or low < self.minimum:
                self.minimum = low
            if self.maximum is None or high > self.maximum:
                self.maximum = high
            if self.kind in NUMERIC:
                self.total += sum(present)
        if self.distinct is not None:
            self.distinct.update(present)
            if len(self.distinct) > self.distinct_cap:
                self.distinct = None
        if self.values is not None and self.kind != "geometry":
            self.values.update(present)
            if len(self.values) > self.top_cap:
                self.values = None

    def result(self, histogram=None) -> dict:
        out = {
            "type": self.kind,
            "empty": self.empty,
            "count": self.count,
            "distinct": len(self.distinct) if self.distinct is not None else None,
            "distinct_at_least": self.distinct_cap if self.distinct is None else None,
        }
        if self.kind in ORDERED and self.count:
            out["min"], out["max"] = self.minimum, self.maximum
        if self.kind in NUMERIC and self.count:
            out["mean"] = self.total / self.count
        if self.values is not None:
            top = heapq.nlargest(5, self.values.items(), key=lambda kv: kv[1])
            out["top"] = [{"value": v, "count": n} for v, n in top if n > 1 or len(top) < 5]
        if histogram is not None:
            out["histogram"] = histogram
        return out
