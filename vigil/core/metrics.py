"""What each process counts for the metrics (`/metrics`, vigil/monitoring): requests
by route and status class, their duration, and throttle refusals; and the request id
that ties a request's log lines together.

Every label is chosen by the code, never by whoever sends the request: a route is its
URL *name* (`intake:follow_up`), never the path that may hold an id or a receipt
code; a status is its class (`4xx`); a throttle is its scope (`receipt-code`). So a
scrape can be kept and shared like any monitoring data: it holds no personal data,
and its size does not grow with what outsiders send.

Under gunicorn the counts of all its workers are added up by prometheus_client's
multi-process mode (`PROMETHEUS_MULTIPROC_DIR`, set by deploy/gunicorn.conf.py before
anything imports prometheus_client); elsewhere (`runserver`, the tests) they are the
process's own.
"""

import contextvars
import logging
import re
import secrets
import time
from collections.abc import Callable

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "vigil_http_requests",
    "Requests answered, by route name and status class.",
    ["route", "status"],
    registry=None,  # gathered by vigil/monitoring/exposition.py, not the global registry
)
LATENCY = Histogram(
    "vigil_http_request_duration_seconds",
    "Time to answer a request, by route name.",
    ["route"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=None,
)
THROTTLED = Counter(
    "vigil_throttle_refusals",
    "Attempts past a throttle's limit, by throttle.",
    ["scope"],
    registry=None,
)
PER_PROCESS = (REQUESTS, LATENCY, THROTTLED)

# Answered before any URL is resolved (core/health.py); named here, as routes are.
_EARLY = {"/healthz": "healthz", "/readyz": "readyz"}
UNRESOLVED = "unresolved"  # no route: an unknown path, a refused host, a redirect to HTTPS

# The request id: nginx's $request_id (32 hex digits, deploy/nginx/vigil.conf) when
# the proxy sent one, else one made here. Nothing else a client sends is taken: a
# value of its choosing would reach the logs.
REQUEST_ID = contextvars.ContextVar("vigil_request_id", default="")
_REQUEST_ID_FORMAT = re.compile(r"[0-9a-f]{32}")


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        return match.view_name
    return _EARLY.get(request.path_info, UNRESOLVED)


def status_class(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status < 600 else "other"


def measure_requests(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Time and count every request, and give it a request id for its log lines."""

    def middleware(request: HttpRequest) -> HttpResponse:
        sent = request.META.get("HTTP_X_REQUEST_ID", "")
        # Kept until the answer is closed, not only while the middlewares run: Django
        # logs a failed answer ("Not Found: /path") after the last of them returns.
        REQUEST_ID.set(sent if _REQUEST_ID_FORMAT.fullmatch(sent) else secrets.token_hex(16))
        started = time.perf_counter()
        response = get_response(request)
        route = route_of(request)
        LATENCY.labels(route).observe(time.perf_counter() - started)
        REQUESTS.labels(route, status_class(response.status_code)).inc()
        return response

    return middleware


@receiver(request_finished)
def _forget_the_request_id(**kwargs: object) -> None:
    """Lines written between requests (a worker thread's, the server's) carry none."""
    REQUEST_ID.set("")


class RequestIdFilter(logging.Filter):
    """Puts the id of the request being answered, if any, on each log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True
