import pytest

from portal.models import Membership
from tests.factories import OrganizationFactory, UserFactory, editor_of


@pytest.fixture
def org():
    return OrganizationFactory(slug="taipei-dot", name_en="Transport", name_zh_hant="交通局")


@pytest.fixture
def other_org():
    return OrganizationFactory(slug="kaohsiung-dot")


@pytest.fixture
def member(org):
    return editor_of(org, "member", Membership.Role.MEMBER)


@pytest.fixture
def editor(org):
    return editor_of(org, "editor", Membership.Role.EDITOR)


@pytest.fixture
def admin(org):
    return editor_of(org, "orgadmin", Membership.Role.ADMIN)


@pytest.fixture
def outsider(other_org):
    return editor_of(other_org, "outsider", Membership.Role.ADMIN)


@pytest.fixture
def citizen():
    return UserFactory(username="citizen")
