from django import template

from challenges.markdown import render_markdown
from challenges.timing import in_user_zone

register = template.Library()


@register.filter
def markdown(value: str):
    return render_markdown(value)


@register.filter
def user_time(value, user):
    """A datetime in the viewer's own time zone (the site's zone for anonymous viewers)."""
    return in_user_zone(value, user)
