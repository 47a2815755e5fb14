"""Who judges which entry: balanced, conflict-free, stable when a judge drops out.

Pure functions over hashable judge and entry ids. With `per_entry=k` every entry gets k
distinct judges and the judges' loads are as even as the conflicts allow: the assignment is
a min-cost flow (source -> entry, capacity k; entry -> judge, capacity 1 unless conflicted;
judge -> sink with a marginal cost of 2*load+1 for the next entry, i.e. the sum of squared
loads is minimised). Loads are degree sequences of a bipartite graph, whose sum-of-squares
minimum is also the smallest possible maximum load and the largest possible minimum load,
so no judge carries more than the conflicts force. Without conflicts loads differ by at
most one. `per_entry=None` means every judge scores every entry they are not conflicted
with.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Mapping, Sequence

DEFAULT_PER_ENTRY = 3


class AssignmentImpossible(ValueError):
    """Some entries have too few judges without a conflict; `entries` lists them."""

    def __init__(self, entries: list, needed: int):
        self.entries = entries
        self.needed = needed
        super().__init__(
            f"Too few judges without a conflict for entries {entries} (need {needed})."
        )


class _Flow:
    """Successive shortest paths with Dijkstra on reduced costs (all base costs >= 0)."""

    def __init__(self, size: int):
        self.graph: list[list[list]] = [[] for _ in range(size)]

    def add(self, u: int, v: int, cap: int, cost: int) -> list:
        forward = [v, cap, cost, None]
        backward = [u, 0, -cost, forward]
        forward[3] = backward
        self.graph[u].append(forward)
        self.graph[v].append(backward)
        return forward

    def run(self, source: int, sink: int, want: int) -> int:
        n = len(self.graph)
        potential = [0] * n
        sent = 0
        while sent < want:
            dist = [None] * n
            parent: list = [None] * n
            dist[source] = 0
            heap = [(0, source)]
            while heap:
                d, u = heapq.heappop(heap)
                if d != dist[u]:
                    continue
                for edge in self.graph[u]:
                    v, cap, cost, _ = edge
                    if cap <= 0:
                        continue
                    nd = d + cost + potential[u] - potential[v]
                    if dist[v] is None or nd < dist[v]:
                        dist[v] = nd
                        parent[v] = edge
                        heapq.heappush(heap, (nd, v))
            if dist[sink] is None:
                break
            for v in range(n):
                if dist[v] is not None:
                    potential[v] += dist[v]
            v = sink
            while v != source:
                edge = parent[v]
                edge[1] -= 1
                edge[3][1] += 1
                v = edge[3][0]
            sent += 1
        return sent


def assign(
    *,
    judges: Sequence[Hashable],
    entries: Sequence[Hashable],
    per_entry: int | None = DEFAULT_PER_ENTRY,
    conflicts: Iterable[tuple[Hashable, Hashable]] = (),
    keep: Iterable[tuple[Hashable, Hashable]] = (),
) -> dict[Hashable, list[Hashable]]:
    """entry -> its judges (in the order `judges` lists them).

    `conflicts` and `keep` are (judge, entry) pairs. Kept pairs stay (unless conflicted or
    naming an unknown judge or entry) and count towards loads; only the missing places are
    filled. Raises AssignmentImpossible naming every entry that cannot get enough judges.
    """
    conflicts = set(conflicts)
    judge_set, entry_set = set(judges), set(entries)
    kept: dict[Hashable, set] = {entry: set() for entry in entries}
    for judge, entry in keep:
        if judge in judge_set and entry in entry_set and (judge, entry) not in conflicts:
            kept[entry].add(judge)

    def eligible(entry):
        return [j for j in judges if (j, entry) not in conflicts and j not in kept[entry]]

    if per_entry is None:
        result = {entry: [j for j in judges if (j, entry) not in conflicts] for entry in entries}
        short = [entry for entry, chosen in result.items() if not chosen]
        if short:
            raise AssignmentImpossible(short, 1)
        return result
    if per_entry < 1:
        raise ValueError("per_entry must be at least 1.")

    demand = {entry: max(0, per_entry - len(kept[entry])) for entry in entries}
    short = [entry for entry in entries if len(eligible(entry)) < demand[entry]]
    if short:
        raise AssignmentImpossible(short, per_entry)

    load = dict.fromkeys(judges, 0)
    for chosen in kept.values():
        for judge in chosen:
            load[judge] += 1
    entry_node = {entry: 1 + i for i, entry in enumerate(entries)}
    judge_node = {judge: 1 + len(entries) + i for i, judge in enumerate(judges)}
    source, sink = 0, 1 + len(entries) + len(judges)
    flow = _Flow(sink + 1)
    links = []
    possible = dict.fromkeys(judges, 0)
    for entry in entries:
        if demand[entry]:
            flow.add(source, entry_node[entry], demand[entry], 0)
            for judge in eligible(entry):
                links.append((entry, judge, flow.add(entry_node[entry], judge_node[judge], 1, 0)))
                possible[judge] += 1
    for judge in judges:
        # One unit edge per extra entry, each costlier than the last: convex load cost.
        for extra in range(possible[judge]):
            flow.add(judge_node[judge], sink, 1, 2 * (load[judge] + extra) + 1)
    total = sum(demand.values())
    sent = flow.run(source, sink, total)
    assert sent == total, "every entry had enough eligible judges, so the flow must fill"

    chosen = {entry: set(kept[entry]) for entry in entries}
    for entry, judge, edge in links:
        if edge[1] == 0:
            chosen[entry].add(judge)
    return {entry: [j for j in judges if j in chosen[entry]] for entry in entries}


def reassign_without(
    *,
    assignment: Mapping[Hashable, Sequence[Hashable]],
    dropped: Hashable,
    judges: Sequence[Hashable],
    per_entry: int | None = DEFAULT_PER_ENTRY,
    conflicts: Iterable[tuple[Hashable, Hashable]] = (),
) -> dict[Hashable, list[Hashable]]:
    """The assignment after `dropped` leaves: everyone else keeps their entries, the freed
    places go to the least-loaded judges without a conflict."""
    remaining = [j for j in judges if j != dropped]
    keep = [(j, entry) for entry, chosen in assignment.items() for j in chosen if j != dropped]
    return assign(
        judges=remaining,
        entries=list(assignment),
        per_entry=per_entry,
        conflicts=conflicts,
        keep=keep,
    )


def loads(assignment: Mapping[Hashable, Sequence[Hashable]]) -> dict[Hashable, int]:
    """judge -> number of entries assigned."""
    counts: dict[Hashable, int] = {}
    for chosen in assignment.values():
        for judge in chosen:
            counts[judge] = counts.get(judge, 0) + 1
    return counts
