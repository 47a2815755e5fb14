"""Two decisions on one dataset at once (two admins, a double click on a slow page): the
second must find the state the first left, not the one its page was loaded with, and
nobody must be told twice."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from datasets.models import Dataset
from datasets.services import publishing
from tests.factories import DatasetFactory, MembershipFactory
from tests.race import race, requires_postgresql

# (service, status before, status after, who is e-mailed)
DECISIONS = {
    "submit": (publishing.dataset_submit, "draft", "in_review", "admins"),
    "publish": (publishing.dataset_publish, "in_review", "published", "author"),
    "send back": (publishing.dataset_send_back, "in_review", "draft", "author"),
    "archive": (publishing.dataset_archive, "published", "archived", None),
}


@pytest.fixture
def second_admin(org, admin):
    return MembershipFactory(organization=org, role="admin", user__username="admin2").user


def _dataset(org, editor, status):
    return DatasetFactory(organization=org, created_by=editor, status=status, name="bus-routes")


def _decide(name, dataset, by):
    service = DECISIONS[name][0]
    extra = {"comment": "請補上欄位說明"} if name == "send back" else {}
    return service(dataset=dataset, by=by, **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("name", DECISIONS)
def test_a_decision_on_a_page_loaded_before_another_was_taken_is_refused(
    name, org, editor, admin, second_admin, django_capture_on_commit_callbacks
):
    _service, before, after, _told = DECISIONS[name]
    dataset = _dataset(org, editor, before)
    # given: both admins (or the editor and an admin) loaded the page while it was `before`
    first_by, second_by = (editor, editor) if name == "submit" else (admin, second_admin)
    seen_by_first = Dataset.objects.get(pk=dataset.pk)
    seen_by_second = Dataset.objects.get(pk=dataset.pk)
    with django_capture_on_commit_callbacks(execute=True):
        _decide(name, seen_by_first, first_by)
    sent = len(mail.outbox)

    # when the second decision arrives, after the first was taken
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        _decide(name, seen_by_second, second_by)

    # then
    assert Dataset.objects.get(pk=dataset.pk).status == after
    assert seen_by_second.status == after  # what the page then says is the real state
    assert len(mail.outbox) == sent


@requires_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["publish", "submit"])
def test_two_decisions_at_the_same_moment_go_through_once_and_mail_once(
    name, org, editor, admin, second_admin
):
    _service, before, after, _told = DECISIONS[name]
    dataset = _dataset(org, editor, before)
    first_by, second_by = (editor, editor) if name == "submit" else (admin, second_admin)

    outcome, error = race(
        lambda: _decide(name, Dataset.objects.get(pk=dataset.pk), first_by),
        lambda: _decide(name, Dataset.objects.get(pk=dataset.pk), second_by),
    )

    assert outcome == "refused"
    assert isinstance(error, ValidationError)
    assert Dataset.objects.get(pk=dataset.pk).status == after
    assert len(mail.outbox) == (2 if name == "submit" else 1)  # two admins, or the author
