"""The communication workflow: steps, who may take them, references, dates, replies."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vigil.cases.services import StaleRecord
from vigil.cases.tests import factories as make
from vigil.communications import services
from vigil.communications.models import Communication, Status
from vigil.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def draft(actor, kind="UA", country="NLD", **fields):
    return services.communication_create(
        actor=actor,
        kind=kind,
        summary="Threats against the river committee.",
        addressees=[{"kind": "state", "country": country}],
        **fields,
    )


def move(actor, communication, to, **fields):
    current = Communication.objects.get(pk=communication.pk)
    return services.communication_move(
        actor=actor, communication=current, to=to, version=current.version, **fields
    )


def send(alice, carol, communication, on=None):
    move(alice, communication, Status.SUBMITTED)
    move(carol, communication, Status.APPROVED)
    return move(carol, communication, Status.SENT, on=on)


def test_a_draft_goes_through_approval_to_sent_with_its_reference_and_dates(alice, carol):
    case = make.case(alice)
    communication = draft(alice, cases=[case])
    assert communication.reference == "" and communication.status == Status.DRAFT
    sent = send(alice, carol, communication, on=date(2026, 3, 2))
    assert sent.reference == "UA NLD 1/2026"
    assert sent.reply_due == date(2026, 5, 1)
    assert sent.confidential_until == date(2026, 5, 1)
    assert list(sent.cases.all()) == [case]
    actions = list(
        AuditEntry.objects.filter(
            object_id=str(sent.pk), object_type="communications.communication"
        ).values_list("action", flat=True)
    )
    assert actions == [
        "communications.drafted", "communications.submitted", "communications.approved",
        "communications.sent",
    ]  # fmt: skip


def test_references_count_per_country_and_year_across_types(alice, carol):
    first = send(alice, carol, draft(alice, kind="AL"), on=date(2026, 1, 5))
    second = send(alice, carol, draft(alice, kind="UA"), on=date(2026, 2, 5))
    other_country = send(alice, carol, draft(alice, country="COL"), on=date(2026, 2, 6))
    next_year = send(alice, carol, draft(alice, kind="OL"), on=date(2027, 1, 2))
    assert [c.reference for c in (first, second, other_country, next_year)] == [
        "AL NLD 1/2026", "UA NLD 2/2026", "UA COL 1/2026", "OL NLD 1/2027",
    ]  # fmt: skip


def test_a_letter_to_a_company_takes_its_home_country(alice, carol):
    communication = services.communication_create(
        actor=alice,
        kind="AL",
        summary="Attacks near the mine.",
        addressees=[
            {
                "kind": "business",
                "name": "Andes Minerals",
                "country": "CAN",
                "sector": "extractives",
            }
        ],
    )
    assert send(alice, carol, communication, on=date(2026, 4, 1)).reference == "AL CAN 1/2026"


def test_only_a_coordinator_approves_or_sends(alice, carol):
    communication = draft(alice)
    move(alice, communication, Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        move(alice, communication, Status.APPROVED)
    move(carol, communication, Status.APPROVED)
    with pytest.raises(PermissionDenied):
        move(alice, communication, Status.SENT)
    assert Communication.objects.get(pk=communication.pk).status == Status.APPROVED


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], Status.SENT),  # a draft cannot be sent unapproved
        ([], Status.REPLIED),
        ([Status.SUBMITTED], Status.CLOSED),
        (
            [Status.SUBMITTED, Status.APPROVED, Status.SENT, Status.REPLIED, Status.CLOSED],
            Status.SENT,
        ),
    ],
)
@pytest.mark.slow  # about 1 s
def test_a_step_that_makes_no_sense_is_refused(alice, carol, path, refused):
    communication = draft(alice)
    for step in path:
        move(carol, communication, step)
    with pytest.raises(ValidationError, match="cannot become"):
        move(carol, communication, refused)


def test_a_step_based_on_an_old_version_is_refused(alice, carol):
    communication = draft(alice)
    stale = Communication.objects.get(pk=communication.pk)
    move(alice, communication, Status.SUBMITTED)
    with pytest.raises(StaleRecord):
        services.communication_move(
            actor=carol, communication=stale, to=Status.SUBMITTED, version=stale.version
        )


def test_a_reply_is_logged_and_judged_against_the_deadline(alice, carol):
    communication = send(alice, carol, draft(alice), on=timezone.localdate() - timedelta(days=90))
    reply = services.reply_log(
        actor=alice,
        communication=communication,
        received_on=timezone.localdate() - timedelta(days=10),
        sender="Permanent Mission of the Kingdom of the Netherlands",
        kind="substantive",
    )
    assert not reply.within_deadline  # 80 days after sending: late
    assert Communication.objects.get(pk=communication.pk).status == Status.REPLIED


def test_a_reply_cannot_come_before_the_letter_or_to_a_draft(alice, carol):
    with pytest.raises(ValidationError, match="sent"):
        services.reply_log(
            actor=alice,
            communication=draft(alice),
            received_on=date(2026, 1, 1),
            sender="x",
            kind="partial",
        )
    communication = send(alice, carol, draft(alice), on=date(2026, 3, 2))
    with pytest.raises(ValidationError):
        services.reply_log(
            actor=alice,
            communication=communication,
            received_on=date(2026, 3, 1),
            sender="x",
            kind="partial",
        )


def test_addressees_are_required_and_complete(alice):
    with pytest.raises(ValidationError):
        services.communication_create(actor=alice, kind="UA", summary="x", addressees=[])
    with pytest.raises(ValidationError):
        services.communication_create(
            actor=alice, kind="AL", summary="x", addressees=[{"kind": "business", "name": ""}]
        )
    assert not Communication.objects.exists()
