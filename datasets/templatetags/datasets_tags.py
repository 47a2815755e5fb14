import re

import nh3
from django import template
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

register = template.Library()

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")

# What a publisher's Markdown may produce; everything else (script, style, iframes, event
# handlers, javascript: links) is removed by nh3.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


def render_markdown(text: str) -> str:
    html = _markdown.render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


_HEADING = re.compile(r"<(/?)h([1-6])>")


@register.filter
def markdown(text: str, heading_offset: int = 0) -> str:
    """Sanitised HTML; `heading_offset` moves the author's headings down (1 → h2...,
    never past h6) so they sit below the page's own heading for the text."""
    html = render_markdown(text)
    if heading_offset:
        # nh3 keeps no attributes on headings: each one is exactly <hN> ... </hN>.
        html = _HEADING.sub(
            lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + int(heading_offset))}>", html
        )
    # Safe: render_markdown sanitises with nh3.
    return mark_safe(html)


@register.simple_tag(takes_context=True)
def facet_url(context, key: str, value: str) -> str:
    """The current catalog query with `key=value` toggled, page reset."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    values = params.getlist(key)
    # Formats are matched whatever their case (?format=csv is the facet's CSV).
    same = (lambda v: v.upper() == value.upper()) if key == "format" else (lambda v: v == value)
    if any(same(v) for v in values):
        values = [v for v in values if not same(v)]
    else:
        values.append(value)
    params.setlist(key, values)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def page_url(context, page: int) -> str:
    params = context["request"].GET.copy()
    params["page"] = page
    return "?" + params.urlencode()


@register.filter
def column_type(kind: str) -> str:
    """A column's type as people call it (整數, date...), in the page's language."""
    from datasets.ingest.types import type_name

    try:
        return type_name(kind)
    except KeyError:
        return kind


@register.filter
def schema_type(name: str | None) -> str:
    """A data dictionary field's Table Schema type ("string" when it names none, as Table
    Schema reads it) as people call it, in the page's language."""
    from datasets.ingest.validate import SCHEMA_TYPES

    return column_type(SCHEMA_TYPES.get(name or "string", name))


@register.filter
def in_reader_language(entry: dict) -> str:
    """A stored message ({"message", "translations"}) in the page's language, where it
    was kept in it (see datasets.ingest.errors)."""
    from datasets.ingest.errors import in_language

    return in_language(entry.get("message", ""), entry.get("translations"))


@register.filter
def join_list(items) -> str:
    """Items as a list in the page's language: 「a、b」 in Chinese, "a, b" in English."""
    from datasets.ingest.errors import joined

    return str(joined(items))


@register.filter
def problem_name(code: str) -> str:
    """A validation report's problem code (Frictionless' and ours, see
    datasets.ingest.validate) as a short name in the page's language."""
    from django.utils.translation import pgettext

    names = {
        "blank-label": pgettext("ingest problem", "Blank header"),
        "duplicate-label": pgettext("ingest problem", "Repeated header"),
        "missing-label": pgettext("ingest problem", "Missing header"),
        "extra-cell": pgettext("ingest problem", "Extra cell"),
        "missing-cell": pgettext("ingest problem", "Missing cell"),
        "blank-row": pgettext("ingest problem", "Blank row"),
        "note-rows": pgettext("ingest problem", "Note rows"),
        "total-row": pgettext("ingest problem", "Total row"),
        "type-error": pgettext("ingest problem", "Wrong type"),
        "type-fallback": pgettext("ingest problem", "Read as text"),
        "constraint-error": pgettext("ingest problem", "Rule not met"),
        "unique-error": pgettext("ingest problem", "Repeated value"),
        "schema-error": pgettext("ingest problem", "Dictionary problem"),
        "column-added": pgettext("ingest problem", "Column added"),
        "column-removed": pgettext("ingest problem", "Column removed"),
        "type-changed": pgettext("ingest problem", "Type changed"),
        "formula-without-value": pgettext("ingest problem", "Formula without value"),
        "error-cell": pgettext("ingest problem", "Error in a cell"),
        "nul-character": pgettext("ingest problem", "NUL character"),
        "user-defined-character": pgettext("ingest problem", "User-defined character"),
        "encoding-error": pgettext("ingest problem", "Encoding"),
        "format-error": pgettext("ingest problem", "File format"),
        "source-error": pgettext("ingest problem", "File problem"),
        "scheme-error": pgettext("ingest problem", "Link problem"),
        "internal-error": pgettext("ingest problem", "Internal error"),
        "worker-lost": pgettext("ingest problem", "Interrupted"),
        "superseded": pgettext("ingest problem", "Replaced"),
    }
    return names.get(code, code)


@register.filter
def delimiter_name(delimiter: str) -> str:
    """A delimiter as people call it: 'commas', 'tabs'..."""
    from django.utils.translation import gettext

    names = {
        ",": gettext("commas"),
        "\t": gettext("tabs"),
        ";": gettext("semicolons"),
        "|": gettext("vertical bars"),
    }
    return names.get(delimiter, f"“{delimiter}”")


@register.filter
def personal_data_kind(kind: str) -> str:
    """A kind of personal data the scan finds (datasets.ingest.pii.KINDS), in words."""
    from django.utils.translation import gettext

    names = {
        "email": gettext("e-mail addresses"),
        "phone": gettext("phone numbers"),
        "national_id": gettext("national ID numbers"),
        "credit_card": gettext("payment card numbers"),
        "iban": gettext("bank account numbers (IBAN)"),
    }
    return names.get(kind, kind)


@register.filter
def language_name(code: str) -> str:
    """A language code (zh-hant) as its name in the page's language; unknown codes as is."""
    from django.utils.translation import get_language_info

    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


@register.filter
def basename(path: str) -> str:
    """A stored file's own name, without the folders storage keeps it in."""
    return str(path).rsplit("/", 1)[-1]
