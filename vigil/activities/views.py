"""Activity reports: stakeholders submit and fix them, the desk reviews them and
builds the compilation."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.activities import access, services
from vigil.activities.forms import ActivityForm, ReviewForm, StateFilterForm
from vigil.activities.models import ReviewState
from vigil.cases.views import STALE_MESSAGE, _attempt, posted_version
from vigil.core.http import attachment
from vigil.core.permissions import Perm, has_perm, permission_required

_submits_or_reviews = permission_required(
    Perm.SUBMIT_ACTIVITY_REPORTS, Perm.REVIEW_ACTIVITY_REPORTS, hidden=True
)
submitting = permission_required(Perm.SUBMIT_ACTIVITY_REPORTS, hidden=True)
reviewing = permission_required(Perm.REVIEW_ACTIVITY_REPORTS, hidden=True)


def _uploads(form: Any) -> list[services.Upload]:
    return [services.Upload(name=f.name, content=f.read()) for f in form.cleaned_data["files"]]


@_submits_or_reviews
def report_list(request: HttpRequest) -> HttpResponse:
    form = StateFilterForm(request.GET or None)
    reports = access.reports_for_user(request.user).prefetch_related("country_rows")
    if form.is_bound and form.is_valid() and form.cleaned_data["state"]:
        reports = reports.filter(state=form.cleaned_data["state"])
    reviewer = has_perm(request.user, Perm.REVIEW_ACTIVITY_REPORTS)
    if reviewer:  # a queue: the reports waiting for review first, the oldest first
        waiting = Case(When(state=ReviewState.SUBMITTED, then=Value(0)), default=Value(1))
        reports = reports.order_by(waiting, "created_at", "pk")
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "reviewer": reviewer},
    )


@submitting
def report_create(request: HttpRequest) -> HttpResponse:
    last = access.reports_for_user(request.user).order_by("-created_at").first()
    initial = (
        {"stakeholder": last.stakeholder, "stakeholder_type": last.stakeholder_type} if last else {}
    )
    form = ActivityForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        report = _attempt(
            form, services.report_submit, actor=request.user, uploads=_uploads(form),
            **form.service_fields(),
        )  # fmt: skip
        if report is not None:
            messages.success(request, _("Thank you. The desk will review your report."))
            return redirect("activities:detail", report_id=report.pk)
    return render(
        request,
        "cases/form.html",
        {"form": form, "title": _("Report an activity"), "back": reverse("activities:list"),
         "multipart": True},
    )  # fmt: skip


@_submits_or_reviews
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.get_report_for_user(request.user, report_id)
    return _detail(request, report)


def _detail(request: HttpRequest, report: Any, review_form: Any = None) -> HttpResponse:
    reviewer = has_perm(request.user, Perm.REVIEW_ACTIVITY_REPORTS)
    return render(
        request,
        "activities/detail.html",
        {
            "report": report,
            "reviewer": reviewer,
            "may_edit": report.submitted_by_id == request.user.pk
            and report.state in services.EDITABLE,
            "review_form": review_form or ReviewForm(initial={"version": report.version}),
        },
    )


@submitting
def report_edit(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.get_report_for_user(request.user, report_id)
    back = reverse("activities:detail", args=[report.pk])
    if report.state not in services.EDITABLE:
        messages.info(request, _("An accepted or rejected report can no longer be changed."))
        return redirect(back)
    form = ActivityForm(request.POST or None, request.FILES or None, instance=report)
    version = posted_version(request) if request.method == "POST" else report.version
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form, services.report_update, actor=request.user, report=report,
            version=version, uploads=_uploads(form), **form.service_fields(),
        )  # fmt: skip
        if saved is not None:
            messages.success(request, _("Your report has been saved and goes back to the desk."))
            return redirect(back)
    return render(
        request,
        "communications/form.html",
        {"form": form, "title": _("Change your report"), "back": back, "multipart": True,
         "version": version},
    )  # fmt: skip


@reviewing
@require_POST
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.get_report_for_user(request.user, report_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.report_review(actor=request.user, report=report, **form.cleaned_data)
        except services.StaleRecord:
            form.add_error(None, STALE_MESSAGE)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Review saved."))
            return redirect("activities:detail", report_id=report.pk)
    return _detail(request, report, review_form=form)


@_submits_or_reviews
def file_download(request: HttpRequest, file_id: int) -> HttpResponse:
    activity_file = access.get_file_for_user(request.user, file_id)
    content = services.file_content(actor=request.user, activity_file=activity_file)
    return attachment(content, activity_file.filename)
