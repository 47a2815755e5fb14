"""Turning many judges' marks into a ranking that is fair to harsh and lenient judges.

Pure functions over plain values: no database, so the arithmetic can be checked by hand.

A *mark* is one judge's weighted score for one entry, already on the rubric's scale
(`weighted_mean` turns per-criterion scores into it). Judges are harsh or lenient and each
sees a different subset of entries, so the raw mean of an entry's marks partly measures who
happened to judge it. The normalised score removes that:

Let all N marks have pooled mean ``mu`` and pooled standard deviation ``sigma`` (population
form). Judge j gave n_j marks with mean m_j and variance s_j^2 (population form, 0 when n_j = 1).
With a prior strength k (``prior_strength``, default 3 marks' worth) the judge's shrunk
mean and variance are

    m~_j   = (n_j * m_j   + k * mu)      / (n_j + k)
    s~_j^2 = (n_j * s_j^2 + k * sigma^2) / (n_j + k)

i.e. a judge's own calibration counts only as much as the evidence behind it: with many
marks m~_j -> m_j and s~_j -> s_j (full z-scoring); with k = 0 it is plain z-scoring.
A judge with a single mark x ends at mu + sqrt(k / (k + 1)) * (x - mu), 87% (k = 3) of
their distance from the pooled mean, instead of being wiped out to mu as plain z-scoring
would do. Judges who all mark alike keep their marks unchanged. Each mark is then

    z = (x - m~_j) / s~_j        normalised = clip(mu + sigma * z, scale_min, scale_max)

mapped back to the rubric's scale around the pooled mean and spread. When every mark is
equal (sigma = 0) or a judge's shrunk spread is 0 the mark is kept as it is. An entry's raw
score is the plain mean of its marks, its normalised score the mean of its normalised marks.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

DEFAULT_PRIOR_STRENGTH = 3.0
DEFAULT_TIE_MARGIN = 0.02  # in rubric points: about exact ties plus rounding
RAW = "raw"
NORMALISED = "normalised"
# Float sums differ in the last bits depending on order; never let that decide a tie.
_EPS = 1e-9


@dataclass(frozen=True)
class Mark:
    judge: Hashable
    entry: Hashable
    value: float


@dataclass(frozen=True)
class JudgeCalibration:
    judge: Hashable
    count: int
    mean: float
    spread: float  # standard deviation (population form), 0 with one mark
    shrunk_mean: float
    shrunk_spread: float
    leniency: float  # shrunk_mean - pooled mean: > 0 lenient, < 0 harsh


@dataclass(frozen=True)
class EntryScore:
    entry: Hashable
    raw: float
    normalised: float
    judges: int


@dataclass
class RankedEntry:
    entry: Hashable
    rank: int
    raw: float
    normalised: float
    judges: int
    tie_group: int | None = None  # entries sharing a group are within the margin
    resolved: bool = False  # the panel has ordered this tie explicitly

    @property
    def tied(self) -> bool:
        return self.tie_group is not None and not self.resolved


@dataclass
class JudgeEffect:
    judge: Hashable
    leniency: float
    spread_ratio: float
    entries_moved: int
    largest_move: int
    moves: dict = field(default_factory=dict)  # entry -> rank change if left uncorrected


def weighted_mean(scores: Mapping[Hashable, float], weights: Mapping[Hashable, float]) -> float:
    """Weighted mean of per-criterion scores; every weighted criterion must be scored."""
    missing = [criterion for criterion in weights if criterion not in scores]
    if missing:
        raise ValueError(f"Missing scores for criteria: {missing}")
    total_weight = sum(weights.values())
    if total_weight <= 0:
        raise ValueError("Criterion weights must add up to more than zero.")
    return sum(scores[c] * w for c, w in weights.items()) / total_weight


def _pooled(marks: Sequence[Mark]) -> tuple[float, float]:
    values = [m.value for m in marks]
    mu = sum(values) / len(values)
    sigma = math.sqrt(sum((v - mu) ** 2 for v in values) / len(values))
    return mu, sigma


def calibrate(
    marks: Iterable[Mark], *, prior_strength: float = DEFAULT_PRIOR_STRENGTH
) -> dict[Hashable, JudgeCalibration]:
    """Each judge's mean and spread, shrunk toward the pooled ones (formula in module doc)."""
    marks = list(marks)
    if not marks:
        return {}
    mu, sigma = _pooled(marks)
    by_judge: dict[Hashable, list[float]] = defaultdict(list)
    for mark in marks:
        by_judge[mark.judge].append(mark.value)
    k = prior_strength
    result = {}
    for judge, values in by_judge.items():
        n = len(values)
        mean = sum(values) / n
        var = sum((v - mean) ** 2 for v in values) / n
        shrunk_mean = (n * mean + k * mu) / (n + k)
        shrunk_var = (n * var + k * sigma**2) / (n + k)
        result[judge] = JudgeCalibration(
            judge=judge,
            count=n,
            mean=mean,
            spread=math.sqrt(var),
            shrunk_mean=shrunk_mean,
            shrunk_spread=math.sqrt(shrunk_var),
            leniency=shrunk_mean - mu,
        )
    return result


def normalise(
    marks: Iterable[Mark],
    *,
    scale: tuple[float, float],
    prior_strength: float = DEFAULT_PRIOR_STRENGTH,
) -> dict[tuple[Hashable, Hashable], float]:
    """(judge, entry) -> the mark corrected for the judge's leniency, on the rubric's scale."""
    marks = list(marks)
    if not marks:
        return {}
    mu, sigma = _pooled(marks)
    calibration = calibrate(marks, prior_strength=prior_strength)
    low, high = scale
    result = {}
    for mark in marks:
        cal = calibration[mark.judge]
        if sigma <= _EPS or cal.shrunk_spread <= _EPS:
            value = mark.value
        else:
            z = (mark.value - cal.shrunk_mean) / cal.shrunk_spread
            value = mu + sigma * z
        result[(mark.judge, mark.entry)] = min(high, max(low, value))
    return result


def entry_scores(
    marks: Iterable[Mark],
    *,
    scale: tuple[float, float],
    prior_strength: float = DEFAULT_PRIOR_STRENGTH,
    uncorrected_judges: frozenset = frozenset(),
) -> dict[Hashable, EntryScore]:
    """Raw and normalised score of every entry that has marks.

    `uncorrected_judges` keep their raw marks in the normalised score (used to show how far
    a judge's leniency would have moved the ranking).
    """
    marks = list(marks)
    corrected = normalise(marks, scale=scale, prior_strength=prior_strength)
    raw: dict[Hashable, list[float]] = defaultdict(list)
    norm: dict[Hashable, list[float]] = defaultdict(list)
    for mark in marks:
        raw[mark.entry].append(mark.value)
        if mark.judge in uncorrected_judges:
            norm[mark.entry].append(mark.value)
        else:
            norm[mark.entry].append(corrected[(mark.judge, mark.entry)])
    return {
        entry: EntryScore(
            entry=entry,
            raw=sum(raw[entry]) / len(raw[entry]),
            normalised=sum(norm[entry]) / len(norm[entry]),
            judges=len(raw[entry]),
        )
        for entry in raw
    }


def rank(
    scores: Mapping[Hashable, EntryScore],
    *,
    by: str = NORMALISED,
    margin: float = DEFAULT_TIE_MARGIN,
    tie_order: Sequence[Hashable] = (),
) -> list[RankedEntry]:
    """Entries best first; neighbours within `margin` points form a tie group sharing a rank.

    A tie group chains: a, b, c are one group when a-b and b-c are each within the margin.
    Tied entries get the same rank and stay flagged until the panel resolves them by listing
    the group's entries in `tie_order` (best first); an id never decides. Within an
    unresolved group the listing order (other score, then the entry's text) is only for
    display.
    """
    if by not in (RAW, NORMALISED):
        raise ValueError(f"Unknown ranking method {by!r}.")
    other = RAW if by == NORMALISED else NORMALISED
    ordered = sorted(
        scores.values(),
        key=lambda s: (-getattr(s, by), -getattr(s, other), str(s.entry)),
    )
    # Chain neighbours within the margin into groups.
    groups: list[list[EntryScore]] = []
    for score in ordered:
        if groups and getattr(groups[-1][-1], by) - getattr(score, by) <= margin + _EPS:
            groups[-1].append(score)
        else:
            groups.append([score])
    positions = {entry: i for i, entry in enumerate(tie_order)}
    result: list[RankedEntry] = []
    group_number = 0
    for group in groups:
        start = len(result) + 1
        if len(group) == 1:
            (score,) = group
            result.append(
                RankedEntry(score.entry, start, score.raw, score.normalised, score.judges)
            )
            continue
        group_number += 1
        resolved = all(score.entry in positions for score in group)
        if resolved:
            group = sorted(group, key=lambda s: positions[s.entry])
        for offset, score in enumerate(group):
            result.append(
                RankedEntry(
                    score.entry,
                    start + offset if resolved else start,
                    score.raw,
                    score.normalised,
                    score.judges,
                    tie_group=group_number,
                    resolved=resolved,
                )
            )
    return result


def leniency_effects(
    marks: Iterable[Mark],
    *,
    scale: tuple[float, float],
    prior_strength: float = DEFAULT_PRIOR_STRENGTH,
    margin: float = DEFAULT_TIE_MARGIN,
) -> list[JudgeEffect]:
    """For each judge, how far the ranking would move if that judge alone were not corrected.

    Compares the normalised ranking with one where the judge's raw marks are used; a
    positive move means the entry would have ranked lower (a larger rank number).
    """
    marks = list(marks)
    if not marks:
        return []
    _, sigma = _pooled(marks)
    calibration = calibrate(marks, prior_strength=prior_strength)
    baseline = {
        r.entry: r.rank
        for r in rank(
            entry_scores(marks, scale=scale, prior_strength=prior_strength), margin=margin
        )
    }
    effects = []
    for judge, cal in calibration.items():
        uncorrected = entry_scores(
            marks,
            scale=scale,
            prior_strength=prior_strength,
            uncorrected_judges=frozenset([judge]),
        )
        moves = {
            r.entry: r.rank - baseline[r.entry]
            for r in rank(uncorrected, margin=margin)
            if r.rank != baseline[r.entry]
        }
        effects.append(
            JudgeEffect(
                judge=judge,
                leniency=cal.leniency,
                spread_ratio=cal.shrunk_spread / sigma if sigma > _EPS else 1.0,
                entries_moved=len(moves),
                largest_move=max((abs(m) for m in moves.values()), default=0),
                moves=moves,
            )
        )
    return sorted(effects, key=lambda e: (-e.entries_moved, -abs(e.leniency), str(e.judge)))
