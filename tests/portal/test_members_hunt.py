"""Member management found wanting in a bug hunt."""

import pytest
from django.urls import reverse
from django.utils import translation

from portal.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

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


def _en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def editor_wang(org):
    return MembershipFactory(
        organization=org, role="editor", user__username="wang", user__display_name="Wang Hsiao-ming"
    ).user


def test_remove_on_the_member_page_asks_first_and_removes_nobody(
    client, org, two_admins, editor_wang
):
    me, _other = two_admins
    client.force_login(me)
    members = client.get(_en("organization_members", org.slug)).content.decode()
    remove_url = _en("organization_member_remove", org.slug, editor_wang.pk)
    assert f'href="{remove_url}"' in members  # a link to the question, not a button acting

    response = client.get(remove_url)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Remove Wang Hsiao-ming from Agency" in content
    assert "loses the role Editor" in content
    assert '<form method="post">' in content
    assert Membership.objects.filter(organization=org, user=editor_wang).exists()


def test_confirming_the_removal_removes_the_member(client, org, two_admins, editor_wang):
    me, _other = two_admins
    client.force_login(me)
    response = client.post(_en("organization_member_remove", org.slug, editor_wang.pk), follow=True)
    assert "Member removed." in response.content.decode()
    assert not Membership.objects.filter(organization=org, user=editor_wang).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_removing_someone_who_is_not_a_member_says_so(client, org, two_admins, method):
    # A second click on the confirmation, or another admin removed them meanwhile.
    me, _other = two_admins
    stranger = UserFactory(username="stranger", display_name="Lin Mei")
    client.force_login(me)
    url = _en("organization_member_remove", org.slug, stranger.pk)

    response = getattr(client, method)(url, follow=True)

    content = response.content.decode()
    assert "Lin Mei is not a member of this organization." in content
    assert "Member removed." not in content
    assert response.redirect_chain[-1][0] == _en("organization_members", org.slug)


def test_only_an_admin_sees_the_question(client, org, editor_wang, two_admins):
    _me, other = two_admins
    client.force_login(editor_wang)
    response = client.get(_en("organization_member_remove", org.slug, other.pk))
    assert response.status_code == 403
