from celery import shared_task
from django.core.mail import send_mail


@shared_task
def challenge_notify_task(challenge_id: int, subject: str, body: str) -> int:
    from challenges.models import Challenge
    from challenges.services.notifications import challenge_notify_send

    challenge = Challenge.objects.filter(pk=challenge_id).first()
    if challenge is None:  # deleted before the worker got to it
        return 0
    return challenge_notify_send(challenge=challenge, subject=subject, body=body)


@shared_task
def email_one_task(to: str, subject: str, body: str) -> None:
    send_mail(subject, body, None, [to])


@shared_task
def challenges_sync_status_task() -> int:
    """Beat entry: move challenges between published/open/closed as their rounds say."""
    from challenges.services.challenges import challenges_sync_all

    return challenges_sync_all()
