"""Forming teams: create, invite by username or e-mail, accept or decline, leave."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from challenges import permissions
from challenges.models import Challenge, Invitation, Submission, Team, TeamMembership
from challenges.services.notifications import email_one, email_user
from portal import permissions as portal_permissions
from portal.mail import in_every_language
from portal.models import Organization

JOINABLE = (Challenge.Status.PUBLISHED, Challenge.Status.OPEN)


def _check_can_take_part(challenge: Challenge, user) -> None:
    if not permissions.can_view_challenge(user, challenge):
        permissions.log_refusal(user, "team_join", challenge)
        raise PermissionDenied(_("You cannot take part in this challenge."))
    if challenge.status not in JOINABLE:
        raise ValidationError(_("This challenge no longer accepts new team members."))
    if TeamMembership.objects.filter(team__challenge=challenge, user=user).exists():
        raise ValidationError(_("You are already in a team for this challenge."))


def _unique_slug(challenge: Challenge, name: str) -> str:
    base = slugify(name)[:80] or "team"
    slug, n = base, 1
    while Team.objects.filter(challenge=challenge, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def team_create(
    *, challenge: Challenge, by, name: str, description: str = "", company=None
) -> Team:
    _check_can_take_part(challenge, by)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give your team a name.")})
    if Team.objects.filter(challenge=challenge, name=name).exists():
        raise ValidationError({"name": _("Another team in this challenge has that name.")})
    if company is not None:
        if not challenge.allow_companies:
            raise ValidationError({"company": _("This challenge is not open to companies.")})
        if company.kind != Organization.Kind.COMPANY:
            raise ValidationError(
                {"company": _("Only a registered company or startup can be represented.")}
            )
        if not portal_permissions.is_member(by, company):
            permissions.log_refusal(by, "team_create_company", company)
            raise ValidationError({"company": _("You can only represent a company you belong to.")})
    team = Team.objects.create(
        challenge=challenge,
        name=name,
        slug=_unique_slug(challenge, name),
        description=description,
        company=company,
        created_by=by,
    )
    TeamMembership.objects.create(team=team, user=by, role=TeamMembership.Role.LEAD)
    return team


def _check_room(team: Team) -> None:
    if team.memberships.count() >= team.challenge.max_team_size:
        raise ValidationError(
            _("The team is full: this challenge allows at most %(n)d members.")
            % {"n": team.challenge.max_team_size}
        )


@transaction.atomic
def team_invite(*, team: Team, by, who: str) -> Invitation:
    """Invite by username or e-mail address; people without an account get the link."""
    if not permissions.is_team_member(by, team):
        permissions.log_refusal(by, "team_invite", team)
        raise PermissionDenied(_("Only members of the team can invite others."))
    if team.challenge.status not in JOINABLE:
        raise ValidationError(_("This challenge no longer accepts new team members."))
    who = (who or "").strip()
    if not who:
        raise ValidationError({"who": _("Enter a username or an e-mail address.")})
    _check_room(team)
    User = get_user_model()
    user = User.objects.filter(username=who).first() or (
        User.objects.filter(email__iexact=who).first() if "@" in who else None
    )
    if user is None and "@" not in who:
        raise ValidationError({"who": _("No one has the username %(name)s.") % {"name": who}})
    if user is None:
        # Someone without an account gets the link by mail: an address that cannot receive
        # it would leave an invitation no one can ever answer.
        try:
            validate_email(who)
        except ValidationError:
            raise ValidationError(
                {"who": _("%(email)s is not a valid e-mail address.") % {"email": who}}
            ) from None
    email = user.email if user else who
    if user and team.memberships.filter(user=user).exists():
        raise ValidationError({"who": _("%(name)s is already in the team.") % {"name": user}})
    pending = team.invitations.filter(status=Invitation.Status.PENDING)
    if (user and pending.filter(user=user).exists()) or pending.filter(
        email__iexact=email
    ).exists():
        raise ValidationError({"who": _("%(name)s has already been invited.") % {"name": who}})
    invitation = Invitation.objects.create(team=team, user=user, email=email, invited_by=by)
    link = settings.SITE_URL + reverse("invitation_detail", kwargs={"token": invitation.token})

    def render():
        return (
            _("Join the team %(team)s") % {"team": team.name},
            _("%(who)s invites you to join the team %(team)s in the challenge %(challenge)s.")
            % {"who": by, "team": team.name, "challenge": team.challenge.title}
            + f"\n\n{link}\n",
        )

    if user:
        email_user(user=user, render=render)
    else:  # no account, so no known language: in the inviter's, then in the other
        subject, body = in_every_language(render)
        email_one(to=email, subject=subject, body=body)
    return invitation


def _check_invitee(invitation: Invitation, user) -> None:
    mine = invitation.user_id == user.pk or (
        invitation.user_id is None and invitation.email.lower() == (user.email or "").lower()
    )
    if not mine:
        permissions.log_refusal(user, "invitation_respond", invitation)
        raise PermissionDenied(_("This invitation is for someone else."))
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("This invitation has already been answered or withdrawn."))


@transaction.atomic
def invitation_accept(*, invitation: Invitation, by) -> TeamMembership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_invitee(invitation, by)
    team = Team.objects.select_for_update().get(pk=invitation.team_id)
    # The invitation itself grants access to an invite-only challenge.
    if team.challenge.status not in JOINABLE:
        raise ValidationError(_("This challenge no longer accepts new team members."))
    if TeamMembership.objects.filter(team__challenge=team.challenge, user=by).exists():
        raise ValidationError(_("You are already in a team for this challenge."))
    _check_room(team)
    membership = TeamMembership.objects.create(team=team, user=by)
    invitation.status = Invitation.Status.ACCEPTED
    invitation.user = by
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "user", "responded_at"])
    return membership


@transaction.atomic
def invitation_decline(*, invitation: Invitation, by) -> Invitation:
    _check_invitee(invitation, by)
    invitation.status = Invitation.Status.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    return invitation


@transaction.atomic
def team_leave(*, team: Team, by) -> None:
    """Leave the team. A leaving lead passes the lead to the member who joined first; the
    last member takes an empty team with them, but cannot leave a live entry ownerless."""
    team = Team.objects.select_for_update().get(pk=team.pk)
    membership = team.memberships.filter(user=by).first()
    if membership is None:
        raise ValidationError(_("You are not in this team."))
    others = team.memberships.exclude(pk=membership.pk).order_by("joined_at", "pk")
    if not others.exists():
        live = team.submissions.exclude(status=Submission.Status.WITHDRAWN)
        if live.exists():
            raise ValidationError(
                _("You are the team's last member and it has an entry: withdraw the entry first.")
            )
        membership.delete()
        if not team.submissions.exists():
            team.delete()
        return
    if membership.role == TeamMembership.Role.LEAD:
        successor = others.first()
        successor.role = TeamMembership.Role.LEAD
        successor.save(update_fields=["role"])
    membership.delete()
