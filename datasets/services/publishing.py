"""The publishing workflow: draft -> in review -> published -> archived.

Editors submit drafts; an organization admin publishes them or sends them back with a
comment. Each decision is e-mailed to the people who have to act on it next.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from datasets import permissions
from datasets.models import Dataset
from datasets.services.catalog import catalog_changed
from portal.mail import send_each
from portal.models import Membership, User


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _notify(recipients, render) -> None:
    """E-mail `recipients` once the transaction commits, each in their own language:
    `render()` gives (subject, body) in the language active when it is called."""
    recipients = list(recipients)
    if recipients:
        transaction.on_commit(lambda: send_each(recipients, render))


def _org_admins(dataset: Dataset):
    return User.objects.filter(
        memberships__organization_id=dataset.organization_id,
        memberships__role=Membership.Role.ADMIN,
    )


def _lock(dataset: Dataset) -> None:
    """Read the dataset again, holding its row until the transaction ends: two decisions
    sent at once (two admins, a double click) each checked the status the page was loaded
    with, and both went through and both e-mailed. Now the second waits for the first and
    finds the status it left. The caller's instance is refreshed in place, as views and
    the API answer from it."""
    dataset.refresh_from_db(from_queryset=Dataset.objects.select_for_update(of=("self",)))


def _set_status(dataset: Dataset, by: User, status: str, **fields) -> Dataset:
    dataset.status = status
    for field, value in fields.items():
        setattr(dataset, field, value)
    dataset._history_user = by
    dataset.save(update_fields=["status", "metadata_modified", *fields])
    catalog_changed()
    return dataset


@transaction.atomic
def dataset_submit(*, dataset: Dataset, by: User) -> Dataset:
    _lock(dataset)
    if not permissions.can_edit_dataset(by, dataset):
        raise PermissionDenied(_("Only editors and admins of this organization can submit it."))
    if dataset.status != Dataset.Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted for review."))
    _set_status(dataset, by, Dataset.Status.IN_REVIEW)
    _notify(
        _org_admins(dataset).exclude(pk=by.pk),
        lambda: (
            _("Dataset waiting for review: %(title)s") % {"title": dataset.title},
            _("%(user)s submitted “%(title)s” for review.\n\nReview it: %(url)s")
            % {"user": by, "title": dataset.title, "url": _absolute(dataset.get_absolute_url())},
        ),
    )
    return dataset


@transaction.atomic
def dataset_publish(*, dataset: Dataset, by: User) -> Dataset:
    _lock(dataset)
    if not permissions.can_publish_dataset(by, dataset):
        raise PermissionDenied(_("Only an admin of this organization can publish it."))
    if dataset.status != Dataset.Status.IN_REVIEW:
        raise ValidationError(_("Only a dataset in review can be published."))
    now = timezone.now()
    _set_status(
        dataset,
        by,
        Dataset.Status.PUBLISHED,
        published_at=dataset.published_at or now,
        review_comment="",
    )
    _notify(
        [dataset.created_by] if dataset.created_by_id != by.pk else [],
        lambda: (
            _("Dataset published: %(title)s") % {"title": dataset.title},
            _("“%(title)s” is now published.\n\n%(url)s")
            % {"title": dataset.title, "url": _absolute(dataset.get_absolute_url())},
        ),
    )
    return dataset


@transaction.atomic
def dataset_send_back(*, dataset: Dataset, by: User, comment: str) -> Dataset:
    """Return a dataset in review to its editors as a draft, saying what to change."""
    _lock(dataset)
    if not permissions.can_publish_dataset(by, dataset):
        raise PermissionDenied(_("Only an admin of this organization can send it back."))
    if dataset.status != Dataset.Status.IN_REVIEW:
        raise ValidationError(_("Only a dataset in review can be sent back."))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what the editors should change.")})
    _set_status(dataset, by, Dataset.Status.DRAFT, review_comment=comment)
    _notify(
        [dataset.created_by] if dataset.created_by_id != by.pk else [],
        lambda: (
            _("Dataset sent back: %(title)s") % {"title": dataset.title},
            _("“%(title)s” needs changes before it can be published:\n\n%(comment)s\n\n%(url)s")
            % {
                "title": dataset.title,
                "comment": comment,
                "url": _absolute(dataset.get_absolute_url()),
            },
        ),
    )
    return dataset


@transaction.atomic
def dataset_archive(*, dataset: Dataset, by: User) -> Dataset:
    """Archived datasets stay readable at their address but leave the catalog."""
    _lock(dataset)
    if not permissions.can_publish_dataset(by, dataset):
        raise PermissionDenied(_("Only an admin of this organization can archive it."))
    if dataset.status != Dataset.Status.PUBLISHED:
        raise ValidationError(_("Only a published dataset can be archived."))
    return _set_status(dataset, by, Dataset.Status.ARCHIVED)
