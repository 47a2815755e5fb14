"""Charts a publisher saved from the chart builder, shown on the dataset page.

A chart is stored as the builder's small config (mark, x, y, aggregate, colour), not as a
raw Vega-Lite spec: the spec is rebuilt in the browser from the config and the live row
API, so a stored chart can never point at another site's data or carry script.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedChart(models.Model):
    class Mark(models.TextChoices):
        BAR = "bar", _("Bar chart")
        LINE = "line", _("Line chart")
        AREA = "area", _("Area chart")
        POINT = "point", _("Scatter plot")
        ARC = "arc", _("Pie chart")

    resource = models.ForeignKey(
        "datasets.Resource", on_delete=models.CASCADE, related_name="saved_charts"
    )
    title = models.CharField(_("title"), max_length=200)
    # {"mark", "x", "y", "aggregate", "color"}: see datasets/services/charts.py
    config = models.JSONField(default=dict)
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "datasets"
        ordering = ["resource", "position", "created_at"]
        verbose_name = _("saved chart")
        verbose_name_plural = _("saved charts")

    def __str__(self) -> str:
        return self.title
