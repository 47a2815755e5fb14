"""Liveness and readiness endpoints for load balancers and orchestrators."""

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.http import HttpRequest, JsonResponse
from kombu import Connection


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def check_database() -> None:
    for alias in connections:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")


def check_broker() -> None:
    with Connection(
        settings.CELERY_BROKER_URL,
        transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
        connect_timeout=3,
    ) as conn:
        conn.ensure_connection(max_retries=1, timeout=3)


def check_storage() -> None:
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)


CHECKS = {"database": check_database, "broker": check_broker, "storage": check_storage}


def readyz(request: HttpRequest) -> JsonResponse:
    results, failing = {}, []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            results[name] = f"error: {exc.__class__.__name__}: {exc}"[:300]
            failing.append(name)
        else:
            results[name] = "ok"
    body = {"status": "fail" if failing else "ok", "checks": results, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)
