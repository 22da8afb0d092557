"""/metrics through HTTP: only for the bearer of the token, by address with no
session, counts that carry no personal data, and the installation's state read
from the database, the queue and the anchor file."""

import re
from datetime import date

import pytest

from vigil.core import audit, queue
from vigil.core.throttle import Throttle
from vigil.exchange.models import ImportJob
from vigil.intake import services as intake
from vigil.intake.models import Submission, SubmissionStatus
from vigil.reports.models import ReportBuild

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-the-tests-0123456789abcdef"
RECEIPT = "canary-receipt-words"


def scrape(client, token=TOKEN, **extra):
    extra.setdefault("HTTP_HOST", "10.0.0.7")  # an address, not an allowed host
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}", **extra)


def value(text: str, name: str, **labels: str) -> float:
    """The sample `name{labels}` in an exposition (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        metric, _, number = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', metric))
        if metric.split("{")[0] == name and found == labels:
            return float(number)
    return 0.0


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def test_it_does_not_exist_without_a_token_configured(client, settings):
    settings.METRICS_TOKEN = ""
    unknown = client.get("/metricz", HTTP_AUTHORIZATION="Bearer ")
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404
    assert response.content == unknown.content.replace(b"/metricz", b"/metrics")


def test_a_wrong_or_missing_token_gets_the_same_404_as_an_unknown_address(client, token):
    unknown = client.get("/metricz")
    for headers in (
        {"HTTP_AUTHORIZATION": "Bearer " + TOKEN[:-1] + "x"},
        {"HTTP_AUTHORIZATION": "Basic " + TOKEN},
        {"HTTP_AUTHORIZATION": TOKEN},
        {},
    ):
        response = client.get("/metrics", **headers)
        assert response.status_code == 404
        assert response.content == unknown.content.replace(b"/metricz", b"/metrics")
        assert b"vigil_" not in response.content


def test_the_token_bearer_scrapes_by_address_over_http_with_no_session(client, token, settings):
    settings.SECURE_SSL_REDIRECT = True
    from django.contrib.sessions.models import Session

    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    assert Session.objects.count() == 0
    assert "# TYPE vigil_http_requests_total counter" in response.content.decode()


def test_requests_are_counted_by_route_name_never_by_path_or_what_was_sent(client, token):
    before = scrape(client).content.decode()
    client.get(f"/submit/follow-up/?code={RECEIPT}")
    client.post("/submit/follow-up/", {"code": RECEIPT})
    client.get("/desk/cases/982451/")  # an id in the path
    client.get(f"/no-such-page/{RECEIPT}/")
    client.get("/healthz", HTTP_HOST="10.0.0.7")
    text = scrape(client).content.decode()

    def counted(route: str, status: str) -> float:
        return value(text, "vigil_http_requests_total", route=route, status=status) - value(
            before, "vigil_http_requests_total", route=route, status=status
        )

    assert counted("submission:follow_up", "2xx") >= 1
    assert counted("cases:case_detail", "3xx") == 1  # to the login page
    assert counted("unresolved", "4xx") == 1
    assert counted("healthz", "2xx") == 1
    assert value(text, "vigil_http_request_duration_seconds_count", route="healthz") >= 1
    assert RECEIPT not in text and "982451" not in text and "/desk/" not in text


def test_throttle_refusals_are_counted_by_throttle_never_by_who(client, token):
    before = value(scrape(client).content.decode(), "vigil_throttle_refusals_total", scope="t")
    throttle = Throttle(scope="t", limit=1, window=60)
    for _ in range(3):
        throttle.hit("alice@example.org")
    text = scrape(client).content.decode()
    assert value(text, "vigil_throttle_refusals_total", scope="t") - before == 2
    assert "alice" not in text


def test_job_rows_are_counted_by_kind_and_state(client, token, alice):
    ImportJob.objects.create(requested_by=alice, filename="upload.csv")
    ImportJob.objects.create(requested_by=alice, filename="upload.csv", state="failed")
    for state in ("running", "done", "done"):
        ReportBuild.objects.create(
            report="annual", fmt="pdf", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31),
            language="en", requested_by=alice, state=state,
        )  # fmt: skip
    text = scrape(client).content.decode()
    assert value(text, "vigil_jobs", kind="exchange.importjob", state="queued") == 1
    assert value(text, "vigil_jobs", kind="exchange.importjob", state="failed") == 1
    assert value(text, "vigil_jobs", kind="exchange.importjob", state="done") == 0
    assert value(text, "vigil_jobs", kind="reports.reportbuild", state="running") == 1
    assert value(text, "vigil_jobs", kind="reports.reportbuild", state="done") == 2
    assert set(re.findall(r'vigil_jobs\{kind="([^"]+)"', text)) == {
        "exchange.importjob",
        "reports.reportbuild",
    }


def test_reports_awaiting_triage_are_a_count_and_nothing_of_them(client, token):
    for urgent in (True, False, False):
        intake.submission_create(
            form_token=intake.new_form_token(), language="es", country="COL", urgent=urgent,
            what_happened="Armed men came to the farm of Juana Pérez.",
        )  # fmt: skip
    Submission.objects.filter(pk=Submission.objects.first().pk).update(
        status=SubmissionStatus.CLOSED
    )
    text = scrape(client).content.decode()
    assert value(text, "vigil_intake_reports_awaiting_triage") == 2
    assert value(text, "vigil_intake_reports_held_as_flood") == 0
    assert "Juana" not in text and "COL" not in text


def test_the_queue_length_is_read_from_the_queue(client, token):
    huey = queue.huey()
    huey.storage.enqueue(b"a task waiting")
    try:
        text = scrape(client).content.decode()
    finally:
        huey.storage.flush_queue()
    assert value(text, "vigil_queue_pending_tasks") == 1
    assert value(text, "vigil_metrics_source_up", source="queue") == 1


def test_the_age_of_the_last_anchor_is_shown_once_the_trail_is_anchored(client, token, alice):
    assert "vigil_audit_last_anchor_age_seconds" not in scrape(client).content.decode()
    audit.anchor_head(by="schedule")
    text = scrape(client).content.decode()
    assert 0 <= value(text, "vigil_audit_last_anchor_age_seconds") < 60
    assert value(text, "vigil_metrics_source_up", source="audit_anchors") == 1


def test_a_source_out_of_reach_is_marked_and_the_rest_still_answers(client, token):
    # A real Redis client, pointed at a port where nothing listens.
    from huey import RedisHuey
    from huey.contrib import djhuey

    real = djhuey.HUEY
    djhuey.HUEY = RedisHuey("vigil-tests", url="redis://127.0.0.1:1/9")
    try:
        response = scrape(client)
    finally:
        djhuey.HUEY = real
    text = response.content.decode()
    assert response.status_code == 200
    assert value(text, "vigil_metrics_source_up", source="queue") == 0
    assert value(text, "vigil_metrics_source_up", source="database") == 1
    assert "127.0.0.1" not in text


def test_a_short_token_is_refused_at_start(tmp_path):
    from conftest import manage_env, run_manage

    env = manage_env(tmp_path, VIGIL_DEBUG="1", VIGIL_METRICS_TOKEN="guessable")
    done = run_manage("check", env=env)
    assert done.returncode != 0
    assert "VIGIL_METRICS_TOKEN is shorter than 32 characters" in done.stderr
    assert "guessable" not in done.stderr
