"""`/metrics`: the Prometheus text format, for a bearer of `VIGIL_METRICS_TOKEN`.

Two kinds of figures, gathered two ways (docs/operations.md, "Metrics"):

- counts each process makes as it answers (core/metrics.py): under gunicorn,
  prometheus_client's multi-process mode adds up the files its workers write in
  `PROMETHEUS_MULTIPROC_DIR`, so any worker answers for the whole server;
- the state of the installation, read from the database, the queue and the anchor
  file at scrape time: the same on every host, so nothing is kept in a process
  that a restart or a second host would make disagree.

The answer comes before any other middleware, like /healthz: a scraper asks by
address, and a scrape makes no session, no cookie and no audit entry. Without the
token, or with a wrong one, or with none configured, /metrics is an unknown address
like any other (the site's own 404), so nobody learns that it exists.
"""

import hmac
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from django.apps import apps
from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from vigil.core import audit, jobs, metrics, queue
from vigil.core.health import secure_headers
from vigil.intake.models import Submission
from vigil.intake.selectors import OPEN

PATH = "/metrics"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
STATES = (jobs.QUEUED, jobs.RUNNING, jobs.DONE, jobs.FAILED)
# What makes a model a job row of core/jobs.py (an import, a report build...).
JOB_FIELDS = {"state", "claim", "attempts", "done", "total"}


def job_kinds() -> dict[str, type]:
    """Every model whose rows are jobs, by its label (`exchange.importjob`): found
    by its fields, as backups find tables, so that a new kind of job is counted
    without being named here."""
    return {
        model._meta.label_lower: model
        for model in apps.get_models()
        if {field.name for field in model._meta.get_fields()} >= JOB_FIELDS
    }


class InstallationCollector(Collector):
    """The figures read at scrape time. A part that cannot be read (the database or
    the queue down) is left out and marked in `vigil_metrics_source_up`, so that a
    scrape still answers with the rest."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "vigil_metrics_source_up",
            "Whether a source of the figures below could be read (1) or not (0).",
            labels=["source"],
        )
        for source, read in (
            ("database", self._database),
            ("queue", self._queue),
            ("audit_anchors", self._anchors),
        ):
            try:
                families = list(read())
            except Exception:  # noqa: BLE001 - a source out of reach is a figure too
                up.add_metric([source], 0)
                continue
            up.add_metric([source], 1)
            yield from families
        yield up

    def _database(self) -> Iterator[GaugeMetricFamily]:
        rows = GaugeMetricFamily(
            "vigil_jobs", "Background job rows, by kind and state.", labels=["kind", "state"]
        )
        for kind, model in sorted(job_kinds().items()):
            counted = dict(model.objects.order_by().values_list("state").annotate(n=Count("pk")))
            for state in STATES:
                rows.add_metric([kind, state], counted.get(state, 0))
        yield rows
        waiting = Submission.objects.filter(status__in=OPEN)
        yield GaugeMetricFamily(
            "vigil_intake_reports_awaiting_triage",
            "Intake reports received or under review (held apart as a flood or not).",
            value=waiting.count(),
        )
        yield GaugeMetricFamily(
            "vigil_intake_reports_held_as_flood",
            "Intake reports awaiting triage that were held apart as a suspected flood.",
            value=waiting.filter(held_as_flood=True).count(),
        )

    def _queue(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "vigil_queue_pending_tasks", "Tasks waiting in the task queue.", value=queue.depth()
        )

    def _anchors(self) -> Iterator[GaugeMetricFamily]:
        anchors = audit.read_anchors()
        if not anchors:
            return  # never anchored: no age (alert on its absence)
        at = datetime.strptime(anchors[-1].at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        yield GaugeMetricFamily(
            "vigil_audit_last_anchor_age_seconds",
            "Seconds since the audit trail's head was last anchored.",
            value=max(time.time() - at.timestamp(), 0.0),
        )


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def exposition() -> bytes:
    """Every figure, in the text format."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        MultiProcessCollector(registry)
    else:
        for counter in metrics.PER_PROCESS:
            registry.register(counter)
    registry.register(InstallationCollector())
    return generate_latest(registry)


def authorised(request: HttpRequest) -> bool:
    expected = settings.METRICS_TOKEN
    if not expected:
        return False
    scheme, _, sent = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    # Constant time: how much of a guess was right must not show in the timing.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        sent.strip().encode(), expected.encode()
    )


def answer_scrapes(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path_info != PATH or request.method not in ("GET", "HEAD"):
            return get_response(request)
        if not authorised(request):
            return get_response(request)  # an unknown address, as for anyone
        response = HttpResponse(exposition(), content_type=CONTENT_TYPE)
        secure_headers(response)
        return response

    return middleware
