"""Which reports an account may triage: officers their countries', coordinators all."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from vigil.core.permissions import Perm, has_perm, scope_queryset
from vigil.intake.models import Submission


def submissions_for_user(user: Any) -> QuerySet[Submission]:
    if not has_perm(user, Perm.TRIAGE_INTAKE):
        return Submission.objects.none()
    return scope_queryset(Submission.objects.all(), user)


def get_submission_for_user(user: Any, submission_id: Any) -> Submission:
    """The report if `user` may triage it; 404 otherwise (missing or not theirs)."""
    try:
        return submissions_for_user(user).get(pk=int(submission_id))
    except (Submission.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
