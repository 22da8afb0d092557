"""Activity reports: a stakeholder submits, the desk reviews and downloads the
compilation (whose content reports/tests/test_compilation.py checks)."""

import io
from datetime import date

import pytest
from django.urls import reverse

from conftest import make_user
from vigil.activities import services
from vigil.activities.models import ActivityReport, ReviewState
from vigil.core.vocabularies import Role

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


def submit(actor, **fields):
    values = {
        "stakeholder": "Defensoría del Pueblo", "stakeholder_type": "nhri",
        "title": "Training for community leaders", "kind": "training",
        "starts_on": date(2026, 3, 10), "level_local": True, "description": "Two days.",
        "countries": ["COL"], **fields,
    }  # fmt: skip
    return services.report_submit(actor=actor, **values)


def review(actor, report, decision, comment=""):
    current = ActivityReport.objects.get(pk=report.pk)
    return services.report_review(
        actor=actor, report=current, version=current.version, decision=decision, comment=comment
    )


def test_a_stakeholder_submits_a_report_with_levels_countries_and_a_file(sam, client):
    client.force_login(sam)
    upload = io.BytesIO(PNG)
    upload.name = "programme.png"
    response = client.post(
        reverse("activities:create"),
        {
            "stakeholder": "Red de Defensoras", "stakeholder_type": "civil_society",
            "title": "Reading the Declaration aloud", "kind": "event",
            "starts_on": "2026-04-01", "levels": ["local", "national"],
            "countries": ["COL", "PER"], "languages": "Spanish, Quechua",
            "description": "Public readings in ten towns.", "files": [upload],
        },
    )  # fmt: skip
    report = ActivityReport.objects.get()
    assert response["Location"] == reverse("activities:detail", args=[report.pk])
    assert report.state == ReviewState.SUBMITTED and report.submitted_by == sam
    assert [level.value for level in report.levels] == ["local", "national"]
    assert report.country_codes == ["COL", "PER"]
    assert client.get(reverse("activities:file", args=[report.files.get().pk])).content == PNG


def test_a_form_without_level_or_country_comes_back_filled_in(sam, client):
    client.force_login(sam)
    page = client.post(
        reverse("activities:create"),
        {"stakeholder": "Red", "stakeholder_type": "civil_society", "title": "Kept title",
         "kind": "event", "starts_on": "2026-04-01", "description": "Kept description."},
    )  # fmt: skip
    html = page.content.decode()
    assert "Choose at least one level." in html and "Name at least one country." in html
    assert "Kept title" in html and "Kept description." in html
    assert not ActivityReport.objects.exists()


def test_returned_reports_are_fixed_by_their_stakeholder_and_go_back_for_review(sam, alice, client):
    report = submit(sam)
    with pytest.raises(Exception, match="Tell the stakeholder why"):
        review(alice, report, ReviewState.RETURNED)
    review(alice, report, ReviewState.RETURNED, "Please add the number of participants.")
    client.force_login(sam)
    page = client.get(reverse("activities:detail", args=[report.pk])).content.decode()
    assert "Please add the number of participants." in page
    report.refresh_from_db()
    client.post(
        reverse("activities:edit", args=[report.pk]),
        {
            "version": report.version, "stakeholder": report.stakeholder,
            "stakeholder_type": "nhri", "title": report.title, "kind": "training",
            "starts_on": "2026-03-10", "levels": ["local"], "countries": ["COL"],
            "description": "Two days, 40 participants.",
        },
    )  # fmt: skip
    report.refresh_from_db()
    assert report.state == ReviewState.SUBMITTED
    assert report.description == "Two days, 40 participants."
    review(alice, report, ReviewState.ACCEPTED)
    assert client.get(reverse("activities:edit", args=[report.pk])).status_code == 302


def test_stakeholders_see_only_their_own_reports_and_analysts_none(sam, alice, dave, client):
    mine = submit(sam)
    other = submit(make_user("sara", Role.STAKEHOLDER), title="Another organisation's")
    client.force_login(sam)
    assert client.get(reverse("activities:detail", args=[other.pk])).status_code == 404
    listed = client.get(reverse("activities:list")).content.decode()
    assert mine.title in listed and "Another organisation" not in listed
    client.force_login(dave)
    assert client.get(reverse("activities:list")).status_code == 404
    client.force_login(alice)  # the desk reviews every report
    assert client.get(reverse("activities:detail", args=[other.pk])).status_code == 200


@pytest.mark.slow  # about 6 s
def test_the_desk_downloads_the_compilation_in_html(sam, alice, carol, client):
    review(alice, submit(sam), ReviewState.ACCEPTED)
    client.force_login(carol)
    response = client.post(
        reverse("reports:compilation"),
        {"start": "2026-01-01", "end": "2026-12-31", "format": "html"},
    )
    assert response["Content-Disposition"].endswith('"compilation-2026-01-01-2026-12-31.html"')
    html = response.content.decode()
    assert "Training for community leaders" in html
    chart = html.split("<svg", 1)[1].split("</svg>")[0]
    assert "Reports by type of stakeholder" in chart and "National human rights" in chart
    client.force_login(alice)  # officers review but do not build reports
    assert client.get(reverse("reports:compilation")).status_code == 404
