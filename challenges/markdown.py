"""Markdown from participants and organizers, rendered to HTML that is safe to show."""

import re

import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
# Active content a participant has no reason to write; refused outright so the author
# sees it, on top of sanitising at render time.
_ACTIVE_CONTENT = re.compile(r"<\s*(script|iframe|object|embed)\b|javascript\s*:", re.IGNORECASE)


def check_markdown(value: str, *, field: str) -> None:
    if _ACTIVE_CONTENT.search(value or ""):
        raise ValidationError(
            {field: _("Scripts and embedded frames are not allowed in this text.")}
        )


def render_markdown(value: str) -> SafeString:
    html = nh3.clean(_md.render(value or ""), link_rel="nofollow noopener noreferrer")
    return mark_safe(html)
