"""Who may open which activity report: its stakeholder, and the desk's reviewers.
Anyone else gets the same 404 as for a report that does not exist."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from vigil.activities.models import ActivityFile, ActivityReport
from vigil.core.permissions import Perm, has_perm


def reports_for_user(user: Any) -> QuerySet[ActivityReport]:
    if has_perm(user, Perm.REVIEW_ACTIVITY_REPORTS):
        return ActivityReport.objects.all()
    if has_perm(user, Perm.SUBMIT_ACTIVITY_REPORTS):
        return ActivityReport.objects.filter(submitted_by=user)
    return ActivityReport.objects.none()


def get_report_for_user(user: Any, report_id: Any) -> ActivityReport:
    try:
        return reports_for_user(user).get(pk=int(report_id))
    except (ActivityReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_file_for_user(user: Any, file_id: Any) -> ActivityFile:
    try:
        return ActivityFile.objects.select_related("report").get(
            pk=int(file_id), report__in=reports_for_user(user)
        )
    except (ActivityFile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
