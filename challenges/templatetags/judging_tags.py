"""`{% judging_section challenge %}`: results, winners, pilots and judging links on the
challenge page (rendered from challenges/judging/hooks.py)."""

from django import template
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string

from challenges.judging.hooks import challenge_results_section

register = template.Library()


@register.simple_tag(takes_context=True)
def judging_section(context, challenge) -> str:
    request = context["request"]
    section = challenge_results_section(request, challenge)
    if section is None:
        return ""
    return render_to_string(section.template, {"section": section.context}, request=request)


@register.filter
def signed(value, digits: int = 2) -> str:
    """A difference with its sign, as the page's note reads: "+0.63", "−0.63" (a true
    minus sign), "0.00"."""
    shown = floatformat(value, digits)
    if shown.lstrip("-").strip("0.,") == "":
        return shown.lstrip("-")
    return f"+{shown}" if not shown.startswith("-") else f"\u2212{shown[1:]}"
