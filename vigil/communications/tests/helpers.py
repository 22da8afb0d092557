"""Drafting and sending letters in tests, through the services."""

from vigil.communications import services
from vigil.communications.models import Communication, Status


def draft(actor, case, **fields):
    values = {
        "kind": "UA",
        "summary": "Threats against Marta Quispe and Rosa Tupac of the river committee.",
        "body": "Marta Quispe and Rosa Tupac received death threats.",
        "addressees": [{"kind": "state", "country": "COL"}],
        "cases": [case],
        "themes": ["environment"],
        **fields,
    }
    return services.communication_create(actor=actor, **values)


def move(actor, communication, to, **fields):
    current = Communication.objects.get(pk=communication.pk)
    return services.communication_move(
        actor=actor, communication=current, to=to, version=current.version, **fields
    )


def sent(alice, carol, case, on, **fields):
    communication = draft(alice, case, **fields)
    move(alice, communication, Status.SUBMITTED)
    move(carol, communication, Status.APPROVED)
    return move(carol, communication, Status.SENT, on=on)
