"""Reads for judging: queues, standings, who may see which scores, exports."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from challenges.judging import aggregation
from challenges.judging.models import Assignment, Judge, Pilot, Result, Rubric, Score
from challenges.judging.permissions import is_organizer, is_team_member, judge_of, refuse
from datasets.ingest.downloads import escape_formula  # the catalog's CSV rules
from portal import permissions
from portal.models import Membership


@dataclass
class Queue:
    judge: Judge
    assignments: list[Assignment]
    done: int
    total: int


def judge_queue(*, judge: Judge) -> Queue:
    assignments = list(
        Assignment.objects.filter(judge=judge)
        .select_related("submission__team", "submission__round")
        .order_by("submission__round__number", "submission__pk")
    )
    done = sum(a.status == Assignment.Status.SUBMITTED for a in assignments)
    return Queue(judge=judge, assignments=assignments, done=done, total=len(assignments))


def assignment_marks(assignments) -> list[aggregation.Mark]:
    """One weighted mark per submitted assignment (scores and criteria prefetched)."""
    marks = []
    for a in assignments:
        scores = {s.criterion_id: float(s.value) for s in a.scores.all()}
        weights = {c.pk: float(c.weight) for c in a.submission.round.rubric.criteria.all()}
        if scores.keys() >= weights.keys() and weights:
            marks.append(
                aggregation.Mark(
                    a.judge_id, a.submission_id, aggregation.weighted_mean(scores, weights)
                )
            )
    return marks


@dataclass
class Standing:
    submission: object
    ranked: aggregation.RankedEntry
    criteria: dict = field(default_factory=dict)  # criterion id -> mean score


@dataclass
class Standings:
    rubric: Rubric
    rows: list[Standing]
    effects: list[aggregation.JudgeEffect]
    judges: dict  # judge id -> Judge
    unscored: list  # submissions with no submitted scores yet

    @property
    def unresolved_ties(self) -> bool:
        return any(row.ranked.tied for row in self.rows)

    @property
    def short_of_judges(self) -> list[tuple[object, int]]:
        """(submission, submitted scores) of ranked entries scored by fewer judges than the
        rubric's judges per entry (a late conflict, a withdrawn judge), best first. Empty
        when every judge scores every entry: then a conflict is not a shortfall."""
        asked = self.rubric.judges_per_entry
        if not asked:
            return []
        return [
            (row.submission, row.ranked.judges) for row in self.rows if row.ranked.judges < asked
        ]


def round_standings(*, round, tie_order=None, method: str | None = None) -> Standings:
    """Live ranking of a round's entries from submitted scores (organizers' view)."""
    from challenges.models import Submission

    rubric = Rubric.objects.prefetch_related("criteria").get(round=round)
    assignments = list(
        Assignment.objects.submitted()
        .filter(submission__round=round)
        .select_related("submission__round__rubric")
        .prefetch_related("scores", "submission__round__rubric__criteria")
    )
    marks = assignment_marks(assignments)
    scores = aggregation.entry_scores(marks, scale=rubric.scale)
    if tie_order is None:
        result = Result.objects.filter(round=round).first()
        tie_order = result.tie_order if result else []
    ranking = aggregation.rank(
        scores,
        by=method or rubric.method,
        margin=float(rubric.tie_margin),
        tie_order=tie_order,
    )
    effects = aggregation.leniency_effects(
        marks, scale=rubric.scale, margin=float(rubric.tie_margin)
    )
    per_criterion: dict = defaultdict(lambda: defaultdict(list))
    for a in assignments:
        for s in a.scores.all():
            per_criterion[a.submission_id][s.criterion_id].append(float(s.value))
    submissions = Submission.objects.filter(round=round).select_related("team").in_bulk()
    rows = [
        Standing(
            submission=submissions[r.entry],
            ranked=r,
            criteria={c: sum(v) / len(v) for c, v in per_criterion[r.entry].items()},
        )
        for r in ranking
    ]
    unscored = [
        s
        for s in Submission.objects.submitted().filter(round=round).select_related("team")
        if s.pk not in scores
    ]
    judges = Judge.objects.filter(challenge_id=round.challenge_id).select_related("user").in_bulk()
    return Standings(rubric=rubric, rows=rows, effects=effects, judges=judges, unscored=unscored)


def scores_for_entry(*, user, submission) -> list[Score]:
    """Scores on an entry the user may see, or a refusal (logged).

    Organizers see all. A judge sees the others' scores on an entry only after submitting
    their own for it. A team sees its own scores once results are published, through
    `team_feedback` (without judge identities), not here.
    """
    challenge = submission.round.challenge
    scores = Score.objects.filter(assignment__submission=submission).select_related(
        "criterion", "assignment__judge__user"
    )
    if is_organizer(user, challenge):
        return list(scores)
    judge = judge_of(user, challenge)
    if judge is not None:
        own = Assignment.objects.filter(judge=judge, submission=submission).first()
        if own is not None and own.status == Assignment.Status.SUBMITTED:
            return list(scores.filter(assignment__status=Assignment.Status.SUBMITTED))
    refuse(user=user, action="scores_read", target=submission)


@dataclass
class TeamFeedback:
    submission: object
    entry: dict | None  # the published snapshot row
    criteria: list  # [(criterion, [values]...)]
    judges: list  # [{"label": "Judge 1", "scores": [(criterion, value, comment)], "comment"}]
    feedback: str


def team_feedback(*, user, team) -> list[TeamFeedback]:
    """A team's own published scores per criterion and feedback, judges only numbered."""
    if not is_team_member(user, team):
        refuse(user=user, action="team_feedback_read", target=team)
    results = []
    for submission in team.submissions.select_related("round__result", "round__rubric"):
        result = getattr(submission.round, "result", None)
        if result is None or not result.is_published:
            continue
        entry = next(
            (e for e in result.snapshot.get("entries", []) if e["id"] == submission.pk), None
        )
        assignments = (
            Assignment.objects.submitted()
            .filter(submission=submission)
            .order_by("pk")
            .prefetch_related(Prefetch("scores", Score.objects.select_related("criterion")))
        )
        judges = [
            {
                "label": i,
                "comment": a.comment,
                "scores": [(s.criterion.name, s.value, s.comment) for s in a.scores.all()],
            }
            for i, a in enumerate(assignments, start=1)
        ]
        results.append(
            TeamFeedback(
                submission=submission,
                entry=entry,
                criteria=(entry or {}).get("criteria", []),
                judges=judges,
                feedback=(entry or {}).get("feedback", ""),
            )
        )
    return results


def scores_csv(*, round) -> str:
    """Every score of the round, one row per judge and criterion (for organizers).

    The headers and `status` are codes that scripts read; `status_label` says the status
    in words, and criteria are named, in the active language (the downloader's). New
    columns go at the end, so a script that reads columns by position keeps working."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "entry_id",
            "entry",
            "team",
            "judge",
            "status",
            "criterion",
            "weight",
            "score",
            "comment",
            "submitted_at",
            "status_label",
        ]
    )
    scores = (
        Score.objects.filter(assignment__submission__round=round)
        .select_related("criterion", "assignment__judge__user", "assignment__submission__team")
        .order_by("assignment__submission_id", "assignment__judge_id", "criterion__order")
    )
    for s in scores:
        a = s.assignment
        # Titles, team names and comments are typed by participants and judges: a cell
        # starting with = + - @ must not run as a formula in the organizer's spreadsheet.
        row = [
            a.submission_id,
            a.submission.title,
            a.submission.team.name,
            a.judge.user.username,
            a.status,
            s.criterion.name,
            s.criterion.weight,
            s.value,
            s.comment,
            a.submitted_at.isoformat() if a.submitted_at else "",
            a.get_status_display(),
        ]
        writer.writerow([escape_formula(cell) for cell in row])
    return out.getvalue()


def judge_progress(*, round) -> list[dict]:
    """Per judge: assigned and submitted counts (organizers' overview)."""
    return list(
        Judge.objects.filter(challenge_id=round.challenge_id)
        .select_related("user")
        .annotate(
            assigned=Count("assignments", filter=Q(assignments__submission__round=round)),
            submitted=Count(
                "assignments",
                filter=Q(
                    assignments__submission__round=round,
                    assignments__status=Assignment.Status.SUBMITTED,
                ),
            ),
        )
    )


# Pilots -----------------------------------------------------------------------------------


def pilots_managed_by(*, user):
    """Pilots the user may manage: hosted by an agency they edit for, or from a challenge
    their organization runs (the same rule as services.pilots.can_manage_pilot)."""
    if user is None or not user.is_authenticated:
        return Pilot.objects.none()
    if user.is_superuser:
        return Pilot.objects.all()
    org_ids = permissions.organizations_where(user, Membership.Role.EDITOR)
    return Pilot.objects.filter(Q(host_agency__in=org_ids) | Q(challenge__organization__in=org_ids))


def pilots_visible(*, user):
    """Public pilots, and those in preparation that the user manages (as the pilot pages)."""
    return Pilot.objects.filter(Q(public=True) | Q(pk__in=pilots_managed_by(user=user)))


def pilots_by_entry(*, challenge, public_only: bool) -> dict[int, list[Pilot]]:
    """The pilots started from each entry of the challenge, keyed by submission id."""
    pilots = Pilot.objects.filter(challenge=challenge, submission__isnull=False)
    if public_only:
        pilots = pilots.public()
    by_entry: dict[int, list[Pilot]] = defaultdict(list)
    for pilot in pilots.order_by("created_at"):
        by_entry[pilot.submission_id].append(pilot)
    return dict(by_entry)
