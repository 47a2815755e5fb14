"""Two admins changing each other at the same moment must not leave the organization
without an admin: each saw the other as the admin who stays."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.models import Membership, User
from portal.services.organizations import membership_remove, membership_set
from tests.factories import MembershipFactory, OrganizationFactory
from tests.race import race, requires_postgresql

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgresql]


@pytest.fixture
def org():
    return OrganizationFactory(slug="taipei-dit")


@pytest.fixture
def alice_and_bob(org):
    alice = MembershipFactory(organization=org, role="admin", user__username="alice").user
    bob = MembershipFactory(organization=org, role="admin", user__username="bob").user
    return alice, bob


def _fresh(user):
    """Each request loads its own user, as a view does."""
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize(
    ("alice_does", "bob_does"),
    [
        ("demote", "demote"),
        ("remove", "remove"),
        ("demote", "remove"),
        ("remove", "demote"),
    ],
)
def test_two_admins_changing_each_other_at_once_leave_one_admin(
    org, alice_and_bob, alice_does, bob_does
):
    alice, bob = alice_and_bob

    def change(by, whom, what):
        if what == "demote":
            return membership_set(by=_fresh(by), organization=org, user=whom, role="editor")
        return membership_remove(by=_fresh(by), organization=org, user=whom)

    outcome, error = race(
        lambda: change(alice, bob, alice_does),
        lambda: change(bob, alice, bob_does),
    )

    assert outcome == "refused"
    # Bob's own admin role went first: he may no longer manage the members.
    assert isinstance(error, PermissionDenied | ValidationError)
    admins = Membership.objects.filter(organization=org, role="admin")
    assert list(admins.values_list("user__username", flat=True)) == ["alice"]


def test_two_admins_stepping_down_at_once_leave_one_admin(org, alice_and_bob):
    alice, bob = alice_and_bob

    outcome, error = race(
        lambda: membership_set(by=_fresh(alice), organization=org, user=alice, role="editor"),
        lambda: membership_set(by=_fresh(bob), organization=org, user=bob, role="editor"),
    )

    assert outcome == "refused"
    assert isinstance(error, ValidationError)  # "An organization needs at least one admin"
    assert list(error.message_dict) == ["role"]
    admins = Membership.objects.filter(organization=org, role="admin")
    assert list(admins.values_list("user__username", flat=True)) == ["bob"]


def test_an_admin_removed_meanwhile_cannot_change_anyone_else(org, alice_and_bob):
    # Bob's page was loaded while he was an admin; Alice removes him as he demotes Carol.
    alice, bob = alice_and_bob
    carol = MembershipFactory(organization=org, role="admin", user__username="carol").user

    outcome, error = race(
        lambda: membership_remove(by=_fresh(alice), organization=org, user=bob),
        lambda: membership_set(by=_fresh(bob), organization=org, user=carol, role="member"),
    )

    assert outcome == "refused"
    assert isinstance(error, PermissionDenied)
    assert Membership.objects.get(organization=org, user=carol).role == "admin"
