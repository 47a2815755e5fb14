"""Entries: drafts, submitting (every submitted version kept), files, advancing, showcase.

Every time check uses the server clock; nothing a client sends decides a deadline.
"""

import hashlib
import os
import uuid
from datetime import datetime

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges import permissions
from challenges.markdown import check_markdown
from challenges.models import Attachment, Challenge, Round, Submission, SubmissionVersion, Team
from challenges.services.challenges import challenge_sync_status
from challenges.timing import format_deadline

EDITABLE_FIELDS = (
    "title",
    "summary",
    "description",
    "repository_url",
    "demo_url",
    "video_url",
    "technology_readiness",
    "pilot_needs",
)
# Extension -> the MIME types its content may sniff as. Text formats have no magic
# number: they must decode as UTF-8 and contain no NUL byte instead.
ALLOWED_TYPES = {
    "pdf": {"application/pdf"},
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "gif": {"image/gif"},
    "webp": {"image/webp"},
    "zip": {"application/zip"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    "pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    "odt": {"application/vnd.oasis.opendocument.text"},
    "mp4": {"video/mp4"},
}
TEXT_TYPES = {
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
    "json": "application/json",
}


def _deadline_error(round: Round, user) -> ValidationError:
    return ValidationError(
        _("The deadline for %(round)s was %(deadline)s. Entries can no longer be changed.")
        % {"round": round.title, "deadline": format_deadline(round.closes_at, user)}
    )


def _check_member(submission_or_team, by, action: str) -> Team:
    team = submission_or_team if isinstance(submission_or_team, Team) else submission_or_team.team
    if not permissions.is_team_member(by, team):
        permissions.log_refusal(by, action, submission_or_team)
        raise PermissionDenied(_("Only members of the team can change its entries."))
    return team


def _check_round_accepts(round: Round, by, now: datetime) -> None:
    if now > round.closes_at:
        raise _deadline_error(round, by)
    challenge_sync_status(challenge=round.challenge, now=now)
    if round.challenge.status not in (Challenge.Status.PUBLISHED, Challenge.Status.OPEN):
        raise ValidationError(_("This challenge does not accept entries any more."))


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"datasets"}
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    if "description" in fields:
        check_markdown(fields["description"], field="description")
    if "pilot_needs" in fields:
        check_markdown(fields["pilot_needs"], field="pilot_needs")


def _apply(submission: Submission, fields: dict) -> None:
    datasets = fields.pop("datasets", None)
    for name, value in fields.items():
        setattr(submission, name, "" if value is None and name != "technology_readiness" else value)
    submission.full_clean(exclude=["team", "round", "created_by"])
    submission.save()
    if datasets is not None:
        submission.datasets.set(datasets)


@transaction.atomic
def submission_create(*, team: Team, round: Round, by, **fields) -> Submission:
    now = timezone.now()
    _check_member(team, by, "submission_create")
    if round.challenge_id != team.challenge_id:
        raise ValidationError({"round": _("This round belongs to another challenge.")})
    _check_round_accepts(round, by, now)
    _check_fields(fields)
    previous = round.previous()
    if (
        previous
        and not Submission.objects.filter(team=team, round=previous, advanced=True).exists()
    ):
        raise ValidationError(
            _("Only teams whose entry advanced from %(round)s can enter this round.")
            % {"round": previous.title}
        )
    taken = team.submissions.filter(round=round).exclude(status=Submission.Status.WITHDRAWN)
    limit = team.challenge.max_entries_per_round
    if taken.count() >= limit:
        raise ValidationError(
            _("Your team already has %(n)d entry in this round, the most this challenge allows.")
            % {"n": limit}
        )
    if not fields.get("title"):
        raise ValidationError({"title": _("Give your entry a title.")})
    submission = Submission(team=team, round=round, created_by=by)
    _apply(submission, fields)
    return submission


@transaction.atomic
def submission_update(*, submission: Submission, by, **fields) -> Submission:
    """Save changes (autosave included). A submitted entry changes only by resubmitting."""
    now = timezone.now()
    _check_member(submission, by, "submission_update")
    _check_round_accepts(submission.round, by, now)
    _check_fields(fields)
    if submission.status == Submission.Status.SUBMITTED:
        raise ValidationError(
            _("This entry has been submitted: submit your changes to record a new version.")
        )
    if submission.status == Submission.Status.WITHDRAWN:
        raise ValidationError(_("This entry was withdrawn."))
    _apply(submission, fields)
    return submission


@transaction.atomic
def submission_submit(
    *, submission: Submission, by, accept_rules: bool = False, **fields
) -> SubmissionVersion:
    """Submit (or resubmit with changes) while the round is open; records a new version.

    When the challenge has rules, the first submission needs `accept_rules`; who accepted
    and when is kept on the entry.
    """
    now = timezone.now()
    # Lock the row so two submits cannot take the same version number; refresh the
    # caller's object so it reflects what was stored.
    Submission.objects.select_for_update().filter(pk=submission.pk).first()
    submission.refresh_from_db()
    _check_member(submission, by, "submission_submit")
    round = submission.round
    _check_round_accepts(round, by, now)
    if now < round.opens_at:
        raise ValidationError(
            _("%(round)s opens for entries on %(when)s.")
            % {"round": round.title, "when": format_deadline(round.opens_at, by)}
        )
    _check_fields(fields)
    if submission.status == Submission.Status.WITHDRAWN:
        raise ValidationError(_("This entry was withdrawn."))
    challenge = submission.team.challenge
    size = submission.team.memberships.count()
    if size < challenge.min_team_size:
        raise ValidationError(
            _("Teams need at least %(n)d members to submit in this challenge.")
            % {"n": challenge.min_team_size}
        )
    if challenge.rules and not (accept_rules or submission.rules_accepted_at):
        raise ValidationError(
            {"accept_rules": _("Accept the rules of the challenge to submit your entry.")}
        )
    _apply(submission, fields)
    if not submission.summary:
        raise ValidationError({"summary": _("Write a short summary before submitting.")})
    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = now
    if submission.rules_accepted_at is None and challenge.rules:
        submission.rules_accepted_at, submission.rules_accepted_by = now, by
    submission.save(
        update_fields=[
            "status",
            "submitted_at",
            "rules_accepted_at",
            "rules_accepted_by",
            "updated_at",
        ]
    )
    number = (submission.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return SubmissionVersion.objects.create(
        submission=submission,
        number=number,
        title=submission.title,
        summary=submission.summary,
        description=submission.description,
        repository_url=submission.repository_url,
        demo_url=submission.demo_url,
        video_url=submission.video_url,
        technology_readiness=submission.technology_readiness,
        pilot_needs=submission.pilot_needs,
        dataset_ids=[str(pk) for pk in submission.datasets.values_list("pk", flat=True)],
        attachments=[
            {"id": a.pk, "name": a.name, "size": a.size, "sha256": a.sha256}
            for a in submission.attachments.all()
        ],
        submitted_by=by,
        submitted_at=now,
    )


@transaction.atomic
def submission_withdraw(*, submission: Submission, by) -> Submission:
    _check_member(submission, by, "submission_withdraw")
    _check_round_accepts(submission.round, by, timezone.now())
    submission.status = Submission.Status.WITHDRAWN
    submission.save(update_fields=["status", "updated_at"])
    return submission


def _organizer(submission: Submission, by, action: str) -> None:
    if not permissions.is_organizer(by, submission.round.challenge):
        permissions.log_refusal(by, action, submission)
        raise PermissionDenied(_("Only the organizers can decide this."))
    if submission.status != Submission.Status.SUBMITTED:
        raise ValidationError(_("Only submitted entries can be chosen."))


@transaction.atomic
def submission_set_advanced(*, submission: Submission, by, advanced: bool = True) -> Submission:
    """Organizers move an entry's team on to the next round once this round has closed."""
    _organizer(submission, by, "submission_advance")
    round = submission.round
    if timezone.now() <= round.closes_at:
        raise ValidationError(_("Entries can advance only after the round has closed."))
    if not round.challenge.rounds.filter(number__gt=round.number).exists():
        raise ValidationError(_("This is the last round: there is no round to advance to."))
    submission.advanced = advanced
    submission.advanced_at = timezone.now() if advanced else None
    submission.save(update_fields=["advanced", "advanced_at", "updated_at"])
    return submission


@transaction.atomic
def submission_set_showcased(*, submission: Submission, by, showcased: bool = True) -> Submission:
    _organizer(submission, by, "submission_showcase")
    submission.showcased = showcased
    submission.save(update_fields=["showcased", "updated_at"])
    return submission


def _sniff(head: bytes, extension: str, name: str) -> str:
    if extension in TEXT_TYPES:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character may be cut at the end of the sample.
            if exc.start < len(head) - 4:
                raise ValidationError(
                    {"file": _("%(name)s is not a UTF-8 text file.") % {"name": name}}
                ) from exc
        if b"\x00" in head or filetype.guess(head) is not None:
            raise ValidationError(
                {"file": _("%(name)s is not a text file despite its name.") % {"name": name}}
            )
        return TEXT_TYPES[extension]
    if extension not in ALLOWED_TYPES:
        allowed = ", ".join(sorted([*ALLOWED_TYPES, *TEXT_TYPES]))
        raise ValidationError(
            {
                "file": _("%(name)s: this type of file is not accepted. Accepted: %(allowed)s.")
                % {"name": name, "allowed": allowed}
            }
        )
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES[extension]:
        raise ValidationError(
            {
                "file": _("%(name)s does not contain what its name says (.%(ext)s).")
                % {"name": name, "ext": extension}
            }
        )
    return kind.mime


def _store(*, file, by, **owner) -> Attachment:
    """Check a file's size and real type (not its name), then store it privately."""
    name = os.path.basename(file.name or "file")[:255]
    limit = settings.MAX_ATTACHMENT_SIZE
    if file.size > limit:
        raise ValidationError(
            {
                "file": _("%(name)s is %(size)s; files may be at most %(limit)s.")
                % {"name": name, "size": filesizeformat(file.size), "limit": filesizeformat(limit)}
            }
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    file.seek(0)
    content_type = _sniff(file.read(8192), extension, name)
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    attachment = Attachment(
        name=name,
        content_type=content_type,
        size=file.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
        **owner,
    )
    # A random stored name: the original name is only ever sent back as a header value.
    attachment.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(file.read()), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_add(*, submission: Submission, by, file) -> Attachment:
    _check_member(submission, by, "attachment_add")
    _check_round_accepts(submission.round, by, timezone.now())
    return _store(file=file, by=by, submission=submission)


@transaction.atomic
def challenge_attachment_add(*, challenge: Challenge, by, file) -> Attachment:
    """A resource file for everyone who can see the challenge (data samples, briefs)."""
    if not permissions.is_organizer(by, challenge):
        permissions.log_refusal(by, "challenge_attachment_add", challenge)
        raise PermissionDenied(_("Only the organizers can add files to the challenge."))
    return _store(file=file, by=by, challenge=challenge)


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by) -> None:
    submission = attachment.submission
    if submission is None:
        raise PermissionDenied(_("Only the organizers can remove challenge files."))
    _check_member(submission, by, "attachment_delete")
    _check_round_accepts(submission.round, by, timezone.now())
    attachment.file.delete(save=False)
    attachment.delete()
