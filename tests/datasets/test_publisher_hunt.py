"""Publisher forms found wanting in a bug hunt: what an editor types is kept or refused
with its field named, never half-saved or a server error."""

import pytest
from django.urls import reverse
from django.utils import translation

from datasets.models import Dataset
from datasets.services.catalog import dataset_create

pytestmark = pytest.mark.django_db


def _new_dataset_post(org, **changes):
    post = {
        "organization": org.slug,
        "name": "bus-routes",
        "title_zh_hant": "公車路線",
        "summary_zh_hant": "每條公車路線的站點。",
        "license": "CC-BY-4.0",
        "update_frequency": "MONTHLY",
    }
    post.update(changes)
    return post


def _url(name, *args, language="en"):
    with translation.override(language):
        return reverse(name, args=args)


def test_a_title_too_long_for_the_catalog_is_refused_on_its_field(client, org, editor):
    # PostgreSQL answered a 301-character title with a server error (SQLite kept it).
    client.force_login(editor)
    response = client.post(_url("dataset_create"), _new_dataset_post(org, title_en="Bus " * 76))
    assert response.status_code == 200
    assert not Dataset.objects.exists()
    form = response.context["form"]
    assert "title_en" in form.errors
    assert "300" in form.errors["title_en"][0]


def test_a_title_too_long_is_refused_by_the_service_the_api_uses_too(org, editor):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        dataset_create(
            by=editor,
            organization=org,
            name="bus-routes",
            title_zh_hant="公" * 301,
            summary_zh_hant="每條公車路線的站點。",
            license_id="CC-BY-4.0",
        )
    assert "title_zh_hant" in exc.value.message_dict
    assert not Dataset.objects.exists()


def test_an_edit_with_a_title_too_long_changes_nothing(client, org, editor):
    dataset = dataset_create(
        by=editor,
        organization=org,
        name="bus-routes",
        title_zh_hant="公車路線",
        summary_zh_hant="每條公車路線的站點。",
        license_id="CC-BY-4.0",
    )
    client.force_login(editor)
    post = _new_dataset_post(org, title_zh_hant="路" * 301, summary_zh_hant="新的說明。")
    response = client.post(_url("dataset_edit", dataset.name, language="zh-hant"), post)
    assert response.status_code == 200
    assert "title_zh_hant" in response.context["form"].errors
    dataset.refresh_from_db()
    assert (dataset.title_zh_hant, dataset.summary_zh_hant) == ("公車路線", "每條公車路線的站點。")


@pytest.mark.parametrize("typed", ["公車，捷運", "公車、捷運", "公車, 捷運", "公車，捷運，"])
def test_tags_typed_with_chinese_commas_are_separate_tags(client, org, editor, typed):
    # The help text says "separate tags with commas"; in Chinese that comma is ， or 、.
    client.force_login(editor)
    response = client.post(
        _url("dataset_create", language="zh-hant"), _new_dataset_post(org, tags=typed)
    )
    assert response.status_code == 302
    dataset = Dataset.objects.get(name="bus-routes")
    assert sorted(dataset.tags.values_list("name", flat=True)) == ["公車", "捷運"]


def test_a_refused_dataset_form_lists_each_problem_by_field_above_the_form(client, org, editor):
    client.force_login(editor)
    post = _new_dataset_post(org, title_zh_hant="", contact_email="not-an-address")
    response = client.post(_url("dataset_create", language="zh-hant"), post)

    content = response.content.decode()
    summary = content[
        content.index('id="error-summary"') : content.index(
            "</div>", content.index('id="error-summary"')
        )
    ]
    assert "未儲存任何內容，請修正：" in summary
    assert '<a href="#id_title_zh_hant">標題（繁體中文）：' in summary
    assert '<a href="#id_contact_email">' in summary
    assert 'value="bus-routes"' in content  # what was typed is kept
    assert not Dataset.objects.exists()


def test_a_refused_file_form_lists_the_problem_above_the_form(client, org, editor):
    dataset = dataset_create(
        by=editor,
        organization=org,
        name="bus-routes",
        title_en="Bus routes",
        summary_en="Every route.",
        license_id="CC-BY-4.0",
    )
    client.force_login(editor)
    response = client.post(_url("resource_create", dataset.name), {"name_en": "Stops"})
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="error-summary"' in content
    assert "Upload a file or give a link, not both or neither." in content
    assert content.count("Upload a file or give a link, not both or neither.") == 1


@pytest.fixture
def draft(org, editor):
    return dataset_create(
        by=editor,
        organization=org,
        name="bus-routes",
        title_en="Bus routes",
        summary_en="Every route and its stops.",
        license_id="CC-BY-4.0",
    )


def test_a_member_who_may_read_the_activity_finds_a_link_to_it(client, draft, member):
    client.force_login(member)
    page = client.get(_url("dataset_detail", draft.name)).content.decode()
    activity = _url("dataset_activity", draft.name)
    assert f'href="{activity}"' in page
    assert client.get(activity).status_code == 200


def test_a_citizen_finds_no_activity_link(client, draft, admin, editor, citizen):
    from datasets.services.publishing import dataset_publish, dataset_submit

    dataset_submit(dataset=draft, by=editor)
    dataset_publish(dataset=draft, by=admin)
    client.force_login(citizen)
    page = client.get(_url("dataset_detail", draft.name)).content.decode()
    assert _url("dataset_activity", draft.name) not in page


@pytest.mark.parametrize(
    ("action", "before", "after", "said"),
    [
        ("dataset_submit", "draft", "in_review", "Submitted. An admin will review it."),
        ("dataset_publish", "in_review", "published", "Published."),
        ("dataset_archive", "published", "archived", "Archived."),
    ],
)
def test_a_decision_sent_twice_says_it_is_done_not_that_it_failed(
    client, draft, editor, admin, action, before, after, said, mailoutbox
):
    # A double click or a resent form: the second request finds the work done.
    Dataset.objects.filter(pk=draft.pk).update(status=before)
    client.force_login(admin)
    url = _url(action, draft.name)
    client.post(url)
    client.get(_url("dataset_detail", draft.name))  # the first answer, read
    mails = len(mailoutbox)

    response = client.post(url, follow=True)

    content = response.content.decode()
    assert said in content
    assert "alert-danger" not in content
    assert Dataset.objects.get(pk=draft.pk).status == after
    assert len(mailoutbox) == mails  # nobody is told twice


def test_a_decision_on_a_dataset_in_another_state_is_still_refused(client, draft, admin):
    client.force_login(admin)
    response = client.post(_url("dataset_publish", draft.name), follow=True)
    assert "Only a dataset in review can be published." in response.content.decode()
    assert Dataset.objects.get(pk=draft.pk).status == "draft"


def _in_review(draft):
    Dataset.objects.filter(pk=draft.pk).update(status="in_review")
    return draft


def test_a_send_back_without_a_comment_is_refused_on_the_comment_field(client, draft, admin):
    _in_review(draft)
    client.force_login(admin)

    response = client.post(_url("dataset_send_back", draft.name), {"comment": "   "})

    assert response.status_code == 400
    content = response.content.decode()
    # under the field, and in the summary that takes the focus, leading to the field
    assert 'id="id_comment_error"' in content
    assert 'id="error-summary"' in content
    assert '<a href="#id_comment">What should the editors change?: Say what' in content
    assert Dataset.objects.get(pk=draft.pk).status == "in_review"


def test_a_send_back_refused_keeps_the_page_and_what_was_typed(client, draft, admin):
    # A comment of blanks and a line break is no comment, but it is the reviewer's text.
    _in_review(draft)
    client.force_login(admin)

    response = client.post(_url("dataset_send_back", draft.name), {"comment": " \n "})

    assert response.status_code == 400
    assert response.context["send_back_form"]["comment"].value() == " \n "
    assert response.context["dataset"] == draft  # the dataset's page, not an error page
    assert "Publish" in response.content.decode()


def test_a_send_back_sent_twice_says_it_is_done_not_that_it_failed(
    client, draft, admin, mailoutbox
):
    _in_review(draft)
    client.force_login(admin)
    url = _url("dataset_send_back", draft.name)
    client.post(url, {"comment": "Add the units of each column."})
    client.get(_url("dataset_detail", draft.name))  # the first answer, read
    mails = len(mailoutbox)

    response = client.post(url, {"comment": "Add the units of each column."}, follow=True)

    content = response.content.decode()
    assert "Sent back to the editors with your comment." in content
    assert "alert-danger" not in content
    assert Dataset.objects.get(pk=draft.pk).review_comment == "Add the units of each column."
    assert len(mailoutbox) == mails


def test_a_send_back_by_an_editor_is_forbidden_whatever_the_comment(client, draft, editor):
    _in_review(draft)
    client.force_login(editor)
    response = client.post(_url("dataset_send_back", draft.name), {"comment": ""})
    assert response.status_code == 403
    assert Dataset.objects.get(pk=draft.pk).status == "in_review"
