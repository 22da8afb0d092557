"""The desk's import page and export downloads (`/desk/records/`)."""

import json
from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from vigil.accounts.two_factor import second_factor_recent
from vigil.core import jobs as core_jobs
from vigil.core import reading
from vigil.core.http import document
from vigil.core.permissions import Perm, has_perm, permission_required
from vigil.exchange import exporter, jobs
from vigil.exchange.forms import ImportForm
from vigil.exchange.models import ImportJob

MAX_BYTES = 20 * 1024 * 1024
WRITERS = {"csv": exporter.as_csv, "json": exporter.as_json, "xlsx": exporter.as_xlsx}


@permission_required(Perm.DOCUMENT_CASES, hidden=True)
@require_http_methods(["GET", "POST"])
def import_records(request: HttpRequest) -> HttpResponse:
    """Upload a file; it is checked and imported in the background (jobs.py)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower().lstrip(".")
        if suffix not in jobs.READERS:
            form.add_error("file", _("Give a .csv, .json or .xlsx file."))
        elif upload.size > MAX_BYTES:
            form.add_error("file", _("The file is larger than 20 MB."))
        else:
            job = jobs.request_import(
                actor=request.user, content=upload.read(), suffix=suffix,
                skip_invalid=form.cleaned_data["skip_invalid"],
                language=translation.get_language(),
            )  # fmt: skip
            return redirect("exchange:import_status", pk=job.pk)
    return render(
        request,
        "exchange/import.html",
        {
            "form": form,
            "may_export_identities": has_perm(request.user, Perm.VIEW_IDENTITIES),
            "recent": ImportJob.objects.filter(requested_by=request.user)[:10],
        },
    )


def _own(request: HttpRequest, pk: Any) -> ImportJob:
    try:
        return ImportJob.objects.get(pk=pk, requested_by=request.user)
    except ImportJob.DoesNotExist:
        raise Http404 from None


def _describe(job: ImportJob) -> dict[str, Any]:
    finished = job.state in {ImportJob.State.DONE, ImportJob.State.FAILED}
    stalled = core_jobs.stalled(job, finished=finished)
    if stalled:
        message = _("The import stopped before it finished; nothing of it was kept. Try again.")
    elif job.state == ImportJob.State.FAILED:
        message = job.failure
    elif job.state == ImportJob.State.DONE and job.imported:
        message = _(
            "Imported: %(created)s records created, %(updated)s updated, "
            "%(unchanged)s unchanged, %(rejected)s rows rejected."
        ) % {
            "created": job.created, "updated": job.updated, "unchanged": job.unchanged,
            "rejected": job.rejected,
        }  # fmt: skip
    elif job.state == ImportJob.State.DONE:
        message = ngettext(
            "Nothing was imported: %(counter)s of %(total)s rows has a problem.",
            "Nothing was imported: %(counter)s of %(total)s rows have problems.",
            job.rejected,
        ) % {"counter": job.rejected, "total": job.rows}
    elif job.state == ImportJob.State.RUNNING:
        message = _("Importing: %(percent)s%% done.") % {"percent": job.percent}
    else:
        message = _("The import is waiting to start.")
    return {"job": job, "message": message, "finished": finished or stalled}


@permission_required(Perm.DOCUMENT_CASES, hidden=True)
def import_status(request: HttpRequest, pk: Any) -> HttpResponse:
    described = _describe(_own(request, pk))
    job = described["job"]
    problems = json.loads(job.problems) if job.problems else []
    return render(
        request,
        "exchange/import_status.html",
        {**described, "problems": problems,
         "progress": reverse("exchange:import_progress", args=[job.pk])},
    )  # fmt: skip


@permission_required(Perm.DOCUMENT_CASES, hidden=True)
def import_progress(request: HttpRequest, pk: Any) -> JsonResponse:
    described = _describe(_own(request, pk))
    return JsonResponse(
        {
            "percent": described["job"].percent,
            "message": described["message"],
            "finished": described["finished"],
            "download": None,
        }
    )


@permission_required(Perm.DOCUMENT_CASES, hidden=True)
@second_factor_recent
def export_records(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in WRITERS:
        raise Http404
    identities = request.GET.get("identities") == "1"
    # The replica, once it holds every record committed so far (a record saved a
    # moment ago is in the file); the export's audit entry goes to the primary.
    with reading.from_replica():
        data: Any = exporter.rows(request.user, identities=identities)
    return document(WRITERS[fmt](data), f"records.{fmt}")
