"""The triage queue through HTTP: who sees which reports, and what they can do."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from vigil.cases.models import Case
from vigil.cases.tests import factories as make
from vigil.core.models import AuditEntry
from vigil.intake import services
from vigil.intake.models import Submission, SubmissionStatus

pytestmark = pytest.mark.django_db


def report(country="COL", urgent=False, days_ago=0, text="Armed men came to the farm."):
    receipt = services.submission_create(
        form_token=services.new_form_token(),
        language="es",
        what_happened=text,
        country=country,
        urgent=urgent,
        when="last Tuesday",
    )
    submission = receipt.submission
    if days_ago:
        Submission.objects.filter(pk=submission.pk).update(
            received_on=submission.received_on - timedelta(days=days_ago)
        )
    return submission


def test_the_queue_shows_urgent_reports_first_then_the_oldest(client, alice):
    newer = report(days_ago=1)
    older = report(days_ago=5)
    urgent = report(urgent=True)
    report(country="KEN")  # not Alice's country
    client.force_login(alice)
    content = client.get(reverse("intake:queue")).content.decode()
    positions = [content.index(f">#{s.pk}<") for s in (urgent, older, newer)]
    assert positions == sorted(positions)
    assert len(re.findall(r"href=\"/desk/intake/\d+/\"", content)) == 3


@pytest.mark.parametrize(
    ("person", "allowed"),
    [
        ("alice", True),
        ("carol", True),
        ("bob", False),
        ("dave", False),
        ("erin", False),
        ("sam", False),
    ],
)
@pytest.mark.slow  # about 1 s
def test_a_report_opens_for_those_who_triage_its_country_and_404_for_others(
    client, request, person, allowed
):
    submission = report()
    client.force_login(request.getfixturevalue(person))
    status = client.get(reverse("intake:detail", args=[submission.pk])).status_code
    assert status == (200 if allowed else 404)


def test_reading_a_report_puts_it_under_review_and_is_audited(client, alice):
    submission = report()
    client.force_login(alice)
    content = client.get(reverse("intake:detail", args=[submission.pk])).content.decode()
    assert "Armed men came to the farm." in content
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.UNDER_REVIEW
    assert AuditEntry.objects.filter(action="intake.submission_viewed", actor_id=alice.pk).exists()


def test_the_desk_messages_the_reporter(client, alice):
    submission = report()
    client.force_login(alice)
    response = client.post(
        reverse("intake:detail", args=[submission.pk]),
        {"action": "message", "message-text": "Can you tell us the date?"},
    )
    assert response.status_code == 302
    message = submission.messages.get()
    assert (message.from_desk, message.author, message.text) == (
        True,
        alice,
        "Can you tell us the date?",
    )


def test_an_empty_message_is_refused_on_the_page(client, alice):
    submission = report()
    client.force_login(alice)
    response = client.post(
        reverse("intake:detail", args=[submission.pk]), {"action": "message", "message-text": ""}
    )
    assert response.status_code == 200
    assert not submission.messages.exists()


def test_a_report_becomes_a_case_with_what_the_reporter_said(client, alice):
    submission = report(text="They burned the seed bank.")
    client.force_login(alice)
    response = client.post(
        reverse("intake:detail", args=[submission.pk]),
        {"action": "take_up", "take_up-title": "Seed bank burned"},
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    incident = case.incidents.get()
    assert "They burned the seed bank." in incident.narrative
    assert "last Tuesday" in incident.narrative
    assert incident.start_precision == "estimated"
    submission.refresh_from_db()
    assert (submission.status, submission.case) == (SubmissionStatus.TAKEN_UP, case)
    # The reporter's page follows.
    assert submission.get_status_display() == "Taken up"


def test_a_report_is_closed_with_a_reason(client, alice):
    submission = report()
    client.force_login(alice)
    response = client.post(
        reverse("intake:detail", args=[submission.pk]),
        {"action": "close", "close-reason": "Outside our mandate."},
    )
    assert response["Location"] == reverse("intake:queue")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.CLOSED
    assert submission.closed_reason == "Outside our mandate."
    assert AuditEntry.objects.filter(action="intake.submission_closed").exists()


def test_likely_duplicates_are_suggested_and_the_report_joins_one(client, alice):
    named = make.case(alice, title="Known to us by name")
    named.defenders.add(make.defender(alice, name="Beatriz Olmedo"))
    make.incident(alice, case=named, start_date=date(2019, 1, 1))  # long ago: by name only
    recent = make.case(alice, title="Near in time")
    make.incident(alice, case=recent, start_date=date.today() - timedelta(days=10))
    unrelated = make.case(alice, title="Old and unnamed")
    make.incident(alice, case=unrelated, start_date=date(2019, 1, 1))
    elsewhere = make.case(alice, title="Other country", country="PHL")
    make.incident(alice, case=elsewhere, country="PHL", start_date=date.today())

    receipt = services.submission_create(
        form_token=services.new_form_token(),
        language="en",
        what_happened="They came again.",
        country="COL",
        targeted="beatriz olmedo, her brother",
    )
    client.force_login(alice)
    content = client.get(reverse("intake:detail", args=[receipt.submission.pk])).content.decode()
    assert named.reference in content and recent.reference in content
    assert unrelated.reference not in content and elsewhere.reference not in content

    response = client.post(
        reverse("intake:detail", args=[receipt.submission.pk]),
        {"action": "add_to_case", "case": named.pk},
    )
    assert response["Location"] == reverse("cases:case_detail", args=[named.pk])
    assert named.incidents.count() == 2
    receipt.submission.refresh_from_db()
    assert receipt.submission.case == named


def test_a_report_cannot_be_added_to_a_case_the_officer_cannot_see(client, alice, bob):
    kenyan = make.case(bob, title="Kenyan", country="KEN")
    submission = report()
    client.force_login(alice)
    response = client.post(
        reverse("intake:detail", args=[submission.pk]), {"action": "add_to_case", "case": kenyan.pk}
    )
    assert response.status_code == 404
    assert kenyan.incidents.count() == 0
