"""E-mail written in each recipient's own language."""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import translation


def language_of(user) -> str:
    """The language `user` reads e-mail in: the one they chose, else the site's."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def send_each(
    recipients: Iterable, render: Callable[[], tuple[str, str]], *, fail_silently: bool = True
) -> int:
    """One e-mail to each recipient with an address (each address once), subject and body
    from `render()` called with the recipient's language active, so translated text, model
    fields in two languages and links all follow it. Returns the messages sent."""
    by_language: dict[str, list[str]] = {}
    seen = set()
    for user in recipients:
        if user is None or not user.email or user.email in seen:
            continue
        seen.add(user.email)
        by_language.setdefault(language_of(user), []).append(user.email)
    messages = []
    for language, emails in sorted(by_language.items()):
        with translation.override(language):
            subject, body = render()
        messages += [(subject, body, settings.DEFAULT_FROM_EMAIL, [e]) for e in sorted(emails)]
    return send_mass_mail(messages, fail_silently=fail_silently) if messages else 0
