"""Judging pages: the judge's queue and scoring form, the organizers' panel and results,
the team's own scores, the public results and the pilots."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from challenges import selectors as challenge_selectors
from challenges.judging import selectors
from challenges.judging.forms import (
    CriterionForm,
    MeasureForm,
    MilestoneForm,
    PilotForm,
    PilotStatusForm,
    PilotUpdateForm,
)
from challenges.judging.models import (
    Assignment,
    Award,
    Criterion,
    Judge,
    JudgeInvitation,
    Measure,
    Milestone,
    PeoplesChoice,
    Pilot,
    PilotUpdate,
    Result,
    Rubric,
    Vote,
)
from challenges.judging.permissions import (
    is_organizer,
    is_team_member,
    judge_of,
    refuse,
    require_organizer,
)
from challenges.judging.services import panel, results, scoring
from challenges.judging.services import pilots as pilot_services
from challenges.models import Challenge, Round, Submission, Team
from challenges.permissions import can_view_challenge
from challenges.timing import in_user_zone


def _challenge(request: HttpRequest, slug: str) -> Challenge:
    return get_object_or_404(Challenge.objects.visible_to(request.user), slug=slug)


def _errors(error: ValidationError) -> list[str]:
    return error.messages


def _id(value) -> int:
    """A posted or linked row id, or 0 (no row has it) when it is not one: a typo or a
    probe ('abc', '²', a number past 64 bits) finds nothing instead of a server error."""
    value = str(value or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return 0


# Judges -----------------------------------------------------------------------------------


@login_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(JudgeInvitation.objects.select_related("challenge"), token=token)
    if request.method == "POST":
        try:
            panel.judge_invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(_errors(error)))
        else:
            return redirect("judge_conflicts", slug=invitation.challenge.slug)
    # A link that can no longer seat anyone says so instead of offering a button that fails.
    seated = judge_of(request.user, invitation.challenge) is not None
    closed = ""
    if invitation.status == JudgeInvitation.Status.CANCELLED:
        closed = _("This invitation was cancelled.")
    elif invitation.status == JudgeInvitation.Status.ACCEPTED and not seated:
        closed = _("This invitation has already been used.")
    context = {"invitation": invitation, "closed": closed, "seated": seated}
    return render(request, "challenges/judging/invitation_accept.html", context)


def _judge_or_refuse(request: HttpRequest, challenge: Challenge) -> Judge:
    judge = judge_of(request.user, challenge)
    if judge is None:
        refuse(user=request.user, action="judge_page", target=challenge)
    return judge


@login_required
def judge_queue(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = get_object_or_404(Challenge, slug=slug)
    judge = _judge_or_refuse(request, challenge)
    if judge.conflicts_declared_at is None:
        return redirect("judge_conflicts", slug=slug)
    queue = selectors.judge_queue(judge=judge)
    return render(
        request,
        "challenges/judging/judge_queue.html",
        {"challenge": challenge, "queue": queue, "rubrics": _rubrics(challenge)},
    )


def _rubrics(challenge: Challenge) -> dict[int, Rubric]:
    return {r.round_id: r for r in Rubric.objects.filter(round__challenge=challenge)}


@login_required
def judge_conflicts(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = get_object_or_404(Challenge, slug=slug)
    judge = _judge_or_refuse(request, challenge)
    teams = list(
        Team.objects.filter(challenge=challenge, submissions__status="submitted")
        .select_related("company")
        .distinct()
    )
    companies = {team.company.pk: team.company for team in teams if team.company}
    if request.method == "POST":
        chosen = {_id(pk) for pk in request.POST.getlist("teams")}
        chosen_companies = {_id(pk) for pk in request.POST.getlist("companies")}
        try:
            panel.conflict_declare(
                judge=judge,
                by=request.user,
                teams=[team for team in teams if team.pk in chosen],
                companies=[c for pk, c in companies.items() if pk in chosen_companies],
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            # e.g. a conflict with an entry whose published results hold the judge's scores
            for message in _errors(error):
                messages.error(request, message)
            return redirect("judge_conflicts", slug=slug)
        messages.success(request, _("Thank you: your conflicts of interest are recorded."))
        return redirect("judge_queue", slug=slug)
    conflicts = list(judge.conflicts.all())
    context = {
        "challenge": challenge,
        "judge": judge,
        "teams": teams,
        "companies": companies.values(),
        "declared": {c.team_id for c in conflicts},
        "declared_companies": {c.company_id for c in conflicts},
    }
    return render(request, "challenges/judging/judge_conflicts.html", context)


@login_required
def judge_score(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge, slug=slug)
    judge = _judge_or_refuse(request, challenge)
    assignment = Assignment.objects.filter(judge=judge, submission_id=_id(pk)).first()
    if assignment is None:
        refuse(user=request.user, action="score_unassigned", target=f"submission:{pk}")
    if judge.conflicts_declared_at is None:
        return redirect("judge_conflicts", slug=slug)
    submission = Submission.objects.select_related("team__company", "round").get(pk=pk)
    rubric = get_object_or_404(Rubric, round=submission.round)
    criteria = list(rubric.criteria.all())
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {c.pk: request.POST.get(f"criterion_{c.pk}", "") for c in criteria}
        comments = {c.pk: request.POST.get(f"comment_{c.pk}", "") for c in criteria}
        try:
            scoring.scores_save(
                assignment=assignment,
                by=request.user,
                values=values,
                comments=comments,
                comment=request.POST.get("comment", ""),
                submit=request.POST.get("action") == "submit",
            )
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            status = 400
        else:
            if request.POST.get("action") == "submit":
                messages.success(request, _("Scores submitted."))
                return redirect("judge_queue", slug=slug)
            messages.success(request, _("Draft saved."))
            return redirect("judge_score", slug=slug, pk=pk)
        posted = {(c.pk): (values[c.pk], comments[c.pk]) for c in criteria}
    else:
        saved = {s.criterion_id: s for s in assignment.scores.all()}
        posted = {
            c.pk: (
                saved[c.pk].value.normalize() if c.pk in saved else "",
                saved[c.pk].comment if c.pk in saved else "",
            )
            for c in criteria
        }
    rows = [
        {
            "criterion": c,
            "value": posted[c.pk][0],
            "comment": posted[c.pk][1],
            "errors": errors.get(f"criterion_{c.pk}", []),
        }
        for c in criteria
    ]
    assignment.refresh_from_db()
    others = []
    if assignment.status == Assignment.Status.SUBMITTED:
        others = [
            s
            for s in selectors.scores_for_entry(user=request.user, submission=submission)
            if s.assignment_id != assignment.pk
        ]
    context = {
        "challenge": challenge,
        "submission": submission,
        "assignment": assignment,
        "rubric": rubric,
        "rows": rows,
        "form_errors": errors.get("", []) + errors.get("__all__", []),
        "has_row_errors": any(row["errors"] for row in rows),
        "others": others,
        "comment": request.POST.get("comment", assignment.comment),
    }
    return render(request, "challenges/judging/judge_score.html", context, status=status)


# Organizers ------------------------------------------------------------------------------


def _round(challenge: Challenge, number: int) -> Round:
    return get_object_or_404(Round, challenge=challenge, number=number)


def _organizer_challenge(request: HttpRequest, slug: str, action: str) -> Challenge:
    challenge = _challenge(request, slug)
    require_organizer(request.user, challenge, action)
    return challenge


@login_required
def judging_manage(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    challenge = _organizer_challenge(request, slug, "judging_manage")
    round_ = _round(challenge, number)
    rubric = Rubric.objects.filter(round=round_).first()
    criterion_form = CriterionForm(prefix="criterion")
    criteria = list(rubric.criteria.all()) if rubric else []
    failed_edit: CriterionForm | None = None
    status = 200
    if request.method == "POST" and request.POST.get("action") == "criterion_add":
        # Shown again with what was typed and each error under its input when refused.
        criterion_form = CriterionForm(request.POST, prefix="criterion")
        if _criterion_added(request, rubric, criterion_form):
            return redirect(f"{reverse('judging_manage', args=[slug, number])}#criteria")
        status = 400
    elif request.method == "POST" and request.POST.get("action") == "criterion_edit":
        if rubric is None:
            raise Http404
        criterion = get_object_or_404(Criterion, rubric=rubric, pk=_id(request.POST.get("pk")))
        failed_edit = CriterionForm(request.POST, criterion=criterion)
        if _saved(
            failed_edit,
            lambda data: panel.criterion_update(criterion=criterion, by=request.user, **data),
        ):
            messages.success(request, _("Criterion saved."))
            return redirect(f"{reverse('judging_manage', args=[slug, number])}#criteria")
        status = 400
    elif request.method == "POST":
        try:
            _manage_action(request, challenge, round_, rubric)
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
            if request.POST.get("action") == "vote":
                # The refused times come back in the form, carried in the address.
                kept = urlencode({name: request.POST.get(name, "")[:40] for name in VOTE_TIMES})
                page = reverse("judging_manage", args=[slug, number])
                return redirect(f"{page}?{kept}#peoples-choice")
        return redirect("judging_manage", slug=slug, number=number)
    vote_window = PeoplesChoice.objects.filter(challenge=challenge).first()
    context = {
        "challenge": challenge,
        "round": round_,
        "rubric": rubric,
        # Each criterion with its edit form; a refused edit comes back with what was typed.
        "criteria": [
            (
                c,
                failed_edit
                if failed_edit is not None and failed_edit.prefix == f"criterion-{c.pk}"
                else CriterionForm(criterion=c),
            )
            for c in criteria
        ],
        "criterion_form": criterion_form,
        "judges": selectors.judge_progress(round=round_),
        "invitations": challenge.judge_invitations.filter(status=JudgeInvitation.Status.PENDING),
        "teams": Team.objects.filter(challenge=challenge),
        "methods": Rubric.Method.choices,
        "vote_window": vote_window,
        "vote_times": _vote_times(request, vote_window),
        "entries": Submission.objects.submitted().filter(round=round_).order_by("pk"),
    }
    return render(request, "challenges/judging/judging_manage.html", context, status=status)


def _criterion_added(request: HttpRequest, rubric: Rubric | None, form: CriterionForm) -> bool:
    if not form.is_valid():
        return False
    if rubric is None:
        form.add_error(None, _("Save the rubric settings first."))
        return False
    try:
        panel.criterion_add(rubric=rubric, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        form.add_service_errors(error)
        return False
    messages.success(request, _("Criterion added."))
    return True


VOTE_TIMES = ("opens_at", "closes_at")


def _vote_times(request: HttpRequest, window: PeoplesChoice | None) -> dict[str, str]:
    """The vote form's values: the times just refused, else the current window in the
    organizer's zone (the zone the posted times are read in)."""
    times = {}
    for name in VOTE_TIMES:
        value = request.GET.get(name)
        if value is None and window is not None:
            value = in_user_zone(getattr(window, name), request.user).strftime("%Y-%m-%dT%H:%M")
        times[name] = value or ""
    return times


def _manage_action(request, challenge, round_, rubric) -> None:
    action = request.POST.get("action")
    post = request.POST
    by = request.user
    if action == "rubric":
        per_entry = post.get("judges_per_entry", "").strip()
        panel.rubric_save(
            round=round_,
            by=by,
            scale_min=post.get("scale_min") or 1,
            scale_max=post.get("scale_max") or 5,
            step=post.get("step") or "1",
            # Empty: every judge scores every entry; anything else the service checks.
            judges_per_entry=(_id(per_entry) or per_entry) if per_entry else None,
            blind=bool(post.get("blind")),
            hide_links=bool(post.get("hide_links")),
            method=post.get("method") or Rubric.Method.NORMALISED,
            tie_margin=post.get("tie_margin") or "0.02",
        )
        messages.success(request, _("Rubric saved."))
        return
    if rubric is None:
        raise ValidationError(_("Save the rubric settings first."))
    if action == "criterion_delete":
        panel.criterion_delete(
            criterion=get_object_or_404(Criterion, rubric=rubric, pk=_id(post.get("criterion"))),
            by=by,
        )
    elif action == "invite":
        panel.judge_invite(challenge=challenge, email=post.get("email", ""), by=by)
        messages.success(request, _("Invitation sent."))
    elif action == "conflict":
        judge = get_object_or_404(Judge, challenge=challenge, pk=_id(post.get("judge")))
        team = get_object_or_404(Team, challenge=challenge, pk=_id(post.get("team")))
        panel.conflict_declare(judge=judge, by=by, teams=[team], reason=post.get("reason", ""))
        messages.success(request, _("Conflict recorded."))
    elif action == "withdraw":
        judge = get_object_or_404(Judge, challenge=challenge, pk=_id(post.get("judge")))
        panel.judge_withdraw(judge=judge, by=by)
        messages.success(request, _("Judge withdrawn; their entries were reassigned."))
    elif action == "assign":
        added = panel.assignments_generate(round=round_, by=by)
        messages.success(request, _("%(n)s assignments added.") % {"n": added})
    elif action in ("assignment_add", "assignment_remove"):
        judge = get_object_or_404(Judge, challenge=challenge, pk=_id(post.get("judge")))
        submission = get_object_or_404(Submission, round=round_, pk=_id(post.get("submission")))
        if action == "assignment_add":
            panel.assignment_add(judge=judge, submission=submission, by=by)
        else:
            panel.assignment_remove(
                assignment=get_object_or_404(Assignment, judge=judge, submission=submission),
                by=by,
            )
        messages.success(request, _("Saved."))
    elif action == "lock":
        panel.judging_lock(rubric=rubric, by=by)
        messages.success(request, _("Judging locked."))
    elif action == "unlock":
        panel.judging_unlock(rubric=rubric, by=by)
        messages.success(request, _("Judging unlocked."))
    elif action == "vote":
        try:
            opens = parse_datetime(post.get("opens_at", ""))
            closes = parse_datetime(post.get("closes_at", ""))
        except ValueError:  # well formed but not a date, e.g. month 13
            opens = closes = None
        if opens is None or closes is None:
            raise ValidationError(_("Give the vote's opening and closing times."))
        # datetime-local inputs carry no zone: read them in the organizer's own zone.
        opens, closes = (
            d if timezone.is_aware(d) else timezone.make_aware(d) for d in (opens, closes)
        )
        results.peoples_choice_open(challenge=challenge, by=by, opens_at=opens, closes_at=closes)
        messages.success(request, _("Saved."))
    else:
        raise ValidationError(_("Unknown action."))


@login_required
def results_manage(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    challenge = _organizer_challenge(request, slug, "results_manage")
    round_ = _round(challenge, number)
    if not Rubric.objects.filter(round=round_).exists():
        # No results to show (still a 404), but a page that says why and where to go.
        return render(
            request,
            "challenges/judging/results_pending.html",
            {"challenge": challenge, "round": round_},
            status=404,
        )
    result = Result.objects.filter(round=round_).first()
    if request.method == "POST":
        try:
            _results_action(request, round_)
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
        return redirect("results_manage", slug=slug, number=number)
    method = request.GET.get("method")
    standings = selectors.round_standings(
        round=round_, method=method if method in Rubric.Method.values else None
    )
    awards = {a.submission_id: a for a in result.awards.all()} if result else {}
    pilots = selectors.pilots_by_entry(challenge=challenge, public_only=False)
    context = {
        "challenge": challenge,
        "round": round_,
        "result": result,
        "standings": standings,
        "rows": [
            (row, awards.get(row.submission.pk), pilots.get(row.submission.pk, []))
            for row in standings.rows
        ],
        "award_kinds": Award.Kind.choices,
        "criteria": list(standings.rubric.criteria.all()),
        "votes": Vote.objects.filter(challenge=challenge).count(),
    }
    return render(request, "challenges/judging/results_manage.html", context)


def _results_action(request, round_) -> None:
    post, by = request.POST, request.user
    action = post.get("action")
    if action == "award":
        submission = get_object_or_404(Submission, round=round_, pk=_id(post.get("submission")))
        results.award_set(
            round=round_,
            submission=submission,
            by=by,
            kind=post.get("kind", ""),
            prize=post.get("prize", ""),
            feedback=post.get("feedback", ""),
        )
        messages.success(request, _("Saved."))
    elif action == "ties":
        results.result_tie_order_set(
            round=round_, by=by, order=_entry_numbers(post.get("order", ""))
        )
        messages.success(request, _("Tie order saved."))
    elif action == "publish":
        result = results.result_publish(round=round_, by=by)
        messages.success(request, _("Results published."))
        for warning in result.warnings:  # entries short of judges
            messages.warning(request, warning)
    else:
        raise ValidationError(_("Unknown action."))


def _entry_numbers(text: str) -> list[int]:
    """Entry numbers as organizers type them: "8, 9", "8 9", "#8 #9", or with the
    full-width comma or enumeration comma of Chinese input (8，9、10). A spaced list was
    read as one number (8 9 -> 89), a full-width comma as no number at all."""
    tokens = [token.lstrip("#＃") for token in re.split(r"[\s,，、;；]+", text) if token]
    wrong = [token for token in tokens if not _id(token)]
    if wrong:
        raise ValidationError(
            _("Not an entry number: %(values)s. List entry numbers, e.g. 8, 9.")
            % {"values": ", ".join(wrong)}
        )
    return [_id(token) for token in tokens]


@login_required
def results_export(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    challenge = _organizer_challenge(request, slug, "results_export")
    round_ = _round(challenge, number)
    response = HttpResponse(
        "\ufeff" + selectors.scores_csv(round=round_), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{slug}-round-{number}-scores.csv"'
    return response


# Public and teams -------------------------------------------------------------------------


def results_public(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _challenge(request, slug)
    published = Result.objects.filter(
        round__challenge=challenge, published_at__isnull=False
    ).select_related("round")
    my_teams = (
        Team.objects.filter(challenge=challenge, memberships__user=request.user)
        if request.user.is_authenticated
        else Team.objects.none()
    )
    window = PeoplesChoice.objects.filter(challenge=challenge).first()
    now = timezone.now()
    organizer = is_organizer(request.user, challenge)
    snapshots = [(r, results.public_snapshot(r)) for r in published]
    pilots = selectors.pilots_by_entry(challenge=challenge, public_only=not organizer)
    for _result, snapshot in snapshots:
        for entry in snapshot["entries"]:
            entry["pilots"] = pilots.get(entry["id"], [])
    context = {
        "challenge": challenge,
        "results": snapshots,
        "my_teams": my_teams,
        "vote_window": window,
        "vote_open": window is not None and window.is_open(now),
        "vote_not_yet": window is not None and now < window.opens_at,
        # The ballot is the public showcase: an entry the organizers have not made public
        # is not shown to the public, in the vote or anywhere else.
        "vote_entries": challenge_selectors.showcase(challenge=challenge) if window else [],
        "my_vote": Vote.objects.filter(challenge=challenge, user=request.user).first()
        if request.user.is_authenticated
        else None,
        "is_organizer": organizer,
    }
    return render(request, "challenges/judging/results_public.html", context)


@login_required
def team_scores(request: HttpRequest, slug: str, team_slug: str) -> HttpResponse:
    challenge = _challenge(request, slug)
    team = get_object_or_404(Team, challenge=challenge, slug=team_slug)
    if not is_team_member(request.user, team):
        refuse(user=request.user, action="team_scores", target=team)
    feedback = selectors.team_feedback(user=request.user, team=team)
    return render(
        request,
        "challenges/judging/team_scores.html",
        {"challenge": challenge, "team": team, "feedback": feedback},
    )


@login_required
@require_POST
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _challenge(request, slug)
    submission = get_object_or_404(
        Submission, round__challenge=challenge, pk=_id(request.POST.get("submission"))
    )
    try:
        results.vote_cast(challenge=challenge, submission=submission, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
        return redirect("results_public", slug=slug)
    messages.success(request, _("Thank you for voting."))
    return redirect("results_public", slug=slug)


# Pilots -----------------------------------------------------------------------------------


def pilot_list(request: HttpRequest) -> HttpResponse:
    pilots = (
        Pilot.objects.public()
        .select_related("host_agency__parent", "challenge")
        .prefetch_related("measures")
    )
    status = request.GET.get("status")
    if status in Pilot.Status.values:
        pilots = pilots.filter(status=status)
    context = {"pilots": pilots, "statuses": Pilot.Status.choices, "status": status}
    if request.user.is_authenticated:
        context["can_start"] = pilot_services.can_start_pilot(request.user)
        context["in_preparation"] = selectors.pilots_managed_by(user=request.user).filter(
            public=False
        )
    return render(request, "challenges/judging/pilot_list.html", context)


def _pilot(slug: str) -> Pilot:
    return get_object_or_404(
        Pilot.objects.select_related("host_agency", "challenge", "submission__team"), slug=slug
    )


def pilot_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = _pilot(slug)
    manager = pilot_services.can_manage_pilot(request.user, pilot)
    if not (pilot.public or manager):
        raise Http404
    # Pilots linked before the host's view was checked may name an invite-only or draft
    # challenge, or an entry never made public: name them only to readers who may see them.
    challenge = pilot.challenge
    if challenge is not None and not can_view_challenge(request.user, challenge):
        challenge = None
    entry = pilot.submission if challenge is not None else None
    # The rule pilot_create holds the host to (readable, or named in published results).
    if entry is not None and not pilot_services.entry_is_known_to(request.user, entry):
        entry = None
    return render(
        request,
        "challenges/judging/pilot_detail.html",
        {
            "pilot": pilot,
            "milestones": pilot.milestones.all(),
            "measures": pilot.measures.all(),
            "updates": pilot.updates.all(),
            # A dataset made private or taken back to draft stays linked: only its readers
            # may see its name.
            "datasets": pilot.datasets.visible_to(request.user),
            "can_manage": manager,
            "challenge": challenge,
            "entry": entry,
        },
    )


def _entry_to_pilot(request: HttpRequest) -> Submission | None:
    """The entry named by `?entry=`, which only its challenge's organizers may pilot."""
    pk = request.GET.get("entry", "")
    if not pk:
        return None
    entry = get_object_or_404(
        Submission.objects.submitted().select_related("round__challenge", "team"),
        pk=_id(pk),
    )
    require_organizer(request.user, entry.round.challenge, "pilot_create")
    return entry


def _pilot_initial(entry: Submission | None) -> dict:
    """The entry's words, in the reader's language's inputs: the team wrote them in one
    language, most likely the one its organizers read the results in."""
    if entry is None:
        return {}
    lang = "en" if get_language().startswith("en") else "zh_hant"
    return {
        f"title_{lang}": entry.title,
        f"summary_{lang}": entry.summary,
        "host_agency": entry.round.challenge.organization_id,
        "datasets": list(entry.datasets.published()),
    }


@login_required
def pilot_create(request: HttpRequest) -> HttpResponse:
    entry = _entry_to_pilot(request)
    if entry is None and not pilot_services.can_start_pilot(request.user):
        refuse(user=request.user, action="pilot_create", target="pilots")
    form = PilotForm(request.POST or None, user=request.user, initial=_pilot_initial(entry))
    if request.method == "POST" and form.is_valid():
        try:
            pilot = pilot_services.pilot_create(
                by=request.user, submission=entry, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Pilot created. Now add its milestones and measures."))
            return redirect("pilot_manage", slug=pilot.slug)
    status = 400 if form.errors else 200
    return render(
        request, "challenges/judging/pilot_form.html", {"form": form, "entry": entry}, status=status
    )


@dataclass(frozen=True)
class _Rows:
    """One list on the pilot's manage page and the services that change it. The edit and
    delete services name the row after its kind: milestone_update(milestone=...)."""

    model: type
    form: type
    add: Callable
    edit: Callable
    delete: Callable
    added: str
    saved: str
    deleted: str


_ROWS = {
    "milestone": _Rows(
        Milestone,
        MilestoneForm,
        pilot_services.milestone_add,
        pilot_services.milestone_update,
        pilot_services.milestone_delete,
        gettext_lazy("Milestone added."),
        gettext_lazy("Milestone saved."),
        gettext_lazy("Milestone deleted."),
    ),
    "measure": _Rows(
        Measure,
        MeasureForm,
        pilot_services.measure_set,
        pilot_services.measure_update,
        pilot_services.measure_delete,
        gettext_lazy("Measure saved."),
        gettext_lazy("Measure saved."),
        gettext_lazy("Measure deleted."),
    ),
    "update": _Rows(
        PilotUpdate,
        PilotUpdateForm,
        pilot_services.pilot_update_post,
        pilot_services.pilot_update_edit,
        pilot_services.pilot_update_delete,
        gettext_lazy("Update published."),
        gettext_lazy("Update saved."),
        gettext_lazy("Update deleted."),
    ),
}


def _managed_pilot(request: HttpRequest, slug: str, action: str) -> Pilot:
    """The pilot, for its managers; others get 403, or 404 while it is not public."""
    pilot = _pilot(slug)
    if not pilot_services.can_manage_pilot(request.user, pilot):
        if not pilot.public:
            raise Http404
        refuse(user=request.user, action=action, target=pilot)
    return pilot


def _saved(form: BaseForm, save: Callable[[dict], object]) -> bool:
    """Check the form, then save through the service; its refusals land on the form."""
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as error:
        form.add_service_errors(error)
        return False
    return True


def _pilot_manage_action(request: HttpRequest, pilot: Pilot) -> str | BaseForm:
    """Run the posted change. Returns the success message, or the form that holds the
    errors. Forms get copies of the rows: a rejected form must not alter what is shown."""
    post, by = request.POST, request.user
    action = post.get("action", "")
    if action == "details":
        form = PilotForm(post, instance=copy.copy(pilot), user=by, prefix="details")
        if _saved(form, lambda data: pilot_services.pilot_update(pilot=pilot, by=by, **data)):
            return _("Pilot saved.")
        return form
    if action == "status":
        form = PilotStatusForm(post, instance=copy.copy(pilot), prefix="status")
        if _saved(form, lambda data: pilot_services.pilot_status_set(pilot=pilot, by=by, **data)):
            return _("Status changed.")
        return form
    kind, _sep, verb = action.partition("_")
    if kind not in _ROWS or verb not in ("add", "edit", "delete"):
        raise Http404
    rows = _ROWS[kind]
    if verb == "add":
        form = rows.form(post, prefix=kind)
        if _saved(form, lambda data: rows.add(pilot=pilot, by=by, **data)):
            return str(rows.added)
        return form
    pk = post.get("pk", "")
    row = get_object_or_404(rows.model, pilot=pilot, pk=_id(pk))
    if verb == "delete":
        rows.delete(**{kind: row}, by=by)
        return str(rows.deleted)
    form = rows.form(post, instance=copy.copy(row), prefix=f"{kind}-{row.pk}")
    if _saved(form, lambda data: rows.edit(**{kind: row}, by=by, **data)):
        return str(rows.saved)
    return form


@login_required
def pilot_manage(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = _managed_pilot(request, slug, "pilot_manage")
    failed = None
    if request.method == "POST":
        outcome = _pilot_manage_action(request, pilot)
        if isinstance(outcome, str):
            messages.success(request, outcome)
            return redirect("pilot_manage", slug=pilot.slug)
        failed = outcome

    def form(form_class, prefix: str, **kwargs):
        # The form that failed is shown again in its place, with what was typed.
        if failed is not None and failed.prefix == prefix:
            return failed
        return form_class(prefix=prefix, **kwargs)

    lists = {
        kind: [
            (row, form(rows.form, f"{kind}-{row.pk}", instance=row))
            for row in rows.model.objects.filter(pilot=pilot)
        ]
        for kind, rows in _ROWS.items()
    }
    context = {
        "pilot": pilot,
        "status_form": form(PilotStatusForm, "status", instance=pilot),
        "details_form": form(PilotForm, "details", instance=pilot, user=request.user),
        "milestones": lists["milestone"],
        "measures": lists["measure"],
        "updates": lists["update"],
        "milestone_form": form(MilestoneForm, "milestone"),
        "measure_form": form(MeasureForm, "measure"),
        "update_form": form(PilotUpdateForm, "update"),
        "failed": failed,
    }
    status = 400 if failed is not None else 200
    return render(request, "challenges/judging/pilot_manage.html", context, status=status)
