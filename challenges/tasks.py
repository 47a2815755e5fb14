from celery import shared_task
from django.core.mail import send_mail, send_mass_mail


@shared_task
def challenge_notify_task(emails: list[str], subject: str, body: str) -> int:
    """One message to each address (written by notifications.challenge_notify)."""
    messages = [(subject, body, None, [email]) for email in emails]
    return send_mass_mail(messages, fail_silently=False)


@shared_task
def email_one_task(to: str, subject: str, body: str) -> None:
    send_mail(subject, body, None, [to])


@shared_task
def challenges_sync_status_task() -> int:
    """Beat entry: move challenges between published/open/closed as their rounds say."""
    from challenges.services.challenges import challenges_sync_all

    return challenges_sync_all()
