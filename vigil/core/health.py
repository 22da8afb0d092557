"""The probes a load balancer or an orchestrator asks: `/healthz` (the process
answers) and `/readyz` (it can serve: the database, the cache, the file store and
the task queue are reachable). With a read replica configured, `/readyz` also says
whether it answers, but stays ready without it: every read it would serve falls back
to the primary (core/reading.py).

They answer first, before any other middleware, so that a probe needs no allowed host
name, no HTTPS, no session and no cookie (a load balancer asks by address, over the
internal network), and so that a probe leaves nothing behind: no session, no cookie,
no audit entry (Django logs a 503 as it logs any error answer: its path and status).
The answer names only the parts and whether each works; never a
record, a path, a host or an error message, which could tell an outsider about the
installation.
"""

import json
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse

from vigil.core import queue, reading
from vigil.core.middleware import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY
from vigil.vault import files

PROBES = {"/healthz", "/readyz"}


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False


def _cache() -> bool:
    try:
        cache.set("vigil:readyz", "1", 10)
        return cache.get("vigil:readyz") == "1"
    except Exception:  # noqa: BLE001 - a cache server that is down raises its own errors
        return False


# Reported, but not needed to serve.
OPTIONAL = {"replica"}


def checks() -> dict[str, bool]:
    found = {
        "database": _database(),
        "cache": _cache(),
        "files": files.ready(),
        "queue": queue.reachable(),
    }
    if reading.configured():
        found["replica"] = reading.replica_reachable()
    return found


def secure_headers(response: HttpResponse) -> HttpResponse:
    """The headers every answer of Vigil carries, for an answer given before the
    middlewares that would add them (a probe, a scrape of the metrics)."""
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "DENY"
    response["Referrer-Policy"] = "same-origin"
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Permissions-Policy"] = PERMISSIONS_POLICY
    return response


def _answer(status: int, body: dict) -> HttpResponse:
    return secure_headers(
        HttpResponse(json.dumps(body), status=status, content_type="application/json")
    )


def answer_probes(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path_info not in PROBES:
            return get_response(request)
        if request.method not in ("GET", "HEAD"):
            return _answer(405, {"status": "method not allowed"})
        if request.path_info == "/healthz":
            return _answer(200, {"status": "ok"})
        found = checks()
        ready = all(works for part, works in found.items() if part not in OPTIONAL)
        return _answer(
            200 if ready else 503,
            {
                "status": "ok" if ready else "unavailable",
                "checks": {part: "ok" if works else "failing" for part, works in found.items()},
            },
        )

    return middleware
