"""Who may see and change datasets and resources. Pages and API call these same rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal import permissions

if TYPE_CHECKING:
    from datasets.models import Dataset
    from portal.models import User


def can_view_dataset(user: User | None, dataset: Dataset) -> bool:
    """Public published/archived datasets for everyone; anything else only inside the org."""
    from datasets.models import Dataset

    if (
        dataset.status in (Dataset.Status.PUBLISHED, Dataset.Status.ARCHIVED)
        and not dataset.private
    ):
        return True
    return permissions.is_member(user, dataset.organization_id)


def can_edit_dataset(user: User | None, dataset: Dataset) -> bool:
    return permissions.can_edit_for(user, dataset.organization_id)


def can_publish_dataset(user: User | None, dataset: Dataset) -> bool:
    """Publishing, sending back and archiving are an organization admin's decisions."""
    return permissions.can_admin(user, dataset.organization_id)


def can_create_dataset_for(user: User | None, organization) -> bool:
    return permissions.can_edit_for(user, organization)


def can_view_activity(user: User | None, dataset: Dataset) -> bool:
    """The change history is the organization's own business."""
    return permissions.is_member(user, dataset.organization_id)


def organizations_editable(user: User | None) -> list[int]:
    """Ids of the organizations whose datasets `user` may add and change."""
    return permissions.organizations_where(user, "editor")


def can_create_any_dataset(user: User | None) -> bool:
    """Editors and admins of at least one organization see the workspace links."""
    return bool(organizations_editable(user))
