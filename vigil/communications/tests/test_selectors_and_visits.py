from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vigil.communications import selectors, services
from vigil.communications.models import Communication, CountryVisit, Status
from vigil.communications.tests.test_workflow import draft, move, send

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_overdue_lists_sent_letters_past_their_deadline_without_a_reply(alice, carol):
    late = send(alice, carol, draft(alice), on=TODAY - timedelta(days=70))
    answered = send(alice, carol, draft(alice), on=TODAY - timedelta(days=70))
    services.reply_log(
        actor=alice, communication=answered, received_on=TODAY, sender="x", kind="partial"
    )
    recent = send(alice, carol, draft(alice), on=TODAY - timedelta(days=10))
    closed = send(alice, carol, draft(alice), on=TODAY - timedelta(days=80))
    move(carol, closed, Status.NO_REPLY)
    move(carol, closed, Status.CLOSED)
    draft(alice)  # never sent
    assert list(selectors.overdue()) == [late]
    assert recent not in selectors.overdue()


def test_reply_rates_per_state_count_replies_delays_and_deadlines(alice, carol):
    start = date(2026, 1, 5)
    for days_to_reply in (10, 30, 90, None):  # two in time, one late, one never
        letter = send(alice, carol, draft(alice, country="NLD"), on=start)
        if days_to_reply:
            services.reply_log(
                actor=alice,
                communication=letter,
                received_on=start + timedelta(days=days_to_reply),
                sender="Mission",
                kind="substantive",
            )
    send(alice, carol, draft(alice, country="COL"), on=start)
    rates = {r.addressee: r for r in selectors.reply_rates()}
    netherlands = rates["NLD"]
    assert (netherlands.sent, netherlands.replied, netherlands.replied_in_time) == (4, 3, 2)
    assert netherlands.rate == 0.75
    assert netherlands.median_days == 30
    assert netherlands.label == "Netherlands"
    assert (rates["COL"].sent, rates["COL"].replied, rates["COL"].median_days) == (1, 0, None)
    assert selectors.reply_rates(sent_from=date(2026, 2, 1)) == []


def test_reply_rates_per_company(alice, carol):
    letter = services.communication_create(
        actor=alice, kind="AL", summary="x",
        addressees=[{"kind": "state", "country": "COL"},
                    {"kind": "business", "name": "Andes Minerals", "country": "CAN"}],
    )  # fmt: skip
    send(alice, carol, letter, on=date(2026, 1, 5))
    companies = selectors.reply_rates(kind="business")
    assert [(r.label, r.sent, r.replied) for r in companies] == [("Andes Minerals", 1, 0)]
    assert Communication.objects.get().reference == "AL COL 1/2026"


def test_a_country_visit_moves_from_request_to_report(alice):
    visit = services.visit_record(actor=alice, country="COL", requested_on=date(2025, 2, 1))
    assert visit.status == "requested"
    visit = services.visit_record(
        actor=alice,
        visit=visit,
        status="scheduled",
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 12),
    )
    visit = services.visit_record(
        actor=alice, visit=visit, status="done", report_symbol="A/HRC/61/45/Add.1"
    )
    assert CountryVisit.objects.get().report_symbol == "A/HRC/61/45/Add.1"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"status": "scheduled"}, "starts_on"),
        ({"starts_on": date(2026, 3, 5), "ends_on": date(2026, 3, 1)}, "ends_on"),
        ({"starts_on": date(2024, 1, 1)}, "starts_on"),
        ({"report_symbol": "A/HRC/1/1"}, "report_symbol"),
    ],
)
@pytest.mark.slow  # about 1 s
def test_an_impossible_visit_is_refused(alice, fields, field):
    with pytest.raises(ValidationError) as refused:
        services.visit_record(actor=alice, country="COL", requested_on=date(2025, 2, 1), **fields)
    assert field in refused.value.message_dict
    assert not CountryVisit.objects.exists()
