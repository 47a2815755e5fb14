"""Organizer pages: posting a bilingual challenge, adding rounds, deciding on entries."""

import logging

from challenges.models import Challenge
from tests.factories import ChallengeFactory, DatasetFactory, RoundFactory


def test_official_posts_a_bilingual_challenge_linked_to_datasets(client, organizer, agency):
    dataset = DatasetFactory()
    client.force_login(organizer)
    assert client.get("/en/challenges/new/").status_code == 200
    response = client.post(
        "/en/challenges/new/",
        {
            "organization": agency.pk,
            "slug": "quiet-nights",
            "title_zh_hant": "安靜的夜晚",
            "title_en": "Quiet nights",
            "problem_zh_hant": "夜間噪音擾民。",
            "problem_en": "Night noise keeps residents awake.",
            "prize_currency": "TWD",
            "min_team_size": 1,
            "max_team_size": 4,
            "max_entries_per_round": 1,
            "datasets": [dataset.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    challenge = Challenge.objects.get(slug="quiet-nights")
    assert (challenge.title_zh_hant, challenge.title_en) == ("安靜的夜晚", "Quiet nights")
    assert list(challenge.datasets.all()) == [dataset]
    assert challenge.status == Challenge.Status.DRAFT
    response = client.post(
        "/en/challenges/quiet-nights/rounds/",
        {"title_en": "Ideas", "opens_at": "2030-01-01T09:00", "closes_at": "2030-02-01T23:59"},
    )
    assert response.status_code == 302
    assert challenge.rounds.get().title_en == "Ideas"


def test_missing_title_is_named_in_the_users_language(client, organizer, agency):
    client.force_login(organizer)
    response = client.post("/challenges/new/", {"organization": agency.pk, "slug": "x1"})
    assert response.status_code == 200
    assert "請至少以一種語言填寫挑戰標題。" in response.content.decode()
    assert not Challenge.objects.exists()


def test_people_outside_cities_and_agencies_cannot_post(client, outsider):
    client.force_login(outsider)
    assert client.get("/en/challenges/new/").status_code == 403


def test_organizer_of_another_organization_cannot_edit_by_page(
    client, challenge, other_organizer, caplog, during_round
):
    client.force_login(other_organizer)
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        response = client.post(
            f"/en/challenges/{challenge.slug}/edit/", {"title_en": "Hijacked", "slug": "x"}
        )
    assert response.status_code == 403
    challenge.refresh_from_db()
    assert challenge.title_en != "Hijacked"
    assert "workspace" in caplog.text


def test_challenge_list_filters(client, agency, city, during_round):
    pilot = ChallengeFactory(organization=agency, title_en="Has pilot", offers_pilot=True)
    RoundFactory(challenge=pilot)
    plain = ChallengeFactory(organization=agency, title_en="Plain one")
    RoundFactory(challenge=plain)
    html = client.get("/en/challenges/?prize=pilot").content.decode()
    assert "Has pilot" in html
    assert "Plain one" not in html


def test_challenge_list_query_count(client, agency, django_assert_max_num_queries):
    for _ in range(10):
        RoundFactory(challenge=ChallengeFactory(organization=agency))
    with django_assert_max_num_queries(15):
        response = client.get("/en/challenges/")
    assert response.status_code == 200


def test_challenge_list_is_paginated_and_keeps_filters(client, agency):
    for n in range(30):
        ChallengeFactory(organization=agency, title_en=f"Numbered {n:02d}", offers_pilot=True)
    first = client.get("/en/challenges/?prize=pilot").content.decode()
    assert first.count("Numbered ") == 24
    assert "Page 1 of 2" in first
    assert "?prize=pilot&amp;page=2" in first
    second = client.get("/en/challenges/?prize=pilot&page=2").content.decode()
    assert second.count("Numbered ") == 6
