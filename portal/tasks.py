from celery import shared_task


@shared_task(name="portal.ping")
def ping() -> str:
    """Round-trip check used by readiness tooling and the real-worker test."""
    return "pong"
