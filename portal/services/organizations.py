import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal import permissions
from portal.models import Membership, Organization, User

security_log = logging.getLogger("portal.security")

# Kinds that any signed-in person may register; cities and agencies are set up by staff.
SELF_SERVICE_KINDS = {
    Organization.Kind.COMPANY,
    Organization.Kind.UNIVERSITY,
    Organization.Kind.CIVIC,
}


@transaction.atomic
def organization_create(
    *,
    by: User,
    slug: str,
    name_zh_hant: str = "",
    name_en: str = "",
    kind: str,
    description_zh_hant: str = "",
    description_en: str = "",
    website: str = "",
    email: str = "",
    parent: Organization | None = None,
) -> Organization:
    """Create an organization; its creator becomes its first admin."""
    if kind not in SELF_SERVICE_KINDS and not by.is_staff:
        raise PermissionDenied(_("Only site staff can register a city or an agency."))
    if not (name_zh_hant or name_en):
        raise ValidationError({"name": _("Give the organization a name in at least one language.")})
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError(
            {"slug": _("The short name “%(slug)s” is already taken.") % {"slug": slug}}
        )
    org = Organization(
        slug=slug,
        name_zh_hant=name_zh_hant or name_en,
        name_en=name_en or name_zh_hant,
        kind=kind,
        description_zh_hant=description_zh_hant,
        description_en=description_en,
        website=website,
        email=email,
        parent=parent,
    )
    org.full_clean()
    try:
        org.save()
    except IntegrityError as exc:  # a concurrent request took the slug
        raise ValidationError(
            {"slug": _("The short name “%(slug)s” is already taken.") % {"slug": slug}}
        ) from exc
    Membership.objects.create(user=by, organization=org, role=Membership.Role.ADMIN)
    permissions.forget_roles(by)
    return org


def _lock_and_require_admin(by: User, organization: Organization) -> None:
    """Take the organization's lock, then check that `by` is (still) one of its admins.

    Member changes of one organization run one after the other: two admins demoting or
    removing each other at once would each see the other as the admin left, and leave
    none. The role is read again under the lock, as the other change may have taken it.
    """
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    permissions.forget_roles(by)
    if not permissions.can_admin(by, organization):
        security_log.warning("membership change refused: user=%s org=%s", by.pk, organization.slug)
        raise PermissionDenied(_("Only an admin of this organization can manage its members."))


@transaction.atomic
def membership_set(*, by: User, organization: Organization, user: User, role: str) -> Membership:
    """Add a user to an organization or change their role."""
    _lock_and_require_admin(by, organization)
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    membership = (
        Membership.objects.select_for_update().filter(organization=organization, user=user).first()
    )
    if membership and membership.role == Membership.Role.ADMIN and role != Membership.Role.ADMIN:
        _refuse_removing_last_admin(organization, membership)
    if membership is None:
        membership = Membership.objects.create(organization=organization, user=user, role=role)
    else:
        membership.role = role
        membership.save(update_fields=["role"])
    permissions.forget_roles(user)
    return membership


@transaction.atomic
def membership_remove(*, by: User, organization: Organization, user: User) -> bool:
    """Remove a member; False when `user` was not one (a second click)."""
    _lock_and_require_admin(by, organization)
    membership = (
        Membership.objects.select_for_update().filter(organization=organization, user=user).first()
    )
    if membership is None:
        return False
    if membership.role == Membership.Role.ADMIN:
        _refuse_removing_last_admin(organization, membership)
    membership.delete()
    permissions.forget_roles(user)
    return True


def _refuse_removing_last_admin(organization: Organization, membership: Membership) -> None:
    others = (
        Membership.objects.filter(organization=organization, role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )
    if not others:
        raise ValidationError(
            {"role": _("An organization needs at least one admin; appoint another admin first.")}
        )
