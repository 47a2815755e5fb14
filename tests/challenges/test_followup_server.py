"""Follow-up of the challenges bug hunt, server side: who may post a challenge, strict API
payloads, publishing with entries short of judges, accurate conflict messages, demo data
in each language. Each test names what a user would have seen before the fix."""

import pytest
from django.core.exceptions import PermissionDenied
from knox.models import AuthToken

from challenges import permissions
from challenges.models import Challenge
from challenges.services.challenges import challenge_create
from portal.models import Membership, Organization
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


def _client_for(api_client, user):
    api_client.credentials()
    if user is not None:
        _token, key = AuthToken.objects.create(user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client


# --- 1. only cities and agencies post challenges ------------------------------------------

POSTING = {
    "slug": "cool-stops",
    "title_zh_hant": "更涼爽的公車站",
    "title_en": "Cool stops",
    "problem_zh_hant": "公車站太熱。",
    "problem_en": "Bus stops are too hot.",
}


@pytest.mark.parametrize(
    "kind",
    [Organization.Kind.COMPANY, Organization.Kind.UNIVERSITY, Organization.Kind.CIVIC],
)
def test_an_admin_of_a_company_cannot_post_a_challenge_for_it(db, kind):
    # given: the admin of a startup (or a university, a civic group)
    startup = OrganizationFactory(slug="urban-pulse", kind=kind)
    admin = MembershipFactory(organization=startup, role=Membership.Role.ADMIN).user
    # then
    assert not permissions.can_create_challenge_for(admin, startup)
    with pytest.raises(PermissionDenied) as refused:
        challenge_create(organization=startup, by=admin, **POSTING)
    assert "Only editors and admins of a city or agency can post challenges." in str(refused.value)
    assert not Challenge.objects.exists()


def test_a_site_superuser_cannot_post_a_challenge_for_a_company_either(db):
    startup = OrganizationFactory(kind=Organization.Kind.COMPANY)
    staff = UserFactory(is_superuser=True, is_staff=True)
    assert not permissions.can_create_challenge_for(staff, startup)


@pytest.mark.parametrize("kind", [Organization.Kind.CITY, Organization.Kind.AGENCY])
def test_an_editor_of_a_city_or_agency_posts_a_challenge(db, kind):
    organization = OrganizationFactory(kind=kind)
    editor = MembershipFactory(organization=organization, role=Membership.Role.EDITOR).user
    assert permissions.can_create_challenge_for(editor, organization)
    challenge = challenge_create(organization=organization, by=editor, **POSTING)
    assert challenge.organization == organization


def test_the_api_has_no_way_to_post_a_challenge(api_client, db):
    # The REST API reads challenges only: creating one is the organizers' page (and the
    # service both share), so a company admin's POST creates nothing.
    startup = OrganizationFactory(kind=Organization.Kind.COMPANY)
    admin = MembershipFactory(organization=startup, role=Membership.Role.ADMIN).user
    response = _client_for(api_client, admin).post(
        "/api/v1/challenges/",
        {"slug": "ads", "title": "Buy our app", "organization": startup.slug},
        format="json",
    )
    assert response.status_code == 405
    assert not Challenge.objects.exists()
