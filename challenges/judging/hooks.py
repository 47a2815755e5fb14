"""Sections judging adds to other pages: pilots on a dataset page, results and pilots on a
challenge page (`challenge_results_section`, for the challenge page's section registry)."""

from __future__ import annotations

from datasets.hooks import dataset_sections
from portal.hooks import Section


def dataset_pilots_section(request, dataset) -> Section | None:
    from challenges.judging.models import Pilot

    pilots = list(Pilot.objects.public().filter(datasets=dataset))
    if not pilots:
        return None
    return Section("challenges/judging/_dataset_pilots.html", {"pilots": pilots})


def challenge_results_section(request, challenge) -> Section | None:
    from challenges.judging.models import Pilot, Result
    from challenges.judging.permissions import is_organizer, judge_of

    published = Result.objects.filter(round__challenge=challenge, published_at__isnull=False)
    winners = [e for r in published for e in r.snapshot.get("entries", []) if e.get("award")]
    pilots = list(Pilot.objects.public().filter(challenge=challenge))
    organizer = is_organizer(request.user, challenge)
    judge = judge_of(request.user, challenge) is not None
    if not (winners or pilots or organizer or judge or published):
        return None
    last_round = challenge.rounds.order_by("-number").values_list("number", flat=True).first()
    return Section(
        "challenges/judging/_challenge_results.html",
        {
            "challenge": challenge,
            "winners": winners,
            "pilots": pilots,
            "organizer": organizer and last_round is not None,
            "round_number": last_round,
            "judge": judge,
        },
    )


def register() -> None:
    from challenges.judging import admin  # noqa: F401 (registers the admin pages)

    dataset_sections.register(dataset_pilots_section)
