import pytest
from django.urls import reverse

from portal import permissions
from portal.models import Membership, Organization
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory(slug="taipei-dit")


@pytest.fixture
def people(org):
    other_org = OrganizationFactory(slug="elsewhere")
    return {
        "anonymous": None,
        "member": MembershipFactory(organization=org, role="member").user,
        "editor": MembershipFactory(organization=org, role="editor").user,
        "admin": MembershipFactory(organization=org, role="admin").user,
        "other_org_admin": MembershipFactory(organization=other_org, role="admin").user,
    }


@pytest.mark.parametrize(
    ("who", "expected_status"),
    [
        ("anonymous", 302),
        ("member", 403),
        ("editor", 403),
        ("other_org_admin", 403),
        ("admin", 200),
    ],
)
def test_only_an_admin_reaches_the_member_page(client, org, people, who, expected_status):
    if people[who]:
        client.force_login(people[who])
    response = client.get(reverse("organization_members", args=[org.slug]))
    assert response.status_code == expected_status


@pytest.mark.parametrize("who", ["member", "editor", "other_org_admin"])
def test_non_admin_cannot_add_members_and_nothing_changes(client, org, people, who):
    newcomer = UserFactory(username="newcomer")
    client.force_login(people[who])
    response = client.post(
        reverse("organization_members", args=[org.slug]), {"user": "newcomer", "role": "admin"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=newcomer).exists()


def test_admin_adds_and_promotes_a_member(client, org, people):
    UserFactory(username="newcomer")
    client.force_login(people["admin"])
    url = reverse("organization_members", args=[org.slug])
    client.post(url, {"user": "newcomer", "role": "member"})
    client.post(url, {"user": "newcomer@example.org", "role": "editor"})
    assert Membership.objects.get(user__username="newcomer", organization=org).role == "editor"


def test_last_admin_cannot_be_demoted(client, org, people):
    admin = people["admin"]
    client.force_login(admin)
    response = client.post(
        f"/en/organizations/{org.slug}/members/", {"user": admin.username, "role": "member"}
    )
    assert response.status_code == 200
    assert "at least one admin" in response.content.decode()
    assert Membership.objects.get(user=admin, organization=org).role == "admin"


def test_permission_ladder(org, people):
    assert not permissions.can_edit_for(people["member"], org)
    assert permissions.can_edit_for(people["editor"], org)
    assert not permissions.can_admin(people["editor"], org)
    assert permissions.can_admin(people["admin"], org)
    assert not permissions.is_member(people["other_org_admin"], org)
    assert not permissions.is_member(None, org)


def test_duplicate_slug_is_refused_with_the_field_named(client):
    OrganizationFactory(slug="urban-pulse")
    client.force_login(UserFactory())
    response = client.post(
        "/en/organizations/new/",
        {"slug": "urban-pulse", "name_en": "Another", "kind": "company"},
    )
    assert response.status_code == 200
    assert "already taken" in response.content.decode()
    assert Organization.objects.filter(slug="urban-pulse").count() == 1


def test_startup_registers_itself_and_becomes_admin(client):
    founder = UserFactory()
    client.force_login(founder)
    response = client.post(
        "/en/organizations/new/",
        {
            "slug": "bike-lab",
            "name_en": "Bike Lab",
            "name_zh_hant": "單車實驗室",
            "kind": "company",
        },
    )
    assert response.status_code == 302
    org = Organization.objects.get(slug="bike-lab")
    assert permissions.can_admin(founder, org)


def test_ordinary_user_cannot_register_an_agency(client):
    client.force_login(UserFactory())
    response = client.post(
        "/en/organizations/new/", {"slug": "fake-agency", "name_en": "Fake", "kind": "agency"}
    )
    assert response.status_code == 200  # the form refuses the choice
    assert not Organization.objects.filter(slug="fake-agency").exists()


def test_organization_pages_are_bilingual(client):
    OrganizationFactory(slug="dot", name_zh_hant="交通局", name_en="Department of Transportation")
    assert "交通局" in client.get("/organizations/dot/").content.decode()
    assert "Department of Transportation" in client.get("/en/organizations/dot/").content.decode()


def test_english_name_falls_back_to_chinese(client):
    OrganizationFactory(slug="only-zh", name_zh_hant="只有中文", name_en="")
    assert "只有中文" in client.get("/en/organizations/only-zh/").content.decode()
