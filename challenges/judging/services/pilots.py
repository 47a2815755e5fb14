"""Pilots: a winning solution tried out with a host agency, tracked in public."""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from challenges.judging.models import Measure, Milestone, Pilot, PilotUpdate, Result
from challenges.judging.permissions import refuse
from challenges.judging.services.texts import (
    any_language,
    per_language,
    texts_set,
    translated_texts,
)
from challenges.markdown import check_markdown
from challenges.permissions import can_view_challenge, can_view_submission
from portal import permissions
from portal.models import Membership

# Taken by pages under /pilots/ (challenges/judging/urls.py).
RESERVED_SLUGS = {"new"}


def can_manage_pilot(user, pilot: Pilot) -> bool:
    """The host agency's editors, and the organizers of the challenge it came from."""
    if permissions.can_edit_for(user, pilot.host_agency_id):
        return True
    return pilot.challenge is not None and permissions.can_edit_for(
        user, pilot.challenge.organization_id
    )


def can_start_pilot(user) -> bool:
    """Editors of any organization may start a pilot it hosts."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or bool(permissions.organizations_where(user, Membership.Role.EDITOR))


def entry_is_known_to(user, submission) -> bool:
    """The user may read the entry, or it is named in its round's published results."""
    if can_view_submission(user, submission):
        return True
    result = Result.objects.filter(round_id=submission.round_id, published_at__isnull=False)
    published = result.values_list("snapshot", flat=True).first() or {}
    return any(entry.get("id") == submission.pk for entry in published.get("entries", []))


def _require(user, pilot: Pilot, action: str) -> None:
    if not can_manage_pilot(user, pilot):
        refuse(user=user, action=action, target=pilot)


@transaction.atomic
def pilot_create(
    *,
    by,
    host_agency,
    challenge=None,
    submission=None,
    slug: str = "",
    datasets=None,
    **fields,
) -> Pilot:
    """Start a pilot. `title` and `summary` are in the active language; `title_zh_hant`,
    `title_en`, ... give a language its own (a language left empty falls back)."""
    pilot = Pilot(
        host_agency=host_agency,
        challenge=challenge or (submission.round.challenge if submission else None),
        submission=submission,
    )
    _set(pilot, fields, PILOT_FIELDS, "pilot_create")
    # The web address reads best from the English title, when there is one.
    pilot.slug = slug.strip() or slugify(pilot.title_en or pilot.title or "")[:100]
    _require(by, pilot, "pilot_create")
    # A host agency may name the challenge and entry a pilot comes from only if it can see
    # them: otherwise its public page would give away an invite-only or draft challenge,
    # or an entry the organizers never made public.
    if pilot.challenge is not None and not can_view_challenge(by, pilot.challenge):
        refuse(user=by, action="pilot_create_from_challenge", target=pilot.challenge)
    if submission is not None and not entry_is_known_to(by, submission):
        refuse(user=by, action="pilot_create_from_entry", target=submission)
    _check(pilot)
    if not pilot.slug:
        raise ValidationError({"slug": _("Give the pilot a short name in Latin letters.")})
    if pilot.slug in RESERVED_SLUGS:
        raise ValidationError({"slug": _("This short name is reserved: choose another.")})
    if Pilot.objects.filter(slug=pilot.slug).exists():
        raise ValidationError({"slug": _("Another pilot already uses this short name.")})
    pilot.save()
    if datasets is not None:
        pilot.datasets.set(datasets)
    return pilot


def _check(pilot: Pilot) -> None:
    if not any_language(pilot, "title"):
        raise ValidationError({"title": _("Give the pilot a title.")})
    if pilot.starts_on and pilot.ends_on and pilot.starts_on > pilot.ends_on:
        raise ValidationError({"ends_on": _("The pilot must end after it starts.")})


# What pilot_update may change: the slug stays, so links to the public page keep working.
# `title` and `summary` change the active language's; `title_en`, ... a given language's.
PILOT_FIELDS = (
    *per_language("title", "summary"),
    "host_agency",
    "site",
    "starts_on",
    "ends_on",
    "budget",
    "currency",
    "support",
    "public",
    "status",
)
EDITABLE_FIELDS = tuple(name for name in PILOT_FIELDS if name != "status")


def _set(row, fields: dict, allowed: tuple[str, ...], service: str) -> None:
    """Set `fields` on the row (texts per language, see texts_set); a name the service does
    not take is a programming error, not user input."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"{service} cannot change {sorted(unknown)}")
    texts_set(row, fields)


@transaction.atomic
def pilot_update(*, pilot: Pilot, by, datasets=None, **fields) -> Pilot:
    """Change the pilot's description; `datasets`, when given, replaces the linked ones.

    Returns the changed pilot; the one passed in is left as it was, so a page that shows
    the refusal still shows the saved values. The result is checked as a new pilot would
    be: a host agency's editor cannot hand the pilot to an agency they have no say in."""
    _require(by, pilot, "pilot_update")
    changed = copy.copy(pilot)  # Model.__getstate__ copies the related-object cache too
    _set(changed, fields, EDITABLE_FIELDS, "pilot_update")
    _require(by, changed, "pilot_update")
    _check(changed)
    changed.save()
    if datasets is not None:
        changed.datasets.set(datasets)
    return changed


@transaction.atomic
def pilot_status_set(*, pilot: Pilot, by, status: str) -> Pilot:
    _require(by, pilot, "pilot_status_set")
    if status not in Pilot.Status.values:
        raise ValidationError({"status": _("Choose one of the listed statuses.")})
    pilot.status = status
    pilot.save(update_fields=["status", "updated_at"])
    return pilot


# Milestones, measures and updates: the edit and delete services take the row itself; views
# look it up under its pilot so an id from another pilot is never reached. Their texts are
# per language as the pilot's: `title` is the active language's, `title_en` English.

MILESTONE_FIELDS = (*per_language("title", "evidence"), "due_on", "done_on", "evidence_url")
MEASURE_FIELDS = (*per_language("name", "unit"), "baseline", "target", "actual")
UPDATE_FIELDS = per_language("title", "body")


def _check_milestone(milestone: Milestone) -> None:
    if not any_language(milestone, "title"):
        raise ValidationError({"title": _("Give the milestone a title.")})


@transaction.atomic
def milestone_add(*, pilot: Pilot, by, **fields) -> Milestone:
    _require(by, pilot, "milestone_add")
    milestone = Milestone(pilot=pilot)
    _set(milestone, fields, MILESTONE_FIELDS, "milestone_add")
    _check_milestone(milestone)
    milestone.save()
    return milestone


@transaction.atomic
def milestone_update(*, milestone: Milestone, by, **fields) -> Milestone:
    _require(by, milestone.pilot, "milestone_update")
    _set(milestone, fields, MILESTONE_FIELDS, "milestone_update")
    _check_milestone(milestone)
    milestone.save()
    return milestone


@transaction.atomic
def milestone_delete(*, milestone: Milestone, by) -> None:
    _require(by, milestone.pilot, "milestone_delete")
    milestone.delete()


def _measure_names(measure: Measure) -> dict[str, str]:
    """{"name_zh_hant": ..., "name_en": ...}: the languages the measure is named in."""
    names = {field: getattr(measure, field) for field in translated_texts(Measure)["name"]}
    return {field: value for field, value in names.items() if value}


@transaction.atomic
def measure_set(*, pilot: Pilot, by, **fields) -> Measure:
    """Add a measure, or change the one of that name: a pilot's measures are known by name
    (in either language). Changing one keeps the texts of a language left empty."""
    _require(by, pilot, "measure_set")
    given = Measure(pilot=pilot)
    _set(given, fields, MEASURE_FIELDS, "measure_set")
    names = _measure_names(given)
    if not names:
        raise ValidationError({"name": _("Name the measure.")})
    same_name = Q()
    for field, value in names.items():
        same_name |= Q(**{field: value})
    measure = pilot.measures.filter(same_name).order_by("pk").first()
    if measure is None:
        given.save()
        return given
    # Known already: a language left empty keeps its text, the numbers given replace.
    texts = translated_texts(Measure)
    for field in (*texts["name"], *texts["unit"]):
        if getattr(given, field):
            setattr(measure, field, getattr(given, field))
    for field in ("baseline", "target", "actual"):
        if field in fields:
            setattr(measure, field, fields[field])
    measure.save()
    return measure


@transaction.atomic
def measure_update(*, measure: Measure, by, **fields) -> Measure:
    _require(by, measure.pilot, "measure_update")
    _set(measure, fields, MEASURE_FIELDS, "measure_update")
    names = _measure_names(measure)
    if not names:
        raise ValidationError({"name": _("Name the measure.")})
    others = Measure.objects.filter(pilot=measure.pilot_id).exclude(pk=measure.pk)
    for field, value in names.items():
        if others.filter(**{field: value}).exists():
            raise ValidationError({field: _("This pilot already has a measure of that name.")})
    measure.save()
    return measure


@transaction.atomic
def measure_delete(*, measure: Measure, by) -> None:
    _require(by, measure.pilot, "measure_delete")
    measure.delete()


def _check_update(update: PilotUpdate) -> None:
    if not any_language(update, "title") or not any_language(update, "body"):
        raise ValidationError(_("An update needs a title and a text."))
    for field in translated_texts(PilotUpdate)["body"]:
        check_markdown(getattr(update, field) or "", field=field)


@transaction.atomic
def pilot_update_post(*, pilot: Pilot, by, **fields) -> PilotUpdate:
    """Publish a news item on the pilot's page; the text is Markdown."""
    _require(by, pilot, "pilot_update_post")
    update = PilotUpdate(pilot=pilot, author=by)
    _set(update, fields, UPDATE_FIELDS, "pilot_update_post")
    _check_update(update)
    update.save()
    return update


@transaction.atomic
def pilot_update_edit(*, update: PilotUpdate, by, **fields) -> PilotUpdate:
    """Correct a published update; it keeps its author and publication time."""
    _require(by, update.pilot, "pilot_update_edit")
    _set(update, fields, UPDATE_FIELDS, "pilot_update_edit")
    _check_update(update)
    update.save()
    return update


@transaction.atomic
def pilot_update_delete(*, update: PilotUpdate, by) -> None:
    _require(by, update.pilot, "pilot_update_delete")
    update.delete()
