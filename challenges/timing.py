"""The server clock decides deadlines; people see them in their own time zone."""

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.utils import formats, timezone


def user_zone(user) -> zoneinfo.ZoneInfo:
    name = getattr(user, "time_zone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def in_user_zone(value: datetime | None, user) -> datetime | None:
    if value is None:
        return None
    return timezone.localtime(value, user_zone(user))


def format_deadline(value: datetime, user) -> str:
    """'2026-03-01 23:59 (Asia/Taipei)' in the user's zone."""
    local = in_user_zone(value, user)
    return f"{formats.date_format(local, 'Y-m-d H:i:s')} ({local.tzinfo})"
