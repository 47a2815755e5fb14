"""Building blocks for the judging tests: a challenge with entries, a panel and a rubric."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from challenges.judging.models import Judge, Rubric
from challenges.judging.services import panel
from challenges.models import Challenge, Round, Submission, Team, TeamMembership
from portal.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture
def english():
    """Messages and reversed URLs in English (the site's default language is zh-hant)."""
    with translation.override("en"):
        yield


def make_entry(round_, name, *, company=None, members=()):
    team = Team.objects.create(
        challenge=round_.challenge, name=name, slug=name.lower().replace(" ", "-"), company=company
    )
    for user in members:
        TeamMembership.objects.create(team=team, user=user)
    return Submission.objects.create(
        team=team,
        round=round_,
        title=f"{name} entry",
        summary=f"What {name} built.",
        repository_url=f"https://code.example.org/{team.slug}",
        status=Submission.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )


@dataclass
class Setup:
    challenge: Challenge
    round: Round
    organizer: object
    rubric: Rubric
    criteria: list
    judges: list[Judge]
    entries: list[Submission]
    members: dict = field(default_factory=dict)  # entry index -> team member user


def judged_round(*, entries=4, judges=3, per_entry=None, declare=True, blind=False) -> Setup:
    org = OrganizationFactory()
    organizer = MembershipFactory(organization=org, role=Membership.Role.EDITOR).user
    now = timezone.now()
    challenge = Challenge.objects.create(
        organization=org,
        slug=f"challenge-{org.slug}",
        title="Cooler streets",
        problem="Streets are too hot.",
        status=Challenge.Status.JUDGING,
    )
    round_ = Round.objects.create(
        challenge=challenge,
        number=1,
        title="Ideas",
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=1),
    )
    members = {}
    subs = []
    for i in range(entries):
        member = UserFactory()
        members[i] = member
        subs.append(make_entry(round_, f"Team {i}", members=[member]))
    rubric = panel.rubric_save(round=round_, by=organizer, judges_per_entry=per_entry, blind=blind)
    criteria = [
        panel.criterion_add(rubric=rubric, by=organizer, name="Impact", weight=2),
        panel.criterion_add(rubric=rubric, by=organizer, name="Feasibility", weight=1),
    ]
    panel_judges = []
    for _i in range(judges):
        judge = panel.judge_add(challenge=challenge, user=UserFactory(), by=organizer)
        if declare:
            panel.conflict_declare(judge=judge, by=judge.user)
        panel_judges.append(judge)
    if judges:
        panel.assignments_generate(round=round_, by=organizer)
    return Setup(
        challenge, round_, organizer, rubric, criteria, panel_judges, subs, members=members
    )


def score(setup: Setup, judge: Judge, entry: Submission, impact, feasibility, submit=True):
    from challenges.judging.models import Assignment
    from challenges.judging.services.scoring import scores_save

    assignment = Assignment.objects.get(judge=judge, submission=entry)
    impact_c, feasibility_c = setup.criteria
    return scores_save(
        assignment=assignment,
        by=judge.user,
        values={impact_c.pk: impact, feasibility_c.pk: feasibility},
        submit=submit,
    )


def published_winner() -> Setup:
    """A round of two entries, one judge, the first entry the winner, judging locked and
    the results published (what a pilot starts from)."""
    from challenges.judging.services import results

    setup = judged_round(entries=2, judges=1)
    score(setup, setup.judges[0], setup.entries[0], 5, 4)
    score(setup, setup.judges[0], setup.entries[1], 2, 3)
    results.award_set(
        round=setup.round, submission=setup.entries[0], by=setup.organizer, kind="winner"
    )
    panel.judging_lock(rubric=setup.rubric, by=setup.organizer)
    results.result_publish(round=setup.round, by=setup.organizer)
    return setup
