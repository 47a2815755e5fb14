"""Pilots: a winning solution tried out with a host agency, tracked in public."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from challenges.judging.models import Measure, Milestone, Pilot, PilotUpdate
from challenges.judging.permissions import refuse
from portal import permissions


def can_manage_pilot(user, pilot: Pilot) -> bool:
    """The host agency's editors, and the organizers of the challenge it came from."""
    if permissions.can_edit_for(user, pilot.host_agency_id):
        return True
    return pilot.challenge is not None and permissions.can_edit_for(
        user, pilot.challenge.organization_id
    )


def _require(user, pilot: Pilot, action: str) -> None:
    if not can_manage_pilot(user, pilot):
        refuse(user=user, action=action, target=pilot)


@transaction.atomic
def pilot_create(
    *,
    by,
    title: str,
    host_agency,
    challenge=None,
    submission=None,
    slug: str = "",
    **fields,
) -> Pilot:
    pilot = Pilot(
        title=title.strip(),
        host_agency=host_agency,
        challenge=challenge or (submission.round.challenge if submission else None),
        submission=submission,
        slug=slug or slugify(title)[:100],
        **fields,
    )
    _require(by, pilot, "pilot_create")
    if not pilot.title:
        raise ValidationError({"title": _("Give the pilot a title.")})
    if not pilot.slug:
        raise ValidationError({"slug": _("Give the pilot a short name in Latin letters.")})
    if Pilot.objects.filter(slug=pilot.slug).exists():
        raise ValidationError({"slug": _("Another pilot already uses this short name.")})
    if pilot.starts_on and pilot.ends_on and pilot.starts_on > pilot.ends_on:
        raise ValidationError({"ends_on": _("The pilot must end after it starts.")})
    pilot.save()
    return pilot


@transaction.atomic
def pilot_status_set(*, pilot: Pilot, by, status: str) -> Pilot:
    _require(by, pilot, "pilot_status_set")
    if status not in Pilot.Status.values:
        raise ValidationError({"status": _("Choose one of the listed statuses.")})
    pilot.status = status
    pilot.save(update_fields=["status", "updated_at"])
    return pilot


@transaction.atomic
def milestone_add(*, pilot: Pilot, by, title: str, **fields) -> Milestone:
    _require(by, pilot, "milestone_add")
    if not title.strip():
        raise ValidationError({"title": _("Give the milestone a title.")})
    return Milestone.objects.create(pilot=pilot, title=title.strip(), **fields)


@transaction.atomic
def measure_set(*, pilot: Pilot, by, name: str, **fields) -> Measure:
    _require(by, pilot, "measure_set")
    if not name.strip():
        raise ValidationError({"name": _("Name the measure.")})
    measure, _created = Measure.objects.update_or_create(
        pilot=pilot, name=name.strip(), defaults=fields
    )
    return measure


@transaction.atomic
def pilot_update_post(*, pilot: Pilot, by, title: str, body: str) -> PilotUpdate:
    _require(by, pilot, "pilot_update_post")
    if not title.strip() or not body.strip():
        raise ValidationError(_("An update needs a title and a text."))
    return PilotUpdate.objects.create(pilot=pilot, title=title.strip(), body=body, author=by)
