"""Aggregation against examples worked out by hand (formulas in aggregation's docstring)."""

import math

import pytest

from challenges.judging.aggregation import (
    RAW,
    Mark,
    calibrate,
    entry_scores,
    leniency_effects,
    normalise,
    rank,
    weighted_mean,
)

SCALE = (1, 5)


def marks(table):
    return [
        Mark(judge, entry, value) for judge, row in table.items() for entry, value in row.items()
    ]


# Harsh H sees A, B, C; lenient L sees B, C, D. A is H's best, D is only L's middling entry.
HARSH_AND_LENIENT = marks({"H": {"A": 3, "B": 1, "C": 2}, "L": {"B": 4, "C": 5, "D": 4.5}})


def order(ranking):
    return [r.entry for r in ranking]


def test_weighted_mean_uses_weights_and_refuses_missing_criteria():
    assert weighted_mean({"impact": 4, "feasibility": 2}, {"impact": 3, "feasibility": 1}) == 3.5
    with pytest.raises(ValueError, match="feasibility"):
        weighted_mean({"impact": 4}, {"impact": 3, "feasibility": 1})


def test_plain_z_scores_by_hand():
    # pooled: mu = 19.5 / 6 = 3.25, sigma^2 = 11.875 / 6; H: mean 2, var 2/3; L: mean 4.5, var 1/6
    sigma = math.sqrt(11.875 / 6)
    corrected = normalise(HARSH_AND_LENIENT, scale=SCALE, prior_strength=0)
    z = 1 / math.sqrt(2 / 3)  # H's A is one mark above H's mean; same z for L's C
    assert corrected[("H", "A")] == pytest.approx(3.25 + sigma * z)
    assert corrected[("L", "C")] == pytest.approx(3.25 + sigma * z)
    assert corrected[("H", "B")] == pytest.approx(3.25 - sigma * z)
    assert corrected[("L", "D")] == pytest.approx(3.25)

    scores = entry_scores(HARSH_AND_LENIENT, scale=SCALE, prior_strength=0)
    assert scores["C"].raw == 3.5
    assert scores["C"].normalised == pytest.approx((3.25 + 3.25 + sigma * z) / 2)
    assert scores["D"].judges == 1


def test_raw_and_normalised_rankings_differ_for_harsh_and_lenient_judges():
    scores = entry_scores(HARSH_AND_LENIENT, scale=SCALE, prior_strength=0)
    assert order(rank(scores, by=RAW)) == ["D", "C", "A", "B"]
    assert order(rank(scores)) == ["A", "C", "D", "B"]

    # With the default shrinkage the correction is partial but still lifts A above C:
    # H: mean~ = (3*2 + 3*3.25)/6 = 2.625, L: mean~ = 3.875 (worked in the docstring's terms).
    shrunk = entry_scores(HARSH_AND_LENIENT, scale=SCALE)
    assert order(rank(shrunk)) == ["D", "A", "C", "B"]
    cal = calibrate(HARSH_AND_LENIENT)
    assert cal["H"].shrunk_mean == pytest.approx(2.625)
    assert cal["L"].shrunk_mean == pytest.approx(3.875)
    assert cal["H"].leniency == pytest.approx(-0.625)
    assert cal["L"].leniency == pytest.approx(0.625)


def test_a_judge_with_one_entry_is_not_over_corrected():
    given = marks({"J1": {"A": 2, "B": 4}, "J2": {"A": 3, "B": 5}, "J3": {"C": 5}})
    # mu = 19/5 = 3.8; J3's single 5 ends at mu + sqrt(3/4) * (5 - mu)
    corrected = normalise(given, scale=SCALE)
    assert corrected[("J3", "C")] == pytest.approx(3.8 + math.sqrt(0.75) * 1.2)
    assert corrected[("J3", "C")] > 4.8  # plain z-scoring would flatten it to 3.8
    assert normalise(given, scale=SCALE, prior_strength=0)[("J3", "C")] == 5


def test_identical_judges_change_nothing():
    given = marks({"J1": {"A": 2, "B": 3, "C": 4}, "J2": {"A": 2, "B": 3, "C": 4}})
    scores = entry_scores(given, scale=SCALE)
    for entry, expected in {"A": 2, "B": 3, "C": 4}.items():
        assert scores[entry].raw == expected
        assert scores[entry].normalised == pytest.approx(expected)
    assert all(effect.entries_moved == 0 for effect in leniency_effects(given, scale=SCALE))


def test_all_marks_equal_keeps_them_and_ties_everyone():
    given = marks({"J1": {"A": 3, "B": 3}, "J2": {"A": 3, "B": 3}})
    ranking = rank(entry_scores(given, scale=SCALE))
    assert [r.rank for r in ranking] == [1, 1]
    assert all(r.tied and r.normalised == 3 for r in ranking)


def test_close_entries_share_a_rank_and_are_flagged_until_the_panel_decides():
    given = marks({"J1": {"A": 4.0, "B": 4.02, "C": 4.06, "D": 2.0}})
    scores = entry_scores(given, scale=SCALE)
    ranking = rank(scores, by=RAW, margin=0.05)
    # C-B and B-A are each within 0.05, so the three chain into one tie at rank 1.
    assert [(r.entry, r.rank, r.tied) for r in ranking] == [
        ("C", 1, True),
        ("B", 1, True),
        ("A", 1, True),
        ("D", 4, False),
    ]
    resolved = rank(scores, by=RAW, margin=0.05, tie_order=["A", "C", "B"])
    assert [(r.entry, r.rank, r.tied) for r in resolved][:3] == [
        ("A", 1, False),
        ("C", 2, False),
        ("B", 3, False),
    ]
    # A partial order does not resolve the group: nobody is ranked by a guess.
    partial = rank(scores, by=RAW, margin=0.05, tie_order=["A"])
    assert all(r.tied for r in partial[:3])


def test_exact_ties_are_not_broken_by_entry_id():
    given = marks({"J1": {1: 4, 2: 4, 3: 1}})
    ranking = rank(entry_scores(given, scale=SCALE), by=RAW, margin=0)
    assert [(r.rank, r.tied) for r in ranking] == [(1, True), (1, True), (3, False)]


def test_normalised_scores_stay_on_the_rubric_scale():
    given = marks({"J1": {"A": 1, "B": 1, "C": 1, "D": 5}, "J2": {"A": 5, "B": 5, "C": 5, "D": 1}})
    assert all(1 <= v <= 5 for v in normalise(given, scale=SCALE, prior_strength=0).values())


def test_leniency_effect_names_the_judge_who_moved_the_ranking():
    effects = {
        e.judge: e for e in leniency_effects(HARSH_AND_LENIENT, scale=SCALE, prior_strength=0)
    }
    # Leaving lenient L uncorrected lifts D (only L saw it) back above C.
    assert effects["L"].entries_moved > 0
    assert effects["L"].moves["D"] < 0
    assert effects["L"].leniency > 0 > effects["H"].leniency
