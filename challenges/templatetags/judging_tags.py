"""`{% judging_section challenge %}`: results, winners, pilots and judging links on the
challenge page (rendered from challenges/judging/hooks.py)."""

from django import template
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
