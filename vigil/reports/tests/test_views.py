"""The periodic reports desk: a build in the background with its progress, the
download for its owner only, the kinds each role may build, and the narrative."""

import io
import time
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import ViolationType
from vigil.core.models import AuditEntry
from vigil.reports import builds
from vigil.reports.models import Narrative, ReportBuild
from vigil.vault import files


def wait_until_finished(client, build, seconds=60):
    url = reverse("reports:progress", args=[build.pk])
    deadline = time.monotonic() + seconds
    seen = []
    while time.monotonic() < deadline:
        state = client.get(url).json()
        seen.append(state["percent"])
        if state["finished"]:
            return state, seen
        time.sleep(0.2)
    raise AssertionError(f"the build did not finish in {seconds} s: {seen[-5:]}")


@pytest.mark.django_db(transaction=True)
def test_a_report_is_built_in_the_background_and_downloaded_by_its_owner(client, carol, dave):
    victim = make.defender(carol, name="Marta Quispe", consent_publish=True)
    make.act(
        carol, incident=make.incident(carol, start_date=date(2026, 2, 1)), victim=victim,
        violation=ViolationType.THREATS, reprisal=True, reprisal_body="ohchr",
    )  # fmt: skip
    client.force_login(carol)
    response = client.post(
        reverse("reports:list"),
        {"report": "reprisals", "starts_on": "2026-01-01", "ends_on": "2026-06-30",
         "fmt": "docx", "language": "en"},
    )  # fmt: skip
    build = ReportBuild.objects.get()
    assert response["Location"] == reverse("reports:status", args=[build.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-progress-url="' + reverse("reports:progress", args=[build.pk]) in page

    state, seen = wait_until_finished(client, build)
    assert state["state"] == "done" and state["percent"] == 100
    assert state["download"] == reverse("reports:download", args=[build.pk])
    assert seen == sorted(seen)  # progress never goes back
    # Finished: the page no longer refreshes itself and offers the file.
    page = client.get(reverse("reports:status", args=[build.pk])).content.decode()
    assert "http-equiv" not in page and "The report is ready." in page
    download = client.get(state["download"])
    assert download["Content-Disposition"].startswith("attachment")
    text = "\n".join(
        cell.text
        for table in Document(io.BytesIO(download.content)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "Marta Quispe" in text
    # The file is kept encrypted: what is on disk is no Word file.
    build.refresh_from_db()
    assert build.filename == "reprisals-2026-01-01-2026-06-30.docx"
    on_disk = files._sealed(build.stored_name)
    assert not on_disk.startswith(b"PK") and files.read(build.stored_name) == download.content
    assert AuditEntry.objects.filter(action="reports.requested").count() == 1
    assert AuditEntry.objects.filter(action="reports.downloaded").count() == 1

    # Nobody else may follow it or download it, not even another report builder.
    client.force_login(dave)
    for name in ("reports:status", "reports:progress", "reports:download"):
        assert client.get(reverse(name, args=[build.pk])).status_code == 404
    assert "Marta" not in client.get(reverse("reports:list")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_failed_build_says_so_and_logs_nothing_of_its_content(client, carol, caplog):
    build = ReportBuild.objects.create(
        report="no-such-report", fmt="pdf", starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31), language="en", requested_by=carol,
    )  # fmt: skip
    builds.run(build.pk)
    build.refresh_from_db()
    assert build.state == "failed" and build.failure == "error"
    assert "report build" in caplog.text and "KeyError" in caplog.text
    assert "no-such-report" not in caplog.text
    # What its owner is told (of a report they may build).
    ReportBuild.objects.filter(pk=build.pk).update(report="annual")
    client.force_login(carol)
    state = client.get(reverse("reports:progress", args=[build.pk])).json()
    assert state["finished"] and state["download"] is None
    assert "could not be built" in state["message"]
    assert client.get(reverse("reports:download", args=[build.pk])).status_code == 404


@pytest.mark.django_db
def test_a_build_whose_process_stopped_is_shown_as_stopped(client, carol):
    build = ReportBuild.objects.create(
        report="annual", fmt="pdf", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
        language="en", requested_by=carol, state="running",
    )  # fmt: skip
    client.force_login(carol)
    page = client.get(reverse("reports:status", args=[build.pk])).content.decode()
    assert '<noscript><meta http-equiv="refresh"' in page  # refreshes itself without JS
    ReportBuild.objects.filter(pk=build.pk).update(
        updated_at=timezone.now() - builds.STALLED_AFTER - timedelta(seconds=1)
    )
    state = client.get(reverse("reports:progress", args=[build.pk])).json()
    assert state["finished"] and "stopped before it finished" in state["message"]


@pytest.mark.django_db
def test_each_role_is_offered_only_the_reports_it_may_build(client, carol, dave, alice):
    client.force_login(dave)  # an analyst: no names, no confidential letters
    page = client.get(reverse("reports:list")).content.decode()
    assert 'value="annual"' in page and 'value="sdg16101"' in page
    assert 'value="reprisals"' not in page and 'value="communications"' not in page
    response = client.post(
        reverse("reports:list"),
        {"report": "reprisals", "starts_on": "2026-01-01", "ends_on": "2026-06-30",
         "fmt": "pdf", "language": "en"},
    )  # fmt: skip
    assert response.status_code == 200 and not ReportBuild.objects.exists()
    client.force_login(carol)
    page = client.get(reverse("reports:list")).content.decode()
    assert 'value="reprisals"' in page and 'value="communications"' in page
    client.force_login(alice)  # a case officer builds no reports
    assert client.get(reverse("reports:list")).status_code == 404


@pytest.mark.django_db
def test_a_bad_request_comes_back_filled_in(client, carol):
    client.force_login(carol)
    response = client.post(
        reverse("reports:list"),
        {"report": "annual", "starts_on": "2026-06-30", "ends_on": "2026-01-01",
         "fmt": "docx", "language": "nl"},
    )  # fmt: skip
    page = response.content.decode()
    assert "The end of the period is before its start." in page
    assert 'value="2026-06-30"' in page and 'value="docx" selected' in page
    assert not ReportBuild.objects.exists()


@pytest.mark.django_db
def test_the_assessments_narrative_is_kept_per_period(client, dave):
    client.force_login(dave)
    url = reverse("reports:narrative")
    data = {"starts_on": "2026-01-01", "ends_on": "2026-06-30", "challenges": "Funding laws."}
    response = client.post(url, data)
    assert response.status_code == 302
    assert Narrative.objects.get(section="challenges").text == "Funding laws."
    page = client.get(response["Location"]).content.decode()
    assert "Funding laws." in page
    other = client.get(url + "?starts_on=2025-01-01&ends_on=2025-12-31").content.decode()
    assert "Funding laws." not in other
    assert AuditEntry.objects.filter(action="reports.narrative_saved").count() == 1


def done_build(user, report="reprisals", days_ago=0):
    stored = files.save(b"%PDF-1.7 a report")
    build = ReportBuild.objects.create(
        report=report, fmt="pdf", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30),
        language="en", requested_by=user, state="done", stored_name=stored.name,
        filename="reprisals-2026-01-01-2026-06-30.pdf", size=stored.size,
    )  # fmt: skip
    if days_ago:
        ReportBuild.objects.filter(pk=build.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    return build


@pytest.mark.django_db
def test_a_build_is_no_longer_downloadable_once_its_owner_may_not_build_it(client, carol):
    from vigil.core.vocabularies import Role

    build = done_build(carol)
    client.force_login(carol)
    assert client.get(reverse("reports:download", args=[build.pk])).status_code == 200
    carol.role = Role.ANALYST  # no longer sees identities: no reprisals report
    carol.save()
    assert client.get(reverse("reports:download", args=[build.pk])).status_code == 404
    assert "reprisals-2026" not in client.get(reverse("reports:list")).content.decode()


@pytest.mark.django_db
def test_a_reports_file_is_deleted_after_seven_days(client, carol):
    old, recent = done_build(carol, days_ago=8), done_build(carol, days_ago=1)
    client.force_login(carol)
    page = client.get(reverse("reports:list")).content.decode()
    assert "The file was deleted after seven days." in page
    old.refresh_from_db()
    assert (
        old.stored_name == ""
        and client.get(reverse("reports:download", args=[old.pk])).status_code == 404
    )
    assert client.get(reverse("reports:download", args=[recent.pk])).status_code == 200
