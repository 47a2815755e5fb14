"""Forming teams: invitations by username and e-mail, size limits, one team per person."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from challenges.models import Invitation, TeamMembership
from challenges.services.teams import (
    invitation_accept,
    invitation_decline,
    team_create,
    team_invite,
)
from portal.models import Membership, Organization
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


def test_creator_leads_the_new_team(challenge, lead):
    team = team_create(challenge=challenge, by=lead, name="公車雷達")
    assert team.memberships.get().role == TeamMembership.Role.LEAD
    assert team.slug  # Chinese names still get a usable address


def test_invite_by_username_and_accept(team, lead, django_capture_on_commit_callbacks):
    friend = UserFactory(username="friend", language="en")
    with translation.override("zh-hant"), django_capture_on_commit_callbacks(execute=True):
        invitation = team_invite(team=team, by=lead, who="friend")
    assert mail.outbox[-1].to == ["friend@example.org"]
    assert invitation.token in mail.outbox[-1].body
    assert mail.outbox[-1].subject == "Join the team Bus Finders"  # the invitee's language
    invitation_accept(invitation=invitation, by=friend)
    assert team.memberships.filter(user=friend).exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED


def test_invite_by_email_reaches_someone_without_an_account(
    team, lead, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        invitation = team_invite(team=team, by=lead, who="new.person@example.net")
    assert invitation.user is None
    # Their language is unknown: the inviter's first, then the other, one link in each.
    message = mail.outbox[-1]
    assert message.to == ["new.person@example.net"]
    assert message.subject == "Join the team Bus Finders / 加入團隊 Bus Finders"
    english = message.body.index("invites you to join the team Bus Finders")
    chinese = message.body.index("邀請你加入挑戰")
    assert english < chinese
    assert message.body.count(invitation.token) == 2
    newcomer = UserFactory(username="newcomer", email="new.person@example.net")
    invitation_accept(invitation=invitation, by=newcomer)
    assert team.memberships.filter(user=newcomer).exists()


def test_someone_else_cannot_use_an_invitation(team, lead, outsider, caplog):
    UserFactory(username="friend")
    invitation = team_invite(team=team, by=lead, who="friend")
    with pytest.raises(PermissionDenied, match="someone else"):
        invitation_accept(invitation=invitation, by=outsider)
    assert not team.memberships.filter(user=outsider).exists()
    assert "invitation_respond" in caplog.text


def test_joining_a_full_team_is_refused(team, lead):
    team.challenge.max_team_size = 2
    team.challenge.save()
    first, second = UserFactory(username="first"), UserFactory(username="second")
    invite_first = team_invite(team=team, by=lead, who="first")
    invite_second = team_invite(team=team, by=lead, who="second")
    invitation_accept(invitation=invite_first, by=first)
    with pytest.raises(ValidationError, match="full"):
        invitation_accept(invitation=invite_second, by=second)
    assert team.memberships.count() == 2
    with pytest.raises(ValidationError, match="full"):
        team_invite(team=team, by=lead, who="someone@example.org")


def test_only_members_invite(team, outsider):
    with pytest.raises(PermissionDenied):
        team_invite(team=team, by=outsider, who="lead")


def test_one_team_per_person_per_challenge(team, lead, challenge):
    with pytest.raises(ValidationError, match="already in a team"):
        team_create(challenge=challenge, by=lead, name="Second team")
    other = team_create(challenge=challenge, by=UserFactory(), name="Other")
    invitation = team_invite(team=other, by=other.memberships.get().user, who="lead")
    with pytest.raises(ValidationError, match="already in a team"):
        invitation_accept(invitation=invitation, by=lead)


def test_declined_invitation_cannot_be_accepted_later(team, lead):
    friend = UserFactory(username="friend")
    invitation = team_invite(team=team, by=lead, who="friend")
    invitation_decline(invitation=invitation, by=friend)
    with pytest.raises(ValidationError, match="already been answered"):
        invitation_accept(invitation=invitation, by=friend)


def test_a_team_may_represent_a_company_its_creator_belongs_to(challenge):
    founder = UserFactory()
    startup = OrganizationFactory(kind=Organization.Kind.COMPANY)
    MembershipFactory(user=founder, organization=startup, role=Membership.Role.ADMIN)
    team = team_create(challenge=challenge, by=founder, name="Startup", company=startup)
    assert team.company == startup
    stranger = UserFactory()
    with pytest.raises(ValidationError, match="company you belong to"):
        team_create(challenge=challenge, by=stranger, name="Pretender", company=startup)
    agency = OrganizationFactory(kind=Organization.Kind.AGENCY)
    MembershipFactory(user=stranger, organization=agency)
    with pytest.raises(ValidationError, match="company or startup"):
        team_create(challenge=challenge, by=stranger, name="Agency team", company=agency)


def test_team_page_invite_form(client, team, lead, during_round):
    UserFactory(username="friend")
    client.force_login(lead)
    response = client.post(team.get_absolute_url(), {"who": "nobody-here"})
    assert response.status_code == 200
    assert "No one has the username nobody-here" in response.content.decode()
    response = client.post(team.get_absolute_url(), {"who": "friend"})
    assert response.status_code == 302
    assert team.invitations.filter(user__username="friend").exists()


def test_invitation_page_accepts(client, team, lead, during_round):
    friend = UserFactory(username="friend")
    invitation = team_invite(team=team, by=lead, who="friend")
    client.force_login(friend)
    url = f"/en/challenges/invitations/{invitation.token}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"answer": "accept"})
    assert response.status_code == 302
    assert team.memberships.filter(user=friend).exists()
