"""How long assignment and aggregation take for a large hackathon panel.

    .venv/bin/python bench/judging_panel.py

Pure functions only (no database): prints seconds per run for a few panel sizes.
"""

import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from challenges.judging.aggregation import Mark, entry_scores, leniency_effects, rank
from challenges.judging.assignment import assign, loads


def main() -> None:
    rng = random.Random(8)
    for entries, judges, k in [(30, 8, 3), (100, 15, 3), (300, 30, 5)]:
        judge_ids = list(range(judges))
        entry_ids = list(range(entries))
        conflicts = {(rng.choice(judge_ids), e) for e in entry_ids if rng.random() < 0.2}
        start = time.perf_counter()
        plan = assign(judges=judge_ids, entries=entry_ids, per_entry=k, conflicts=conflicts)
        assign_s = time.perf_counter() - start
        load = loads(plan).values()
        leniency = {j: rng.gauss(0, 0.7) for j in judge_ids}
        quality = {e: rng.uniform(1.5, 4.5) for e in entry_ids}
        marks = [
            Mark(j, e, min(5, max(1, quality[e] + leniency[j] + rng.gauss(0, 0.3))))
            for e, js in plan.items()
            for j in js
        ]
        start = time.perf_counter()
        ranking = rank(entry_scores(marks, scale=(1, 5)))
        rank_s = time.perf_counter() - start
        start = time.perf_counter()
        leniency_effects(marks, scale=(1, 5))
        effects_s = time.perf_counter() - start
        print(
            f"{entries} entries x {judges} judges, k={k}, {len(conflicts)} conflicts: "
            f"assign {assign_s:.3f}s (load {min(load)}-{max(load)}), "
            f"rank {rank_s:.4f}s ({sum(r.tied for r in ranking)} tied in "
            f"{len({r.tie_group for r in ranking if r.tied})} groups, largest "
            f"{max(Counter(r.tie_group for r in ranking if r.tied).values(), default=0)}), "
            f"leniency effects {effects_s:.3f}s"
        )


if __name__ == "__main__":
    main()
