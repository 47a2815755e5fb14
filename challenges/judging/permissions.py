"""Who may do what in judging, on top of portal.permissions' organization roles.

Organizers are the editors and admins of the challenge's organization. Judges are the
active panel members of the challenge. Every refusal goes to the `portal.security` log so
an organizer can see who tried what.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, NoReturn

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from portal import permissions

if TYPE_CHECKING:
    from challenges.judging.models import Judge

security_log = logging.getLogger("portal.security")


def refuse(*, user, action: str, target, message: str | None = None) -> NoReturn:
    """Write the refused action to the audit log and raise PermissionDenied."""
    security_log.warning(
        "judging refused: %s by %s on %s",
        action,
        getattr(user, "username", None) or "anonymous",
        f"{type(target).__name__}:{getattr(target, 'pk', target)}",
        extra={"action": action, "user_id": getattr(user, "pk", None)},
    )
    raise PermissionDenied(message or _("You may not do this."))


def is_organizer(user, challenge) -> bool:
    return permissions.can_edit_for(user, challenge.organization_id)


def judge_of(user, challenge) -> Judge | None:
    """The user's active panel seat on the challenge, if any."""
    from challenges.judging.models import Judge

    if user is None or not user.is_authenticated:
        return None
    return Judge.objects.active().filter(challenge=challenge, user=user).first()


def is_team_member(user, team) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return team.memberships.filter(user=user).exists()


def require_organizer(user, challenge, action: str) -> None:
    if not is_organizer(user, challenge):
        refuse(user=user, action=action, target=challenge)
