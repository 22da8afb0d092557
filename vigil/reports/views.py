"""The reports desk (`/desk/reports/`): ask for a report, follow its build, and
download it; write the assessment's narrative sections. Two reports are also built
on the spot, from their own pages: the communications report
(`/desk/communications/report/`) and the compilation of activity reports
(`/desk/activities/compilation/`); their URLs stay beside the lists they come from.

Each build belongs to the person who asked for it: nobody else can follow or
download it (404), since a report may name people or list confidential letters.
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vigil.accounts.two_factor import second_factor_recent
from vigil.core import audit, documents
from vigil.core.http import document
from vigil.core.permissions import Perm, permission_required
from vigil.reports import assessment, builds, registry
from vigil.reports.forms import (
    CommunicationsReportForm,
    CompilationForm,
    NarrativeForm,
    ReportRequestForm,
)
from vigil.reports.models import Narrative, ReportBuild
from vigil.vault import files

RECENT = 20


def _period() -> tuple[date, date]:
    """The default period: the last full calendar year."""
    year = timezone.localdate().year - 1
    return date(year, 1, 1), date(year, 12, 31)


@permission_required(Perm.BUILD_REPORTS, Perm.APPROVE_COMMUNICATIONS, hidden=True)
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    start, end = _period()
    form = ReportRequestForm(
        request.POST or None,
        user=request.user,
        initial={
            "starts_on": start, "ends_on": end, "fmt": "pdf",
            "language": translation.get_language(),
        },
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        build = builds.request_build(
            actor=request.user, report=data["report"], fmt=data["fmt"],
            start=data["starts_on"], end=data["ends_on"], language=data["language"],
        )  # fmt: skip
        return redirect("reports:status", pk=build.pk)
    builds.purge_expired()
    allowed = {kind.name for kind in registry.allowed(request.user)}
    mine = ReportBuild.objects.filter(requested_by=request.user, report__in=allowed)[:RECENT]
    return render(
        request,
        "reports/list.html",
        {"form": form, "builds": [_describe(b) for b in mine]},
    )


def _own(request: HttpRequest, pk: Any) -> ReportBuild:
    """The build if `request.user` asked for it and may still build that report (a
    role may have changed since)."""
    try:
        build = ReportBuild.objects.get(pk=pk, requested_by=request.user)
    except ReportBuild.DoesNotExist:
        raise Http404 from None
    if build.report not in {kind.name for kind in registry.allowed(request.user)}:
        raise Http404
    return build


def _describe(build: ReportBuild) -> dict[str, Any]:
    """What the pages and the progress poll say about a build."""
    stalled = builds.stalled(build)
    if stalled:
        message = _("The build stopped before it finished. Ask for the report again.")
    elif build.failure == "expired":
        message = _("The file was deleted after seven days. Ask for the report again.")
    elif build.state == ReportBuild.State.FAILED:
        message = (
            str(documents.UNAVAILABLE)
            if build.failure == "unavailable"
            else _(
                "The report could not be built. Ask for it again; if it fails again, tell "
                "an administrator."
            )
        )
    elif build.state == ReportBuild.State.DONE:
        message = _("The report is ready.")
    elif build.state == ReportBuild.State.RUNNING:
        message = _("The report is being built: %(percent)s%% done.") % {"percent": build.percent}
    else:
        message = _("The report is waiting to start.")
    finished = build.state in {ReportBuild.State.DONE, ReportBuild.State.FAILED} or stalled
    return {
        "build": build,
        "label": registry.label(build.report) if build.report in registry.names() else build.report,
        "message": message,
        "finished": finished,
        "ready": build.state == ReportBuild.State.DONE,
        "download": reverse("reports:download", args=[build.pk]),
        "progress": reverse("reports:progress", args=[build.pk]),
    }


@permission_required(Perm.BUILD_REPORTS, Perm.APPROVE_COMMUNICATIONS, hidden=True)
def report_status(request: HttpRequest, pk: Any) -> HttpResponse:
    return render(request, "reports/status.html", _describe(_own(request, pk)))


@permission_required(Perm.BUILD_REPORTS, Perm.APPROVE_COMMUNICATIONS, hidden=True)
def report_progress(request: HttpRequest, pk: Any) -> JsonResponse:
    """Polled by the status page's script: the state, the share done, the message."""
    described = _describe(_own(request, pk))
    build = described["build"]
    return JsonResponse(
        {
            "state": build.state,
            "percent": build.percent,
            "message": described["message"],
            "finished": described["finished"],
            "download": described["download"] if described["ready"] else None,
        }
    )


@permission_required(Perm.BUILD_REPORTS, Perm.APPROVE_COMMUNICATIONS, hidden=True)
@second_factor_recent
def report_download(request: HttpRequest, pk: Any) -> HttpResponse:
    build = _own(request, pk)
    if build.state != ReportBuild.State.DONE:
        raise Http404
    audit.record(
        actor=request.user, action="reports.downloaded", obj=build,
        fields=[build.report, build.fmt],
    )  # fmt: skip
    return document(files.read(build.stored_name), build.filename)


@permission_required(Perm.BUILD_REPORTS, hidden=True)
@require_http_methods(["GET", "POST"])
def narrative_edit(request: HttpRequest) -> HttpResponse:
    """The assessment's narrative for a period: GET ?starts_on=&ends_on= loads it."""
    start, end = _period()
    if request.method == "POST":
        form = NarrativeForm(request.POST)
        period = (request.POST.get("starts_on", ""), request.POST.get("ends_on", ""))
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                for key, _heading in assessment.SECTIONS:
                    Narrative.objects.update_or_create(
                        report="assessment", starts_on=data["starts_on"],
                        ends_on=data["ends_on"], section=key,
                        defaults={"text": data[key], "updated_by": request.user},
                    )  # fmt: skip
            audit.record(
                actor=request.user, action="reports.narrative_saved", object_type="narrative",
                object_id="assessment",
                fields=[data["starts_on"].isoformat(), data["ends_on"].isoformat()],
            )  # fmt: skip
            messages.success(
                request,
                _(
                    "The narrative is saved. It goes into the next build of the assessment for "
                    "this period."
                ),
            )
            return redirect(
                f"{reverse('reports:narrative')}?starts_on={data['starts_on'].isoformat()}"
                f"&ends_on={data['ends_on'].isoformat()}"
            )
    else:
        period = NarrativeForm(request.GET or None)
        if period.is_bound:
            period.is_valid()
            start = period.cleaned_data.get("starts_on") or start
            end = period.cleaned_data.get("ends_on") or end
        form = NarrativeForm(
            initial={"starts_on": start, "ends_on": end, **assessment.narratives(start, end)}
        )
        period = (start.isoformat(), end.isoformat())
    return render(
        request, "reports/narrative.html", {"form": form, "start": period[0], "end": period[1]}
    )


# --- Built on the spot, from the communications and activities desks ---------------


def _on_the_spot(
    request: HttpRequest,
    form: Any,
    *,
    kind: str,
    period: tuple[str, str],
    title: str,
    back: str,
    recorded: Any,
    **options: str,
) -> HttpResponse:
    """Build report `kind` from `form` (its `period` fields, its format, and `options`
    as {build option: form field}) and hand the file over, or show the form again with
    what is wrong. `recorded(data)` audits the build."""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            built = registry.build(
                kind,
                start=data[period[0]],
                end=data[period[1]],
                fmt=data["format"],
                **{option: data[field] for option, field in options.items()},
            )
        except documents.DocumentsUnavailable:
            form.add_error(None, documents.UNAVAILABLE)
        else:
            recorded(data)
            return document(built.content, built.filename)
    return render(
        request,
        "communications/form.html",
        {"form": form, "title": title, "back": back, "submit": _("Build and download")},
    )


# The report lists letters still confidential: for those who approve and send them.
@permission_required(Perm.APPROVE_COMMUNICATIONS, hidden=True)
@second_factor_recent
def communications_report(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = CommunicationsReportForm(
        request.POST or None,
        initial={"sent_from": date(today.year, 1, 1), "sent_to": today, "format": "pdf"},
    )
    return _on_the_spot(
        request, form, kind="communications", period=("sent_from", "sent_to"),
        title=_("Communications report"), back=reverse("communications:list"),
        replies_from="replies_from", replies_to="replies_to",
        recorded=lambda data: audit.record(
            actor=request.user, action="communications.report_built", obj=None,
            fields=[data["format"], data["sent_from"].isoformat(), data["sent_to"].isoformat()],
        ),
    )  # fmt: skip


@permission_required(Perm.BUILD_REPORTS, hidden=True)
@second_factor_recent
def compilation(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = CompilationForm(
        request.POST or None,
        initial={"start": date(today.year, 1, 1), "end": today, "format": "pdf"},
    )
    return _on_the_spot(
        request, form, kind="compilation", period=("start", "end"),
        title=_("Compilation of activity reports"), back=reverse("activities:list"),
        recorded=lambda data: audit.record(
            actor=request.user, action="reports.built", object_type="report",
            object_id="compilation",
            fields=[data["format"], data["start"].isoformat(), data["end"].isoformat()],
        ),
    )  # fmt: skip
