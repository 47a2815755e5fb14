"""Saving and removing the chart builder's charts (publishers only)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from datasets import permissions
from datasets.datastore.charts import SavedChart
from datasets.models import Resource

AGGREGATES = ("", "count", "sum", "mean", "median", "min", "max")


def chart_config_clean(*, resource: Resource, config: dict) -> dict:
    """The config with only known keys, every column checked against the live version."""
    if not isinstance(config, dict):
        raise ValidationError({"config": _("The chart settings must be an object.")})
    version = resource.current_version
    columns = {c["id"]: c for c in (version.columns if version else []) if c["type"] != "geometry"}
    mark = config.get("mark", "")
    if mark not in SavedChart.Mark.values:
        raise ValidationError({"config": _("Unknown chart type “%(mark)s”.") % {"mark": mark}})
    aggregate = config.get("aggregate") or ""
    if aggregate not in AGGREGATES:
        raise ValidationError(
            {"config": _("Unknown aggregate “%(aggregate)s”.") % {"aggregate": aggregate}}
        )
    cleaned = {"mark": mark, "aggregate": aggregate}
    for key, required in (("x", True), ("y", aggregate != "count"), ("color", False)):
        value = config.get(key) or ""
        if not value and not required:
            cleaned[key] = ""
            continue
        if value not in columns:
            raise ValidationError(
                {
                    "config": _("Unknown column “%(column)s” for %(axis)s.")
                    % {"column": value, "axis": key}
                }
            )
        cleaned[key] = value
    return cleaned


@transaction.atomic
def chart_create(*, resource: Resource, title: str, config: dict, by) -> SavedChart:
    if not permissions.can_edit_dataset(by, resource.dataset):
        raise PermissionDenied(_("Only the publisher's editors can save charts."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the chart a title.")})
    if len(title) > 200:
        raise ValidationError({"title": _("Keep the title under 200 characters.")})
    return SavedChart.objects.create(
        resource=resource,
        title=title,
        config=chart_config_clean(resource=resource, config=config),
        position=resource.saved_charts.count(),
        created_by=by,
    )


@transaction.atomic
def chart_delete(*, chart: SavedChart, by) -> None:
    if not permissions.can_edit_dataset(by, chart.resource.dataset):
        raise PermissionDenied(_("Only the publisher's editors can remove charts."))
    chart.delete()
