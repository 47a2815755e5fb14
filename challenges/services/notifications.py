"""E-mail to the people who follow or take part in a challenge."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from challenges.models import Challenge, Follow, TeamMembership


def challenge_audience_emails(*, challenge: Challenge) -> list[str]:
    """Followers and team members, each address once."""
    follower_emails = Follow.objects.filter(challenge=challenge).values_list(
        "user__email", flat=True
    )
    member_emails = TeamMembership.objects.filter(team__challenge=challenge).values_list(
        "user__email", flat=True
    )
    return sorted({email for email in [*follower_emails, *member_emails] if email})


def challenge_notify(*, challenge: Challenge, subject: str, body: str) -> None:
    """Queue one e-mail per follower/participant once the current transaction commits."""
    from challenges.tasks import challenge_notify_task

    transaction.on_commit(lambda: challenge_notify_task.delay(challenge.pk, subject, body))


def challenge_notify_send(*, challenge: Challenge, subject: str, body: str) -> int:
    recipients = challenge_audience_emails(challenge=challenge)
    link = f"{settings.SITE_URL.rstrip('/')}{challenge.get_absolute_url()}"
    messages = [
        (f"[{challenge.title}] {subject}", f"{body}\n\n{link}\n", None, [email])
        for email in recipients
    ]
    return send_mass_mail(messages, fail_silently=False)


def email_one(*, to: str, subject: str, body: str) -> None:
    from challenges.tasks import email_one_task

    if to:
        transaction.on_commit(lambda: email_one_task.delay(to, subject, body))
