"""Column statistics for the "data at a glance" summary and the profile tab."""

import heapq
from collections import Counter

DISTINCT_CAP = 10_000  # past this the distinct count is reported as "at least"
TOP_CAP = 50_000  # values tracked for top-N before a column is treated as free text
HISTOGRAM_BINS = 10
NUMERIC = ("integer", "number")
ORDERED = ("integer", "number", "date", "datetime")


class ColumnProfile:
    __slots__ = ("count", "distinct", "empty", "kind", "maximum", "minimum", "total", "values")

    def __init__(self, kind: str):
        self.kind = kind
        self.empty = 0
        self.count = 0
        self.values: Counter | None = Counter()
        self.distinct: set | None = set()
        self.minimum = None
        self.maximum = None
        self.total = 0.0

    def observe(self, value) -> None:
        if value is None:
            self.empty += 1
            return
        self.count += 1
        if self.kind in ORDERED:
            if self.minimum is None or value < self.minimum:
                self.minimum = value
            if self.maximum is None or value > self.maximum:
                self.maximum = value
            if self.kind in NUMERIC:
                self.total += value
        if self.distinct is not None:
            self.distinct.add(value)
            if len(self.distinct) > DISTINCT_CAP:
                self.distinct = None
        if self.values is not None and self.kind != "geometry":
            self.values[value] += 1
            if len(self.values) > TOP_CAP:
                self.values = None

    def result(self, histogram=None) -> dict:
        out = {
            "type": self.kind,
            "empty": self.empty,
            "count": self.count,
            "distinct": len(self.distinct) if self.distinct is not None else None,
            "distinct_at_least": DISTINCT_CAP if self.distinct is None else None,
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


class Histogram:
    """Equal-width bins over a numeric column, filled on a second pass once min/max are
    known from the first."""

    def __init__(self, minimum: float, maximum: float):
        self.minimum = minimum
        self.width = (maximum - minimum) / HISTOGRAM_BINS or 1
        self.counts = [0] * HISTOGRAM_BINS

    def observe(self, value) -> None:
        if value is not None:
            index = min(int((value - self.minimum) / self.width), HISTOGRAM_BINS - 1)
            self.counts[index] += 1

    def result(self) -> list[dict]:
        return [
            {
                "from": self.minimum + i * self.width,
                "to": self.minimum + (i + 1) * self.width,
                "count": n,
            }
            for i, n in enumerate(self.counts)
        ]
