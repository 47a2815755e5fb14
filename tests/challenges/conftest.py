from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from portal.models import Membership, Organization
from tests.factories import (
    ChallengeFactory,
    MembershipFactory,
    OrganizationFactory,
    RoundFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

TAIPEI = ZoneInfo("Asia/Taipei")
OPENS = datetime(2026, 3, 1, 9, 0, tzinfo=TAIPEI)
CLOSES = datetime(2026, 3, 31, 23, 59, 59, tzinfo=TAIPEI)


@pytest.fixture
def city(db):
    return OrganizationFactory(slug="taipei", kind=Organization.Kind.CITY)


@pytest.fixture
def agency(city):
    return OrganizationFactory(slug="taipei-dot", parent=city)


@pytest.fixture
def org_admin(agency):
    return MembershipFactory(organization=agency, role=Membership.Role.ADMIN).user


@pytest.fixture
def organizer(agency):
    return MembershipFactory(organization=agency, role=Membership.Role.EDITOR).user


@pytest.fixture
def org_member(agency):
    return MembershipFactory(organization=agency, role=Membership.Role.MEMBER).user


@pytest.fixture
def other_organizer(db):
    return MembershipFactory(role=Membership.Role.ADMIN).user


@pytest.fixture
def challenge(agency):
    """Published, one round open from OPENS to CLOSES (Taipei time)."""
    challenge = ChallengeFactory(organization=agency, slug="late-buses")
    RoundFactory(challenge=challenge, number=1, opens_at=OPENS, closes_at=CLOSES)
    return challenge


@pytest.fixture
def lead(db):
    return UserFactory(username="lead")


@pytest.fixture
def team(challenge, lead):
    team = TeamFactory(challenge=challenge, name="Bus Finders", slug="bus-finders")
    TeamMembershipFactory(team=team, user=lead, role="lead")
    return team


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def during_round(time_machine):
    """Freeze the clock a day into the challenge's open round (for page and API tests)."""
    from datetime import timedelta

    time_machine.move_to(OPENS + timedelta(days=1), tick=False)


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are asserted in English; a page request in an earlier test may have
    left another language active in this thread."""
    from django.utils import translation

    with translation.override("en"):
        yield
