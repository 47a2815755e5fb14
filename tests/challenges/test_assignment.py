"""Assignment properties on a few hundred random panels (hypothesis) plus brute force."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from challenges.judging.assignment import AssignmentImpossible, assign, loads, reassign_without


@st.composite
def panels(draw, max_judges=8, max_entries=14):
    judges = [f"j{i}" for i in range(draw(st.integers(1, max_judges)))]
    entries = [f"e{i}" for i in range(draw(st.integers(1, max_entries)))]
    pairs = [(j, e) for j in judges for e in entries]
    conflicts = draw(st.sets(st.sampled_from(pairs), max_size=len(pairs) // 3)) if pairs else set()
    per_entry = draw(st.integers(1, 4))
    return judges, entries, conflicts, per_entry


def eligible_count(judges, entry, conflicts):
    return sum((j, entry) not in conflicts for j in judges)


@settings(max_examples=300, deadline=None)
@given(panels())
def test_k_judges_per_entry_never_conflicted_or_an_explicit_error(panel):
    judges, entries, conflicts, k = panel
    short = [e for e in entries if eligible_count(judges, e, conflicts) < k]
    if short:
        with pytest.raises(AssignmentImpossible) as error:
            assign(judges=judges, entries=entries, per_entry=k, conflicts=conflicts)
        assert error.value.entries == short
        return
    result = assign(judges=judges, entries=entries, per_entry=k, conflicts=conflicts)
    assert set(result) == set(entries)
    for entry, chosen in result.items():
        assert len(chosen) == len(set(chosen)) == k
        assert not any((j, entry) in conflicts for j in chosen)
    if not conflicts:
        counts = [loads(result).get(j, 0) for j in judges]
        assert max(counts) - min(counts) <= 1


def brute_force_extremes(judges, entries, conflicts, k):
    """Smallest possible maximum load and largest possible minimum load over all assignments."""
    options = [
        list(itertools.combinations([j for j in judges if (j, e) not in conflicts], k))
        for e in entries
    ]
    best_max, best_min = None, None
    for combo in itertools.product(*options):
        counts = [sum(j in chosen for chosen in combo) for j in judges]
        best_max = max(counts) if best_max is None else min(best_max, max(counts))
        best_min = min(counts) if best_min is None else max(best_min, min(counts))
    return best_max, best_min


@settings(max_examples=150, deadline=None)
@given(panels(max_judges=4, max_entries=4))
def test_load_is_as_balanced_as_the_conflicts_allow(panel):
    judges, entries, conflicts, k = panel
    k = min(k, 2)
    if any(eligible_count(judges, e, conflicts) < k for e in entries):
        return
    result = assign(judges=judges, entries=entries, per_entry=k, conflicts=conflicts)
    counts = [loads(result).get(j, 0) for j in judges]
    assert (max(counts), min(counts)) == brute_force_extremes(judges, entries, conflicts, k)


@settings(max_examples=200, deadline=None)
@given(panels(), st.data())
def test_reassignment_after_a_judge_drops_out_keeps_everyone_else(panel, data):
    judges, entries, conflicts, k = panel
    if any(eligible_count(judges, e, conflicts) < k for e in entries):
        return
    before = assign(judges=judges, entries=entries, per_entry=k, conflicts=conflicts)
    dropped = data.draw(st.sampled_from(judges))
    remaining = [j for j in judges if j != dropped]
    if any(eligible_count(remaining, e, conflicts) < k for e in entries):
        with pytest.raises(AssignmentImpossible):
            reassign_without(
                assignment=before, dropped=dropped, judges=judges, per_entry=k, conflicts=conflicts
            )
        return
    after = reassign_without(
        assignment=before, dropped=dropped, judges=judges, per_entry=k, conflicts=conflicts
    )
    for entry in entries:
        assert dropped not in after[entry]
        assert len(after[entry]) == k
        assert set(before[entry]) - {dropped} <= set(after[entry])
        assert not any((j, entry) in conflicts for j in after[entry])


def test_every_judge_scores_every_entry_except_their_conflicts():
    result = assign(judges=["a", "b", "c"], entries=[1, 2], per_entry=None, conflicts={("b", 2)})
    assert result == {1: ["a", "b", "c"], 2: ["a", "c"]}


def test_freed_places_go_to_the_least_loaded_judge():
    before = {1: ["a", "b"], 2: ["a", "c"], 3: ["b", "c"], 4: ["a", "d"]}
    after = reassign_without(assignment=before, dropped="a", judges="abcd", per_entry=2)
    # b and c keep two each, d one; a's three places bring them to 3, 3, 2 in some order.
    assert sorted(loads(after).values()) == [2, 3, 3]
    assert after[3] == ["b", "c"]


def test_too_few_judges_names_the_entries():
    with pytest.raises(AssignmentImpossible) as error:
        assign(judges=["a", "b", "c"], entries=["x", "y"], conflicts={("a", "y")})
    assert error.value.entries == ["y"]
    assert error.value.needed == 3
