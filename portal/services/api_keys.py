from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from portal.models import ApiKey, User

# How stale "last used" may be: one write per key and minute, however busy the program.
LAST_USED_PRECISION = timedelta(minutes=1)


@transaction.atomic
def api_key_create(*, user: User, name: str) -> tuple[AuthToken, str]:
    """A key that lives until revoked. Returns the token and the key itself, which is shown
    once: only its hash is stored."""
    token, key = AuthToken.objects.create(user=user, expiry=None)
    ApiKey.objects.create(token=token, name=name.strip())
    return token, key


def api_key_record_use(*, token: AuthToken) -> None:
    """Note that a program used the key now, unless that was noted less than a minute ago:
    the cache answers for the other requests, so a busy program costs no database writes."""
    if not cache.add(f"api-key-used:{token.pk[:40]}", 1, LAST_USED_PRECISION.total_seconds()):
        return
    # Keys made before names existed get their row here.
    ApiKey.objects.update_or_create(token=token, defaults={"last_used_at": timezone.now()})
