from django import template

from datasets.datastore.preview import preview_context

register = template.Library()


@register.inclusion_tag("datasets/_preview_panel.html", takes_context=True)
def data_preview(context, resource, on_dataset_page=False):
    """Table, chart, map, glance and snippets for `resource`; empty when it has no data."""
    panel = preview_context(
        request=context["request"], resource=resource, on_dataset_page=on_dataset_page
    )
    return {"panel": panel, "request": context["request"]}
