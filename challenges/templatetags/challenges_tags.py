from django import template

from challenges.markdown import render_markdown
from challenges.timing import format_deadline, in_user_zone

register = template.Library()


@register.filter
def markdown(value: str):
    return render_markdown(value)


@register.filter
def user_time(value, user):
    """A datetime in the viewer's own time zone (the site's zone for anonymous viewers)."""
    return in_user_zone(value, user)


@register.filter
def user_deadline(value, user):
    """'2026-03-31 23:59:59 (Asia/Taipei)': the zone by name, as the refusal message gives
    it (an abbreviation such as CST is read as another zone by many)."""
    return format_deadline(value, user) if value else ""
