"""Challenge pages as their users meet them: links only for those who can follow them,
forms that keep input and name the field in error, readable ids and dates."""

import re
from itertools import pairwise

import pytest

from challenges.judging.models import Rubric
from challenges.models import Announcement, Question
from portal.models import Membership, Organization
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    assert response.status_code in (200, 400), response.status_code
    return response.content.decode()


# Links shown only to people who can use them ----------------------------------------------


def test_workspace_and_new_challenge_links_are_not_offered_to_citizens(client, outsider):
    # given a signed-in citizen who organizes nothing
    client.force_login(outsider)
    # then the challenge list does not send them to the organizer workspace
    assert "/en/challenges/workspace/" not in _html(client.get("/en/challenges/"))
    # and the workspace does not offer a "New challenge" button that answers 403
    assert "/en/challenges/new/" not in _html(client.get("/en/challenges/workspace/"))


def test_a_startup_admin_is_not_offered_to_post_a_challenge(client, outsider):
    startup = OrganizationFactory(kind=Organization.Kind.COMPANY)
    MembershipFactory(user=outsider, organization=startup, role=Membership.Role.ADMIN)
    client.force_login(outsider)
    assert "/en/challenges/workspace/" not in _html(client.get("/en/challenges/"))
    assert "/en/challenges/new/" not in _html(client.get("/en/challenges/workspace/"))
    assert client.get("/en/challenges/new/").status_code == 403


def test_officials_keep_their_workspace_and_new_challenge_links(client, organizer):
    client.force_login(organizer)
    assert "/en/challenges/workspace/" in _html(client.get("/en/challenges/"))
    assert "/en/challenges/new/" in _html(client.get("/en/challenges/workspace/"))


def test_team_is_not_offered_a_new_entry_it_could_not_save(
    client, challenge, team, lead, during_round
):
    client.force_login(lead)
    url = f"/en/challenges/{challenge.slug}/teams/{team.slug}/"
    new_entry = f"/en/challenges/{challenge.slug}/entries/new/"
    assert new_entry in _html(client.get(url))
    # when the team has used its one entry for the round
    SubmissionFactory(team=team, round=challenge.rounds.get())
    # then the page no longer offers a second one
    assert new_entry not in _html(client.get(url))


def test_finished_challenge_offers_no_new_entry_or_invitation(client, challenge, team, lead):
    challenge.status = "results"
    challenge.save(update_fields=["status"])
    client.force_login(lead)
    html = _html(client.get(f"/en/challenges/{challenge.slug}/teams/{team.slug}/"))
    assert "/entries/new/" not in html
    assert 'name="who"' not in html
    assert "This challenge no longer accepts new team members." in html


def test_judging_page_links_to_results_only_once_there_is_a_rubric(client, challenge, organizer):
    client.force_login(organizer)
    page = f"/en/challenges/{challenge.slug}/rounds/1/judging/"
    results = f"/en/challenges/{challenge.slug}/rounds/1/results/"
    # the results page is a 404 without a rubric, so the link must not be there
    assert client.get(results).status_code == 404
    assert results not in _html(client.get(page))
    Rubric.objects.create(round=challenge.rounds.get())
    assert results in _html(client.get(page))
    assert client.get(results).status_code == 200


# Workspace forms keep their input and name the field ---------------------------------------


def test_round_with_bad_dates_keeps_input_and_names_the_field(client, challenge, organizer):
    client.force_login(organizer)
    response = client.post(
        f"/en/challenges/{challenge.slug}/rounds/",
        {
            "title_en": "Prototypes",
            "opens_at": "2030-02-01T09:00",
            "closes_at": "2030-01-01T09:00",
        },
    )
    html = _html(response)
    assert response.status_code == 400
    assert 'value="Prototypes"' in html
    # the error sits with the "Closes" field, tied to it for screen readers
    assert re.search(
        r'id="round-closes_at_error"[^>]*>A round must close after it opens\.', html
    ), html
    assert challenge.rounds.count() == 1


def test_round_without_title_says_so_under_the_title(client, challenge, organizer):
    client.force_login(organizer)
    response = client.post(
        f"/en/challenges/{challenge.slug}/rounds/",
        {"opens_at": "2030-04-01T09:00", "closes_at": "2030-05-01T09:00"},
    )
    html = _html(response)
    assert 'value="2030-04-01 09:00:00"' in html or 'value="2030-04-01T09:00"' in html
    assert re.search(r'id="round-title_en_error"[^>]*>Give the round a title\.', html), html


def test_empty_announcement_is_refused_with_a_message(client, challenge, organizer):
    client.force_login(organizer)
    response = client.post(
        f"/en/challenges/{challenge.slug}/announcements/", {"body_en": "Kick-off on Monday."}
    )
    html = _html(response)
    assert response.status_code == 400
    assert "Give the announcement a title." in html
    assert "Kick-off on Monday." in html
    assert not Announcement.objects.exists()


def test_workspace_form_ids_are_unique_so_labels_point_at_their_input(client, challenge, organizer):
    client.force_login(organizer)
    html = _html(client.get(f"/en/challenges/{challenge.slug}/workspace/"))
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', html):
        assert f'id="{target}"' in html, target


# Q&A: organizers pick questions by their text, and hear back --------------------------------


def test_organizer_merges_a_duplicate_by_choosing_its_text_not_typing_an_id(
    client, challenge, organizer, outsider
):
    first = Question.objects.create(challenge=challenge, asked_by=outsider, text="Is there an API?")
    second = Question.objects.create(challenge=challenge, asked_by=outsider, text="API or not?")
    client.force_login(organizer)
    html = _html(client.get(f"/en/challenges/{challenge.slug}/"))
    # no raw database number to copy by hand
    assert 'type="number"' not in html
    assert f"#{first.pk}<" not in html
    select = re.search(rf'<select[^>]*id="merge-{second.pk}".*?</select>', html, re.S).group(0)
    assert f'<option value="{first.pk}">Is there an API?</option>' in select
    assert "API or not?" not in select  # not itself
    response = client.post(
        f"/en/challenges/{challenge.slug}/questions/{second.pk}/merge/", {"into": first.pk}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.duplicate_of == first


def test_empty_answer_is_refused_with_a_message(client, challenge, organizer, outsider):
    question = Question.objects.create(challenge=challenge, asked_by=outsider, text="When?")
    client.force_login(organizer)
    response = client.post(
        f"/en/challenges/{challenge.slug}/questions/{question.pk}/answer/",
        {"text": ""},
        follow=True,
    )
    assert "Write the answer." in _html(response)
    response = client.post(
        f"/en/challenges/{challenge.slug}/questions/{question.pk}/answer/",
        {"text": "In March."},
        follow=True,
    )
    assert "Answer posted." in _html(response)


# Reading the list and the timeline ---------------------------------------------------------


def _heading_levels(html: str) -> list[int]:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", main)]


def test_challenge_list_headings_do_not_skip_a_level(client, challenge):
    levels = _heading_levels(_html(client.get("/en/challenges/")))
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in pairwise(levels)), levels


def test_prize_line_reads_cleanly(client, challenge):
    challenge.prize_money = 300000
    challenge.prize_currency = "TWD"
    challenge.offers_pilot = True
    challenge.offers_mentoring = False
    challenge.save()
    html = _html(client.get("/en/challenges/"))
    line = re.search(r"Prize money:.*?</p>", html, re.S).group(0)
    text = " ".join(re.sub(r"<[^>]+>", " ", line).split())
    # grouped digits, and no separator dangling after the last item
    assert text == "Prize money: 300,000 TWD · Pilot opportunity", text
    assert "300,000 TWD" in _html(client.get(f"/en/challenges/{challenge.slug}/"))


def test_timeline_names_the_time_zone_unambiguously(client, challenge):
    # "CST" reads as US Central time to many readers; the zone's name cannot be misread
    html = _html(client.get(f"/en/challenges/{challenge.slug}/"))
    assert "2026-03-31 23:59:59 (Asia/Taipei)" in html
    assert " CST<" not in html
