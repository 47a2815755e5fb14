"""Pages: thin wrappers that read through selectors and write through services."""

import csv

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from challenges import permissions, selectors
from challenges.forms import (
    AnnouncementForm,
    AnswerForm,
    AttachmentForm,
    ChallengeFilterForm,
    ChallengeForm,
    ExtendForm,
    InviteForm,
    QuestionForm,
    RoundForm,
    SubmissionForm,
    TeamForm,
    posting_organizations,
)
from challenges.models import Attachment, Challenge, Invitation, Question, Submission
from challenges.services import challenges as challenge_services
from challenges.services import community, submissions, teams
from datasets.ingest.downloads import escape_formula


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(_form_field(form, field), errors)
    else:
        form.add_error(None, exc.messages)


def _form_field(form, field: str) -> str | None:
    """The form field a service error belongs to. A service names a bilingual text by its
    base name ("title"); the form has one field per language, so the error goes under the
    reader's language (or the first language)."""
    if field in form.fields:
        return field
    language = (get_language() or "").replace("-", "_")
    for name in (f"{field}_{language}", f"{field}_zh_hant"):
        if name in form.fields:
            return name
    return None


def _flash_errors(request, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc) or _("You are not allowed to do this."))


def _organizer_challenge(request, slug: str) -> Challenge:
    challenge = selectors.challenge_get(user=request.user, slug=slug)
    if not permissions.is_organizer(request.user, challenge):
        permissions.log_refusal(request.user, "workspace", challenge)
        raise PermissionDenied(_("Only the organizers can do this."))
    return challenge


def challenge_list(request: HttpRequest) -> HttpResponse:
    form = ChallengeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    challenges = selectors.challenge_list(user=request.user, filters=filters)
    page = Paginator(challenges, 24).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "challenges": page,
        "page": page,
        "query": query.urlencode(),
        "can_organize": posting_organizations(request.user).exists(),
    }
    return render(request, "challenges/challenge_list.html", context)


def challenge_detail(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, slug=slug)
    user = request.user
    context = {
        "challenge": challenge,
        "rounds": list(challenge.rounds.all()),
        "now": timezone.now(),
        "datasets": selectors.challenge_datasets(challenge=challenge, user=user),
        "questions": selectors.questions_visible(challenge=challenge, user=user),
        "announcements": challenge.announcements.all()[:20],
        "attachments": challenge.attachments.all(),
        "team": selectors.user_team(challenge=challenge, user=user),
        "is_organizer": permissions.is_organizer(user, challenge),
        "following": user.is_authenticated and challenge.follows.filter(user=user).exists(),
        "question_form": QuestionForm(),
        "answer_form": AnswerForm(),
        "showcase_count": selectors.showcase(challenge=challenge).count(),
        "joinable": challenge.status in teams.JOINABLE,
    }
    return render(request, "challenges/challenge_detail.html", context)


@login_required
@require_POST
def challenge_follow(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, slug=slug)
    if request.POST.get("follow") == "0":
        community.challenge_unfollow(challenge=challenge, by=request.user)
        messages.success(request, _("You no longer follow this challenge."))
    else:
        community.challenge_follow(challenge=challenge, by=request.user)
        messages.success(request, _("You follow this challenge: news will come by e-mail."))
    return redirect(challenge)


@login_required
@require_POST
def question_ask(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, slug=slug)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            community.question_ask(challenge=challenge, by=request.user, **form.cleaned_data)
            messages.success(request, _("Your question was sent to the organizers."))
        except (ValidationError, PermissionDenied) as exc:
            _flash_errors(request, exc)
    else:
        messages.error(request, _("Write your question."))
    return redirect(challenge.get_absolute_url() + "#questions")


@login_required
@require_POST
def question_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = _organizer_challenge(request, slug)
    question = get_object_or_404(Question, pk=pk, challenge=challenge)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            community.question_answer(question=question, by=request.user, **form.cleaned_data)
            messages.success(request, _("Answer posted."))
        except ValidationError as exc:
            _flash_errors(request, exc)
    else:
        messages.error(request, _("Write the answer."))
    return redirect(challenge.get_absolute_url() + "#questions")


@login_required
@require_POST
def question_merge(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = _organizer_challenge(request, slug)
    question = get_object_or_404(Question, pk=pk, challenge=challenge)
    into = Question.objects.filter(pk=request.POST.get("into") or 0, challenge=challenge).first()
    if into is None:
        messages.error(request, _("Choose the question this one duplicates."))
    else:
        try:
            community.question_merge(question=question, into=into, by=request.user)
        except ValidationError as exc:
            _flash_errors(request, exc)
    return redirect(challenge.get_absolute_url() + "#questions")


@login_required
@require_http_methods(["GET", "POST"])
def challenge_create(request: HttpRequest) -> HttpResponse:
    form = ChallengeForm(request.POST or None, user=request.user)
    if not form.fields["organization"].queryset.exists():
        raise PermissionDenied(
            _("Only editors and admins of a city or agency can post challenges.")
        )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = data.pop("organization")
        try:
            challenge = challenge_services.challenge_create(
                organization=organization, by=request.user, **data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Add a round, then publish."))
            return redirect("challenge_workspace", slug=challenge.slug)
    return render(request, "challenges/challenge_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def challenge_edit(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organizer_challenge(request, slug)
    form = ChallengeForm(request.POST or None, user=request.user, challenge=challenge)
    if request.method == "POST" and form.is_valid():
        try:
            challenge_services.challenge_update(
                challenge=challenge, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("challenge_workspace", slug=challenge.slug)
    return render(request, "challenges/challenge_form.html", {"form": form, "challenge": challenge})


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    context = {
        "challenges": selectors.workspace_challenges(user=request.user),
        "can_create": posting_organizations(request.user).exists(),
    }
    return render(request, "challenges/workspace.html", context)


@login_required
def challenge_workspace(request: HttpRequest, slug: str) -> HttpResponse:
    return _workspace_page(request, _organizer_challenge(request, slug))


def _workspace_page(
    request, challenge: Challenge, status: int = 200, extend_form=None, **forms
) -> HttpResponse:
    """The organizer workspace; a form that failed is shown again with its input and errors
    (`extend_form`: the deadline form of one round, its auto_id naming the round)."""
    rounds = [
        (
            round_,
            extend_form
            if extend_form is not None and extend_form.auto_id == f"extend-{round_.number}-%s"
            else ExtendForm(auto_id=f"extend-{round_.number}-%s"),
        )
        for round_ in challenge.rounds.prefetch_related("extensions")
    ]
    context = {
        "challenge": challenge,
        "rounds": rounds,
        "entries": selectors.submissions_visible(challenge=challenge, user=request.user).exclude(
            status=Submission.Status.DRAFT
        ),
        "round_form": RoundForm(auto_id="round-%s"),
        "announcement_form": AnnouncementForm(auto_id="announcement-%s"),
        "attachment_form": AttachmentForm(auto_id="resource-%s"),
        "can_publish": permissions.can_publish_challenge(request.user, challenge),
        "next_stage": challenge_services.MANUAL_NEXT.get(challenge.status),
        "now": timezone.now(),
        **forms,
    }
    return render(request, "challenges/challenge_workspace.html", context, status=status)


@login_required
@require_POST
def challenge_publish(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organizer_challenge(request, slug)
    try:
        challenge_services.challenge_publish(challenge=challenge, by=request.user)
        messages.success(request, _("The challenge is published."))
    except (ValidationError, PermissionDenied) as exc:
        _flash_errors(request, exc)
    return redirect("challenge_workspace", slug=slug)


@login_required
@require_POST
def challenge_stage(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organizer_challenge(request, slug)
    try:
        challenge_services.challenge_advance_stage(
            challenge=challenge, by=request.user, to=request.POST.get("to", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        _flash_errors(request, exc)
    return redirect("challenge_workspace", slug=slug)


@login_required
@require_POST
def round_create(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organizer_challenge(request, slug)
    form = RoundForm(request.POST, auto_id="round-%s")
    if form.is_valid():
        try:
            challenge_services.round_create(
                challenge=challenge, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Round added."))
            return redirect("challenge_workspace", slug=slug)
    return _workspace_page(request, challenge, status=400, round_form=form)


@login_required
@require_POST
def round_extend(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    challenge = _organizer_challenge(request, slug)
    round_ = get_object_or_404(challenge.rounds, number=number)
    form = ExtendForm(request.POST, auto_id=f"extend-{round_.number}-%s")
    if form.is_valid():
        try:
            challenge_services.round_extend_deadline(
                round=round_, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Deadline moved; followers and teams were told."))
            return redirect("challenge_workspace", slug=slug)
    return _workspace_page(request, challenge, status=400, extend_form=form)


@login_required
@require_POST
def challenge_invite(request: HttpRequest, slug: str) -> HttpResponse:
    """Give one person access to an invite-only challenge."""
    challenge = _organizer_challenge(request, slug)
    username = (request.POST.get("username") or "").strip()
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        messages.error(request, _("No one has the username %(name)s.") % {"name": username})
    else:
        challenge_services.challenge_invite_user(challenge=challenge, by=request.user, user=user)
        messages.success(request, _("%(name)s can now see this challenge.") % {"name": user})
    return redirect("challenge_workspace", slug=slug)


@login_required
@require_POST
def announcement_post(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organizer_challenge(request, slug)
    form = AnnouncementForm(request.POST, auto_id="announcement-%s")
    if form.is_valid():
        try:
            community.announcement_post(challenge=challenge, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Announcement posted."))
            return redirect("challenge_workspace", slug=slug)
    return _workspace_page(request, challenge, status=400, announcement_form=form)


@login_required
def entries_csv(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organizer_challenge(request, slug)
    entries = (
        selectors.submissions_visible(challenge=challenge, user=request.user)
        .exclude(status=Submission.Status.DRAFT)
        .prefetch_related("team__memberships__user")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{challenge.slug}-entries.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly (Chinese text)
    writer = csv.writer(response)
    writer.writerow(
        [
            "id",
            "round",
            "team",
            "members",
            "company",
            "title",
            "summary",
            "status",
            "submitted_at",
            "repository_url",
            "demo_url",
            "video_url",
            "technology_readiness",
            "advanced",
            "showcased",
        ]
    )
    # An official reads this in a spreadsheet: statuses as the pages name them and yes/no,
    # in the reader's language (scores.csv does the same for its text).
    yes_no = {True: _("Yes"), False: _("No")}
    for entry in entries:
        row = [
            entry.pk,
            entry.round.number,
            entry.team.name,
            " ".join(m.user.username for m in entry.team.memberships.all()),
            entry.team.company.slug if entry.team.company else "",
            entry.title,
            entry.summary,
            entry.get_status_display(),
            entry.submitted_at.isoformat() if entry.submitted_at else "",
            entry.repository_url,
            entry.demo_url,
            entry.video_url,
            entry.technology_readiness or "",
            yes_no[entry.advanced],
            yes_no[entry.showcased],
        ]
        # Team names, titles and summaries are typed by participants: none may run as a
        # formula in the organizer's spreadsheet.
        writer.writerow([escape_formula(cell) for cell in row])
    return response


@login_required
@require_POST
def submission_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = _organizer_challenge(request, slug)
    entry = selectors.submission_get(user=request.user, pk=pk, challenge=challenge)
    decision, value = request.POST.get("decision"), request.POST.get("value") == "1"
    try:
        if decision == "advance":
            submissions.submission_set_advanced(submission=entry, by=request.user, advanced=value)
        elif decision == "showcase":
            submissions.submission_set_showcased(submission=entry, by=request.user, showcased=value)
    except (ValidationError, PermissionDenied) as exc:
        _flash_errors(request, exc)
    return redirect("challenge_workspace", slug=slug)


def showcase(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, slug=slug)
    entries = selectors.showcase(challenge=challenge)
    return render(request, "challenges/showcase.html", {"challenge": challenge, "entries": entries})


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, slug=slug)
    form = TeamForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            team = teams.team_create(challenge=challenge, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(team)
    return render(request, "challenges/team_form.html", {"form": form, "challenge": challenge})


def team_detail(request: HttpRequest, slug: str, team_slug: str) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, slug=slug)
    team = selectors.team_detail(challenge=challenge, team_slug=team_slug)
    is_member = permissions.is_team_member(request.user, team)
    form = InviteForm()
    leaving = request.POST.get("action") == "leave"
    leave_error = ""
    if request.method == "POST":
        if not is_member:
            permissions.log_refusal(request.user, "team_leave" if leaving else "team_invite", team)
            raise Http404
        if leaving:
            try:
                teams.team_leave(team=team, by=request.user)
            except ValidationError as exc:
                leave_error = " ".join(exc.messages)
            else:
                messages.success(request, _("You left %(team)s.") % {"team": team.name})
                # An invite-only challenge may have been visible through the team alone.
                if permissions.can_view_challenge(request.user, challenge):
                    return redirect(challenge)
                return redirect("challenge_list")
        else:
            form = InviteForm(request.POST)
            if form.is_valid():
                try:
                    teams.team_invite(team=team, by=request.user, who=form.cleaned_data["who"])
                except ValidationError as exc:
                    _add_errors(form, exc)
                else:
                    messages.success(request, _("Invitation sent."))
                    return redirect(team)
    context = {
        "challenge": challenge,
        "team": team,
        "is_member": is_member,
        "form": form,
        "entries": selectors.submissions_visible(challenge=challenge, user=request.user).filter(
            team=team
        ),
        "invitations": team.invitations.filter(status=Invitation.Status.PENDING)
        if is_member
        else [],
        "rounds": challenge.rounds.all(),
        "can_start_entry": is_member and _team_may_start_entry(team),
        "can_invite": is_member and challenge.status in teams.JOINABLE,
        # "Leave the team" asks first (?leave=1), and says why if the service refuses.
        "confirm_leave": is_member and ("leave" in request.GET or bool(leave_error)),
        "leave_error": leave_error,
    }
    return render(
        request, "challenges/team_detail.html", context, status=400 if leave_error else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_detail(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.select_related("team__challenge"), token=token
    )
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "accept":
                teams.invitation_accept(invitation=invitation, by=request.user)
                messages.success(request, _("Welcome to the team."))
                return redirect(invitation.team)
            teams.invitation_decline(invitation=invitation, by=request.user)
            messages.info(request, _("Invitation declined."))
            return redirect("challenge_list")
        except (ValidationError, PermissionDenied) as exc:
            _flash_errors(request, exc)
    return render(request, "challenges/invitation_detail.html", {"invitation": invitation})


@login_required
@require_http_methods(["GET", "POST"])
def submission_create(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, slug=slug)
    team = selectors.user_team(challenge=challenge, user=request.user)
    if team is None:
        messages.info(request, _("Form or join a team first."))
        return redirect("team_create", slug=slug)
    form = SubmissionForm(request.POST or None, user=request.user, challenge=challenge)
    rounds = list(challenge.rounds.all())
    round_ = _entry_round(rounds) or (rounds[-1] if rounds else None)
    if round_ is None:
        raise Http404
    if request.method == "POST" and form.is_valid():
        try:
            entry = submissions.submission_create(
                team=team, round=round_, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Only your team can see it."))
            return redirect("submission_edit", slug=slug, pk=entry.pk)
    context = {"form": form, "challenge": challenge, "team": team, "round": round_}
    return render(request, "challenges/submission_form.html", context)


def _entry_round(rounds):
    """The round a new entry goes to: the first one whose deadline has not passed."""
    now = timezone.now()
    return next((r for r in rounds if now <= r.closes_at), None)


def _team_may_start_entry(team) -> bool:
    """Offer "Start an entry" only when the server would take one: the challenge takes
    entries, a round is still open and the team has room left in it."""
    challenge = team.challenge
    if challenge.status not in (Challenge.Status.PUBLISHED, Challenge.Status.OPEN):
        return False
    round_ = _entry_round(challenge.rounds.all())
    if round_ is None:
        return False
    taken = team.submissions.filter(round=round_).exclude(status=Submission.Status.WITHDRAWN)
    return taken.count() < challenge.max_entries_per_round


def _own_entry(request, slug: str, pk: int) -> Submission:
    challenge = selectors.challenge_get(user=request.user, slug=slug)
    entry = selectors.submission_get(user=request.user, pk=pk, challenge=challenge)
    if not permissions.can_edit_submission(request.user, entry):
        permissions.log_refusal(request.user, "submission_edit", entry)
        raise Http404
    return entry


@login_required
@require_http_methods(["GET", "POST"])
def submission_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    entry = _own_entry(request, slug, pk)
    form = SubmissionForm(
        request.POST or None, instance=entry, user=request.user, challenge=entry.round.challenge
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if request.POST.get("action") == "submit":
                version = submissions.submission_submit(
                    submission=entry,
                    by=request.user,
                    accept_rules=form.cleaned_data.get("accept_rules", False),
                    **data,
                )
                messages.success(
                    request, _("Submitted: version %(n)d is recorded.") % {"n": version.number}
                )
                return redirect(entry.get_absolute_url())
            submissions.submission_update(submission=entry, by=request.user, **data)
            messages.success(request, _("Draft saved."))
            return redirect("submission_edit", slug=slug, pk=pk)
        except ValidationError as exc:
            _add_errors(form, exc)
    context = {
        "form": form,
        "entry": entry,
        "challenge": entry.round.challenge,
        "round": entry.round,
        "attachment_form": AttachmentForm(),
    }
    return render(request, "challenges/submission_form.html", context)


@login_required
@require_POST
def submission_autosave(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """htmx: save the draft as the team types; answers with a status line."""
    entry = _own_entry(request, slug, pk)
    form = SubmissionForm(
        request.POST, instance=entry, user=request.user, challenge=entry.round.challenge
    )
    status, text = 200, ""
    if entry.status != Submission.Status.DRAFT:
        text = _("Not saved automatically: press “Submit changes” to record a new version.")
    elif not form.is_valid():
        status = 422
        text = "; ".join(
            f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}"
            for f, e in form.errors.items()
        )
    else:
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            submissions.submission_update(submission=entry, by=request.user, **data)
            text = _("Draft saved at %(time)s.") % {
                "time": timezone.localtime().strftime("%H:%M:%S")
            }
        except ValidationError as exc:
            status, text = 422, " ".join(exc.messages)
    response = render(
        request, "challenges/_autosave_status.html", {"text": text, "ok": status == 200}
    )
    response.status_code = status
    return response


def submission_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, slug=slug)
    entry = selectors.submission_get(user=request.user, pk=pk, challenge=challenge)
    is_member = permissions.is_team_member(request.user, entry.team)
    is_organizer = permissions.is_organizer(request.user, challenge)
    context = {
        "challenge": challenge,
        "entry": entry,
        "is_member": is_member,
        "versions": entry.versions.all() if (is_member or is_organizer) else [],
        "attachments": entry.attachments.all() if (is_member or is_organizer) else [],
        "datasets": entry.datasets.visible_to(request.user),
        "attachment_form": AttachmentForm(),
    }
    return render(request, "challenges/submission_detail.html", context)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    entry = _own_entry(request, slug, pk)
    form = AttachmentForm(request.POST, request.FILES)
    status = 200
    if form.is_valid():
        try:
            submissions.attachment_add(
                submission=entry, by=request.user, file=form.cleaned_data["file"]
            )
            messages.success(request, _("File attached."))
        except ValidationError as exc:
            _flash_errors(request, exc)
            status = 400
    else:
        messages.error(request, _("Choose a file to attach."))
        status = 400
    if status != 200:
        return render(
            request,
            "challenges/submission_form.html",
            {
                "form": SubmissionForm(
                    instance=entry, user=request.user, challenge=entry.round.challenge
                ),
                "entry": entry,
                "challenge": entry.round.challenge,
                "round": entry.round,
                "attachment_form": form,
            },
            status=status,
        )
    return redirect("submission_edit", slug=slug, pk=pk)


@login_required
@require_POST
def challenge_attachment_upload(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _organizer_challenge(request, slug)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            submissions.challenge_attachment_add(
                challenge=challenge, by=request.user, file=form.cleaned_data["file"]
            )
            messages.success(request, _("File attached."))
        except ValidationError as exc:
            _flash_errors(request, exc)
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("challenge_workspace", slug=slug)


def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = (
        Attachment.objects.select_related(
            "challenge", "submission__team", "submission__round__challenge"
        )
        .filter(pk=pk)
        .first()
    )
    if attachment is None or not permissions.can_view_attachment(request.user, attachment):
        if attachment is not None:
            permissions.log_refusal(request.user, "attachment_download", attachment)
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
