"""The judging demo: a judged challenge with leniency, a conflict, a tie, results, pilots."""

import io

import pytest

from challenges import demo as challenges_demo
from challenges.judging import demo
from challenges.judging.models import Assignment, ConflictOfInterest, Pilot, Result
from challenges.judging.selectors import round_standings
from portal.demo import load as load_portal

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_with_a_published_tie_and_two_pilots():
    load_portal(io.StringIO())
    challenges_demo.load(io.StringIO())  # calls the judging demo
    challenges_demo.load(io.StringIO())  # refreshed, not duplicated

    result = Result.objects.get(round__challenge__slug=demo.SLUG)
    assert result.is_published
    entries = result.snapshot["entries"]
    assert [e["tied"] for e in entries].count(True) == 2
    assert entries[0]["title"] == "Shade Finder" and entries[0]["award"] == "winner"
    assert ConflictOfInterest.objects.filter(judge__challenge=result.round.challenge).count() == 1
    assert not Assignment.objects.filter(
        judge__user__username="demo-judge-3", submission__team__name="Urban Pulse"
    ).exists()
    effects = {e.judge: e.leniency for e in round_standings(round=result.round).effects}
    assert max(effects.values()) > 0 > min(effects.values())
    assert Pilot.objects.filter(slug__in=demo.PILOT_SLUGS).count() == 2
    # demo-judge has a live queue on the judging-stage challenge, nothing scored yet.
    live = Assignment.objects.filter(
        judge__user__username="demo-judge", judge__challenge__slug=demo.LIVE_SLUG
    )
    assert live.exists()
    assert not live.filter(status=Assignment.Status.SUBMITTED).exists()
