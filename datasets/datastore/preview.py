"""What the preview panel (templates/datasets/_preview.html) needs to know about a version.

Built in Python so the templates hold loops and conditionals only.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from datasets import permissions
from datasets.datastore.export import FORMATS
from datasets.datastore.geo import geo_columns
from datasets.datastore.query import version_columns
from datasets.models import ResourceVersion

# Statistic names accepted from the ingestion profile, first match wins.
# The glance's figures, by the names the ingestion profile gives them (datasets/ingest/
# profile.py and columnar.py). `distinct_at_least`: more distinct values than were counted.
_STAT_KEYS = {
    "nulls": "empty",
    "distinct": "distinct",
    "distinct_at_least": "distinct_at_least",
    "min": "min",
    "max": "max",
    "mean": "mean",
    "top": "top",
}


def _column_profiles(profile: dict) -> dict[str, dict]:
    columns = (profile or {}).get("columns") or {}
    if isinstance(columns, list):
        columns = {c.get("id") or c.get("name"): c for c in columns if isinstance(c, dict)}
    return columns if isinstance(columns, dict) else {}


def profile_glance(version: ResourceVersion) -> list[dict]:
    """One entry per column: label, type and whatever summary the profile holds."""
    stats = _column_profiles(version.profile)
    glance = []
    for column in version_columns(version)[1:]:
        entry = {"id": column["id"], "label": column["label"], "type": column["type"]}
        found = stats.get(column["id"]) or {}
        for name, key in _STAT_KEYS.items():
            entry[name] = found.get(key) if found.get(key) != "" else None
        top = entry["top"]
        if isinstance(top, list):
            entry["top"] = [
                item.get("value") if isinstance(item, dict) else item for item in top[:3]
            ]
        glance.append(entry)
    return glance


def _snippets(url: str) -> list[tuple[str, str, str]]:
    example = f"{url}?limit=5"
    return [
        ("curl", "bash", f'curl "{example}"'),
        (
            "Python",
            "python",
            "import requests\n\n"
            f'response = requests.get("{url}", params={{"limit": 5}})\n'
            'rows = response.json()["records"]\nprint(rows)',
        ),
        (
            "JavaScript",
            "javascript",
            f'const response = await fetch("{example}");\n'
            "const { records } = await response.json();\nconsole.log(records);",
        ),
        (
            "R",
            "r",
            f'library(jsonlite)\n\nrows <- fromJSON("{example}")$records\nhead(rows)',
        ),
    ]


def preview_context(*, request, resource, on_dataset_page: bool = False) -> dict | None:
    """Everything the panel renders, or None when the resource has nothing to preview."""
    version = resource.current_version
    if version is None or (
        version.personal_data == ResourceVersion.PersonalData.FLAGGED
        and not permissions.can_edit_dataset(request.user, resource.dataset)
    ):
        return None
    data_path = reverse("resource_data", kwargs={"resource_id": resource.pk})
    data_url = request.build_absolute_uri(data_path)
    geo = geo_columns(version)
    fields = version_columns(version)
    # The files written after ingestion where there are, else the Data API's export.
    derived = version.downloads or {}
    downloads = [
        (
            fmt.upper(),
            reverse(
                "resource_file_download",
                kwargs={"name": resource.dataset.name, "id": resource.pk, "fmt": fmt},
            )
            if fmt in derived
            else f"{data_path}?format={fmt}" + ("&header=labels" if fmt in ("csv", "xlsx") else ""),
        )
        for fmt in FORMATS
        if fmt != "geojson" or geo is not None
    ]
    can_edit = permissions.can_edit_dataset(request.user, resource.dataset)
    return {
        "resource": resource,
        "version": version,
        "dom_id": f"pv-{resource.pk.hex[:12]}",
        "config_id": f"pv-{resource.pk.hex[:12]}-config",
        "fields": fields,
        "chartable": [f for f in fields if f["type"] != "geometry"],
        "glance": profile_glance(version),
        "geo": geo,
        "downloads": downloads,
        "snippets": _snippets(data_url),
        "data_url": data_url,
        "can_edit": can_edit,
        "on_dataset_page": on_dataset_page,
        "config": {
            "dataUrl": data_path,
            "viewUrl": reverse("resource_view", kwargs={"resource_id": resource.pk}),
            "chartsUrl": reverse("resource_charts", kwargs={"resource_id": resource.pk}),
            "fields": fields,
            "geo": geo.__dict__ if geo else None,
            "tileUrl": settings.MAP_TILE_URL,
            "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
            # Times typed without a zone were read in it: shown in it, not in UTC.
            "timeZone": settings.TIME_ZONE,
            "canEdit": can_edit,
            "countDataset": on_dataset_page,
            "charts": [
                {"id": c.pk, "title": c.title, "config": c.config}
                for c in resource.saved_charts.all()
            ],
            "strings": _strings(),
        },
    }


def _strings() -> dict:
    return {
        "loading": _("Loading…"),
        "error": _("The data could not be loaded."),
        # The site's languages have at most two plural forms (Chinese one): "1 row", else
        # the plural, chosen in preview.js.
        "rowsOne": ngettext("%(total)s row", "%(total)s rows", 1),
        "rows": ngettext("%(total)s row", "%(total)s rows", 2),
        "rowsEstimated": _("about %(total)s rows"),
        "first": _("First"),
        "prev": _("Previous"),
        "next": _("Next"),
        "last": _("Last"),
        "pageSize": _("Rows per page"),
        "filter": _("Filter %(column)s"),
        "noRows": _("No rows match."),
        "chartNeedsY": _("Choose a column for the y axis, or count rows."),
        "chartSaved": _("Chart saved."),
        "chartDeleted": _("Chart removed."),
        "chartError": _("The chart could not be saved."),
        "mapNoTiles": _("No map tiles are configured: points are shown on a plain background."),
        "mapPointsOne": ngettext("%(count)s place on the map.", "%(count)s places on the map.", 1),
        "mapPoints": ngettext("%(count)s place on the map.", "%(count)s places on the map.", 2),
        "copied": _("Copied."),
        "count": _("Number of rows"),
        "chartDescription": _("Chart of %(y)s by %(x)s"),
        "xAxis": _("X axis: %(title)s"),
        "yAxis": _("Y axis: %(title)s"),
        "legend": _("Legend: %(title)s"),
        # What one bar, point or slice is, for screen readers.
        "marks": {
            "bar": pgettext("chart part", "bar"),
            "line": pgettext("chart part", "line"),
            "area": pgettext("chart part", "area"),
            "point": pgettext("chart part", "point"),
            "arc": pgettext("chart part", "slice"),
        },
        "roles": {
            "visualization": pgettext("chart part", "chart"),
            "axis": pgettext("chart part", "axis"),
            "legend": pgettext("chart part", "legend"),
        },
        "chartActions": _("Chart actions: save as an image"),
        "savePng": _("Save as PNG"),
        "saveSvg": _("Save as SVG"),
        "remove": _("Remove"),
    }


def dataset_preview_section(request, dataset):
    """Dataset page section (datasets.hooks.dataset_sections): explore its first resource
    that has data, with links to the others."""
    from portal.hooks import Section

    resources = [
        r
        for r in dataset.resources.select_related("current_version", "dataset").order_by(
            "position", "created_at"
        )
        if r.current_version_id
    ]
    if not resources:
        return None
    return Section(
        "datasets/_preview_dataset_section.html",
        {"resource": resources[0], "others": resources[1:]},
    )
