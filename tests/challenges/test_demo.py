import pytest
from django.core.management import call_command

from challenges.models import Challenge, Submission, Team

pytestmark = pytest.mark.django_db


def test_demo_adds_challenges_in_several_cities_and_stages(client):
    call_command("demo")
    counts = (Challenge.objects.count(), Team.objects.count(), Submission.objects.count())
    call_command("demo")
    assert (Challenge.objects.count(), Team.objects.count(), Submission.objects.count()) == counts
    statuses = set(Challenge.objects.values_list("status", flat=True))
    assert {"open", "judging", "results"} <= statuses
    cities = {c.organization.city.slug for c in Challenge.objects.select_related("organization")}
    assert len(cities) >= 3

    listing = client.get("/en/challenges/").content.decode()
    assert "More accurate bus arrival times" in listing
    assert "Neighbourhood flood sensing" not in listing  # the draft
    detail = client.get("/en/challenges/bus-arrival-accuracy/").content.decode()
    assert "real time or only as daily files" in detail
    assert "Closes in" in detail
    assert "Safe Steps" in client.get("/en/challenges/school-streets/showcase/").content.decode()
    assert "Open challenges" in client.get("/en/").content.decode()

    assert client.login(username="demo-editor", password="demo12345")
    assert client.get("/en/challenges/bus-arrival-accuracy/workspace/").status_code == 200
    assert client.get("/en/challenges/flood-sensors/").status_code == 200
    assert client.login(username="demo-participant", password="demo12345")
    team_page = client.get("/en/challenges/bus-arrival-accuracy/teams/urban-pulse/")
    assert "Arrival predictor from GPS traces" in team_page.content.decode()
