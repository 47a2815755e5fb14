"""Who may do what with organizations.

The building blocks every app's permission checks use: roles are looked up once per
user object and cached on it, so a page that asks many questions costs one query.
Apps put their own rules (datasets/permissions.py, challenges/permissions.py) on top
of these; pages and API call the same functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.models import Membership

if TYPE_CHECKING:
    from portal.models import Organization, User

ROLE_RANK = {Membership.Role.MEMBER: 1, Membership.Role.EDITOR: 2, Membership.Role.ADMIN: 3}


def _org_id(organization: Organization | int | None) -> int | None:
    if organization is None:
        return None
    return organization if isinstance(organization, int) else organization.pk


def user_roles(user: User | None) -> dict[int, str]:
    """Map organization id -> role for a signed-in user, cached on the user object."""
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(user, "_portal_org_roles", None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=user).values_list("organization_id", "role"))
        user._portal_org_roles = cached
    return cached


def forget_roles(user: User) -> None:
    """Drop the cached roles after memberships change within the same request."""
    if hasattr(user, "_portal_org_roles"):
        del user._portal_org_roles


def role_in(user: User | None, organization: Organization | int | None) -> str | None:
    return user_roles(user).get(_org_id(organization))


def has_role(user: User | None, organization: Organization | int | None, minimum: str) -> bool:
    """True when the user holds at least `minimum` in the organization (staff always do)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    role = role_in(user, organization)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]


def is_member(user: User | None, organization: Organization | int | None) -> bool:
    return has_role(user, organization, Membership.Role.MEMBER)


def can_edit_for(user: User | None, organization: Organization | int | None) -> bool:
    """Editors and admins create and change content on behalf of the organization."""
    return has_role(user, organization, Membership.Role.EDITOR)


def can_admin(user: User | None, organization: Organization | int | None) -> bool:
    """Admins publish, manage members and change the organization's profile."""
    return has_role(user, organization, Membership.Role.ADMIN)


def organizations_where(user: User | None, minimum: str) -> list[int]:
    """Ids of the organizations where the user holds at least `minimum`."""
    return [
        org_id for org_id, role in user_roles(user).items() if ROLE_RANK[role] >= ROLE_RANK[minimum]
    ]
