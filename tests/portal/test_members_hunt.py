"""Member management found wanting in a bug hunt."""

import pytest
from django.urls import reverse

from portal.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory(slug="taipei-dit")


@pytest.fixture
def two_admins(org):
    first = MembershipFactory(organization=org, role="admin").user
    second = MembershipFactory(organization=org, role="admin").user
    return first, second


def test_an_admin_who_steps_down_lands_on_the_organization_not_a_forbidden_page(
    client, org, two_admins
):
    me, _other = two_admins
    client.force_login(me)
    response = client.post(
        reverse("organization_members", args=[org.slug]),
        {"user": me.username, "role": "editor"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == org.get_absolute_url()
    assert Membership.objects.get(organization=org, user=me).role == "editor"
    assert "成員已儲存。" in response.content.decode()


def test_an_admin_who_leaves_lands_on_the_organization_not_a_forbidden_page(
    client, org, two_admins
):
    me, _other = two_admins
    client.force_login(me)
    response = client.post(
        reverse("organization_member_remove", args=[org.slug, me.pk]), follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == org.get_absolute_url()
    assert not Membership.objects.filter(organization=org, user=me).exists()
    assert "成員已移除。" in response.content.decode()


def test_an_admin_changing_someone_else_stays_on_the_member_page(client, org, two_admins):
    me, other = two_admins
    client.force_login(me)
    response = client.post(
        reverse("organization_members", args=[org.slug]), {"user": other.username, "role": "editor"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("organization_members", args=[org.slug])
