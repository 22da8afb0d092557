"""Reads for triage."""

from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet

from vigil.cases.access import cases_for_user
from vigil.cases.models import Case, DefenderName
from vigil.cases.services import NAME_INDEX
from vigil.core import encryption
from vigil.intake.models import Submission

WINDOW = timedelta(days=45)


def likely_duplicates(user: Any, submission: Submission, *, limit: int = 10) -> QuerySet[Case]:
    """Cases the report may belong to: same country, and an incident within six
    weeks of the report or a defender named as one of the lines of "who was
    targeted" (matched through the keyed name index, never by decrypting)."""
    digests = [
        encryption.blind_index(line, purpose=NAME_INDEX)
        for line in submission.targeted.replace(",", "\n").splitlines()
        if line.strip()
    ]
    named = DefenderName.objects.filter(digest__in=digests).values("defender__cases")
    near = Q(
        incidents__start_date__range=(
            submission.received_on - WINDOW,
            submission.received_on + WINDOW,
        )
    )
    return (
        cases_for_user(user)
        .filter(country=submission.country)
        .filter(near | Q(pk__in=named))
        .distinct()
        .order_by("-updated_at")[:limit]
    )
