"""Reads for triage."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from vigil.cases.access import cases_for_user
from vigil.cases.models import Case, DefenderName
from vigil.cases.services import NAME_INDEX
from vigil.core.permissions import Perm, has_perm
from vigil.core.selectors import Figure
from vigil.intake.access import submissions_for_user
from vigil.intake.models import Submission, SubmissionStatus
from vigil.vault import index

WINDOW = timedelta(days=45)


def likely_duplicates(user: Any, submission: Submission, *, limit: int = 10) -> QuerySet[Case]:
    """Cases the report may belong to: same country, and an incident within six
    weeks of the report or a defender named as one of the lines of "who was
    targeted" (matched through the keyed name index, never by decrypting)."""
    digests = [
        index.blind_index(line, purpose=NAME_INDEX)
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


def dashboard_figures(user: Any) -> list[Figure]:
    """Reports waiting for triage, within the viewer's scope."""
    if not has_perm(user, Perm.TRIAGE_INTAKE):
        return []
    waiting = submissions_for_user(user).filter(
        status__in=[SubmissionStatus.RECEIVED, SubmissionStatus.UNDER_REVIEW]
    )
    return [
        Figure(label=str(_("Reports waiting")), value=waiting.count()),
        Figure(label=str(_("Urgent reports waiting")), value=waiting.filter(urgent=True).count()),
    ]


OPEN = [SubmissionStatus.RECEIVED, SubmissionStatus.UNDER_REVIEW]


def held_pool_full() -> bool:
    """Whether as many reports are held apart as a suspected flood, waiting for
    triage, as `INTAKE_HELD_MAX` allows: past it, held reports keep no files, the
    bound on what a flood can store."""
    held = Submission.objects.filter(held_as_flood=True, status__in=OPEN)
    return held.count() >= settings.INTAKE_HELD_MAX
