import pytest
from django.core.management import call_command

from portal.models import Membership, Organization, User

pytestmark = pytest.mark.django_db


def test_demo_command_is_idempotent_and_creates_the_documented_accounts(client):
    call_command("demo")
    counts = (User.objects.count(), Organization.objects.count(), Membership.objects.count())
    call_command("demo")
    assert (
        User.objects.count(),
        Organization.objects.count(),
        Membership.objects.count(),
    ) == counts

    for username in ["demo-admin", "demo-editor", "demo-member", "demo-judge", "demo-participant"]:
        assert client.login(username=username, password="demo12345"), username
    assert User.objects.get(username="demo-staff").is_superuser
    assert Membership.objects.get(user__username="demo-admin").role == "admin"
    assert Membership.objects.get(user__username="demo-editor").role == "editor"
    assert Organization.objects.cities().count() >= 2
    dit = Organization.objects.get(slug="taipei-dit")
    assert dit.city.slug == "taipei"


def test_demo_datasets_cover_their_publishers_city():
    call_command("demo")

    from django.db.models import Q

    from datasets.models import Dataset

    covered = {
        city: set(
            Dataset.objects.filter(
                Q(organization__slug=city) | Q(organization__parent__slug=city)
            ).values_list("spatial", flat=True)
        )
        for city in ("taipei", "kaohsiung", "gent")
    }
    assert covered == {"taipei": {"臺北市"}, "kaohsiung": {"高雄市"}, "gent": {"Gent"}}
