"""E-mail to the people who follow or take part in a challenge, each in their own language."""

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import translation

from challenges.models import Challenge, Follow, TeamMembership
from portal.mail import addresses_by_language, language_of
from portal.models import User

# (subject, body) in the language active when called: texts, titles in two languages and
# dates all follow it.
Render = Callable[[], tuple[str, str]]


def challenge_audience(*, challenge: Challenge) -> list[User]:
    """Followers and team members with an address, each once."""
    people = User.objects.filter(
        pk__in=Follow.objects.filter(challenge=challenge).values("user")
    ) | User.objects.filter(
        pk__in=TeamMembership.objects.filter(team__challenge=challenge).values("user")
    )
    return list(people.exclude(email="").distinct().order_by("email"))


def challenge_notify(*, challenge: Challenge, render: Render) -> None:
    """Once the current transaction commits, queue the e-mail to the challenge's followers
    and participants: one task per language, the message written in it."""
    from challenges.tasks import challenge_notify_task

    def queue():
        audience = challenge_audience(challenge=challenge)
        for language, emails in addresses_by_language(audience).items():
            with translation.override(language):
                subject, body = render()
                link = f"{settings.SITE_URL.rstrip('/')}{challenge.get_absolute_url()}"
                subject, body = f"[{challenge.title}] {subject}", f"{body}\n\n{link}\n"
            challenge_notify_task.delay(emails, subject, body)

    transaction.on_commit(queue)


def email_one(*, to: str, subject: str, body: str) -> None:
    """E-mail an address (of someone who may have no account) once the transaction commits."""
    from challenges.tasks import email_one_task

    if to:
        transaction.on_commit(lambda: email_one_task.delay(to, subject, body))


def email_user(*, user, render: Render) -> None:
    """E-mail `user` in their language once the transaction commits."""
    if user is None or not user.email:
        return
    with translation.override(language_of(user)):
        subject, body = render()
    email_one(to=user.email, subject=subject, body=body)
