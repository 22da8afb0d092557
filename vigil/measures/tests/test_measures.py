"""State measures: recording, status history, recommendations, proposals and review."""

from datetime import date

import pytest
from django.urls import reverse

from vigil.cases.tests import factories as make
from vigil.core.models import AuditEntry
from vigil.measures import services
from vigil.measures.models import Measure, Review

pytestmark = pytest.mark.django_db


def record(actor, **fields):
    values = {
        "country": "COL", "kind": "bill", "title": "Foreign funding bill",
        "effect": "restrictive", "status": "parliament", "status_on": date(2025, 2, 1),
        **fields,
    }  # fmt: skip
    return services.measure_create(actor=actor, **values)


def test_an_officer_records_a_measure_with_themes_and_links_and_it_is_audited(alice, client):
    case = make.case(alice)
    client.force_login(alice)
    response = client.post(
        reverse("measures:create"),
        {
            "country": "COL", "kind": "bill", "title": "Foreign funding bill",
            "citation": "Bill 88/2025", "effect": "restrictive", "status": "parliament",
            "status_on": "2025-02-01", "themes": ["foreign_agents", "association"],
            "case_references": case.reference,
        },
    )  # fmt: skip
    measure = Measure.objects.get()
    assert response["Location"] == reverse("measures:detail", args=[measure.pk])
    assert measure.review == Review.ACCEPTED
    assert {t.value for t in measure.themes} == {"foreign_agents", "association"}
    assert list(measure.cases.all()) == [case]
    assert list(measure.history.values_list("status", "on")) == [("parliament", date(2025, 2, 1))]
    assert AuditEntry.objects.filter(action="measures.recorded").exists()


def test_an_officer_cannot_record_a_measure_outside_their_countries(alice, client):
    client.force_login(alice)
    page = client.post(
        reverse("measures:create"),
        {"country": "KEN", "kind": "law", "title": "Kenyan law", "effect": "enabling",
         "status": "in_force", "status_on": "2024-01-01"},
    )  # fmt: skip
    assert "This country is not among yours." in page.content.decode()
    assert "Kenyan law" in page.content.decode()  # what was typed is kept
    assert not Measure.objects.exists()


def test_the_current_status_follows_the_latest_date_whatever_the_order_recorded(alice):
    measure = record(alice)
    services.measure_status_add(
        actor=alice, measure=measure, status="in_force", on=date(2025, 9, 1)
    )
    services.measure_status_add(actor=alice, measure=measure, status="adopted", on=date(2025, 6, 1))
    measure.refresh_from_db()
    assert measure.status == "in_force"
    assert list(measure.history.values_list("status", flat=True)) == [
        "parliament", "adopted", "in_force",
    ]  # fmt: skip
    with pytest.raises(Exception, match="already recorded"):
        services.measure_status_add(
            actor=alice, measure=measure, status="adopted", on=date(2025, 6, 1)
        )


def test_recommendations_are_recorded_and_their_uptake_changed(alice, client):
    measure = record(alice)
    client.force_login(alice)
    client.post(
        reverse("measures:recommendation_add", args=[measure.pk]),
        {"source": "nhri", "made_on": "2025-03-01", "text": "Drop article 4.", "uptake": "unknown"},
    )
    recommendation = measure.recommendations.get()
    client.post(reverse("measures:uptake", args=[recommendation.pk]), {"uptake": "partly"})
    recommendation.refresh_from_db()
    assert recommendation.uptake == "partly"


def test_a_stakeholder_proposes_and_staff_review_with_a_reason_to_reject(sam, alice, client):
    client.force_login(sam)
    client.post(
        reverse("measures:create"),
        {"country": "COL", "kind": "law", "title": "Protection programme law",
         "effect": "enabling", "status": "in_force", "status_on": "2024-05-01"},
    )  # fmt: skip
    proposal = Measure.objects.get()
    assert (proposal.review, proposal.proposed_by) == (Review.PROPOSED, sam)
    # The stakeholder sees their own proposal, and nothing of the staff's.
    other = record(alice, title="Staff-only entry")
    assert client.get(reverse("measures:detail", args=[other.pk])).status_code == 404
    listed = client.get(reverse("measures:list")).content.decode()
    assert "Protection programme law" in listed and "Staff-only entry" not in listed
    assert client.get(reverse("measures:edit", args=[proposal.pk])).status_code == 404

    client.force_login(alice)
    url = reverse("measures:review", args=[proposal.pk])
    page = client.post(url, {"decision": "rejected", "comment": "", "version": proposal.version})
    assert "Say why the proposal is rejected." in page.content.decode()
    client.post(url, {"decision": "accepted", "comment": "", "version": proposal.version})
    proposal.refresh_from_db()
    assert proposal.review == Review.ACCEPTED and proposal.is_public


def test_analysts_and_anonymous_visitors_see_no_measure_pages(dave, client, alice):
    measure = record(alice)
    client.force_login(dave)
    assert client.get(reverse("measures:list")).status_code == 404
    assert client.get(reverse("measures:detail", args=[measure.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("measures:list")).status_code == 302


def test_a_letter_about_a_measure_shows_it_on_its_page(alice, client):
    from vigil.communications.services import communication_create

    letter = communication_create(
        actor=alice, kind="OL", summary="The funding bill.",
        addressees=[{"kind": "state", "country": "COL"}],
    )  # fmt: skip
    measure = record(alice, communications=[letter])
    client.force_login(alice)
    page = client.get(reverse("communications:detail", args=[letter.pk])).content.decode()
    assert reverse("measures:detail", args=[measure.pk]) in page
    assert "Foreign funding bill" in page
