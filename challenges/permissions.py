"""Who may see and change challenges, teams, submissions and their files.

Pages, API and services call these same rules. Organizers are the editors and admins
of the challenge's organization; publishing and stage changes are an admin's decision.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from portal import permissions

if TYPE_CHECKING:
    from challenges.models import Attachment, Challenge, Question, Submission, Team
    from portal.models import Organization, User

security_log = logging.getLogger("portal.security")


def log_refusal(user: User | None, action: str, target: object) -> None:
    """Record a refused attempt that matters for security (someone probing ids or rights)."""
    who = getattr(user, "username", None) or "anonymous"
    security_log.warning("refused %s: user=%s target=%r", action, who, target)


def is_organizer(user: User | None, challenge: Challenge) -> bool:
    return permissions.can_edit_for(user, challenge.organization_id)


def can_publish_challenge(user: User | None, challenge: Challenge) -> bool:
    return permissions.can_admin(user, challenge.organization_id)


def posts_challenges(organization: Organization) -> bool:
    """Challenges are a city's or an agency's problems, never a company's or a group's
    (the same rule as the pages' choice of organizers: `Organization.objects.publishers`)."""
    from portal.models import Organization

    return Organization.objects.publishers().filter(pk=organization.pk).exists()


def can_create_challenge_for(user: User | None, organization: Organization) -> bool:
    return posts_challenges(organization) and permissions.can_edit_for(user, organization)


def is_team_member(user: User | None, team: Team) -> bool:
    if user is None or not user.is_authenticated:
        return False
    cached = getattr(team, "_member_ids", None)
    if cached is None:
        cached = set(team.memberships.values_list("user_id", flat=True))
        team._member_ids = cached
    return user.pk in cached


def is_team_lead(user: User | None, team: Team) -> bool:
    from challenges.models import TeamMembership

    if user is None or not user.is_authenticated:
        return False
    return team.memberships.filter(user=user, role=TeamMembership.Role.LEAD).exists()


def can_view_challenge(user: User | None, challenge: Challenge) -> bool:
    """Drafts: the organization only. Invite-only: invited people and participants."""
    from challenges.models import Challenge

    if permissions.is_member(user, challenge.organization_id):
        return True
    if challenge.status == Challenge.Status.DRAFT:
        return False
    if not challenge.private:
        return True
    if user is None or not user.is_authenticated:
        return False
    return (
        challenge.invited_users.filter(pk=user.pk).exists()
        or challenge.teams.filter(memberships__user=user).exists()
    )


def can_view_submission(user: User | None, submission: Submission) -> bool:
    """The team always; organizers once submitted; everyone else only showcased entries."""
    from challenges.models import Submission

    if is_team_member(user, submission.team):
        return True
    challenge = submission.round.challenge
    if submission.status == Submission.Status.DRAFT:
        return False
    if is_organizer(user, challenge):
        return True
    return (
        submission.showcased
        and submission.status == Submission.Status.SUBMITTED
        and can_view_challenge(user, challenge)
    )


def can_edit_submission(user: User | None, submission: Submission) -> bool:
    return is_team_member(user, submission.team)


def can_view_attachment(user: User | None, attachment: Attachment) -> bool:
    """Challenge files follow the challenge; a submission's files stay with the team and
    the organizers, even when the entry is showcased."""
    from challenges.models import Submission

    if attachment.challenge_id:
        return can_view_challenge(user, attachment.challenge)
    submission = attachment.submission
    if is_team_member(user, submission.team):
        return True
    return submission.status != Submission.Status.DRAFT and is_organizer(
        user, submission.round.challenge
    )


def can_view_question(user: User | None, question: Question) -> bool:
    """Answered and merged questions are public; open ones only to the asker and organizers."""
    from challenges.models import Question

    if question.status != Question.Status.OPEN:
        return True
    if user is not None and user.is_authenticated and question.asked_by_id == user.pk:
        return True
    return is_organizer(user, question.challenge)
