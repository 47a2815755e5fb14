"""E-mail written in each recipient's own language."""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import translation


def language_of(user) -> str:
    """The language `user` reads e-mail in: the one they chose, else the site's."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def addresses_by_language(recipients: Iterable) -> dict[str, list[str]]:
    """The recipients' addresses (each once, people without one left out), by the language
    they read e-mail in, in a stable order."""
    by_language: dict[str, set[str]] = {}
    for user in recipients:
        if user is not None and user.email:
            by_language.setdefault(language_of(user), set()).add(user.email)
    return {language: sorted(emails) for language, emails in sorted(by_language.items())}


def in_every_language(render: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """Subject and body from `render()` in each of the site's languages, the active one
    first: for an address whose owner's language is unknown."""
    first = translation.get_language() or settings.LANGUAGE_CODE
    codes = [code for code, _name in settings.LANGUAGES]
    codes.sort(key=lambda code: code != first)
    subjects, bodies = [], []
    for code in codes:
        with translation.override(code):
            subject, body = render()
        subjects.append(subject)
        bodies.append(body.strip())
    return " / ".join(dict.fromkeys(subjects)), "\n\n――――――\n\n".join(bodies) + "\n"


def send_each(
    recipients: Iterable, render: Callable[[], tuple[str, str]], *, fail_silently: bool = True
) -> int:
    """One e-mail to each recipient with an address, subject and body from `render()`
    called with the recipient's language active, so translated text, model fields in two
    languages and links all follow it. Returns the messages sent."""
    messages = []
    for language, emails in addresses_by_language(recipients).items():
        with translation.override(language):
            subject, body = render()
        messages += [(subject, body, settings.DEFAULT_FROM_EMAIL, [e]) for e in emails]
    return send_mass_mail(messages, fail_silently=fail_silently) if messages else 0
