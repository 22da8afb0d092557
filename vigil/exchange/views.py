"""The desk's import page and export downloads (`/desk/records/`)."""

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vigil.core import audit
from vigil.core.http import document
from vigil.core.permissions import Perm, has_perm, permission_required
from vigil.exchange import exporter, importer
from vigil.exchange.forms import ImportForm

MAX_BYTES = 20 * 1024 * 1024
READERS = {".csv": importer.read_csv, ".json": importer.read_json, ".xlsx": importer.read_xlsx}
WRITERS = {"csv": exporter.as_csv, "json": exporter.as_json, "xlsx": exporter.as_xlsx}


@permission_required(Perm.DOCUMENT_CASES, hidden=True)
@require_http_methods(["GET", "POST"])
def import_records(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        reader = READERS.get(Path(upload.name).suffix.lower())
        if reader is None:
            form.add_error("file", _("Give a .csv, .json or .xlsx file."))
        elif upload.size > MAX_BYTES:
            form.add_error("file", _("The file is larger than 20 MB."))
        else:
            try:
                raw = reader(upload.read())
                report = importer.run(
                    request.user, raw, skip_invalid=form.cleaned_data["skip_invalid"]
                )
            except importer.FileError as error:
                form.add_error("file", str(error))
        if report is not None and report.imported:
            audit.record(
                actor=request.user, action="exchange.imported", object_type="records",
                fields=[f"created:{report.created}", f"updated:{report.updated}",
                        f"rejected:{len(report.rejected)}"],
            )  # fmt: skip
            messages.success(
                request,
                _(
                    "Imported: %(created)s records created, %(updated)s updated, "
                    "%(unchanged)s unchanged, %(rejected)s rows rejected."
                )
                % {
                    "created": report.created, "updated": report.updated,
                    "unchanged": report.unchanged, "rejected": len(report.rejected),
                },
            )  # fmt: skip
            if not report.rejected:
                return redirect("exchange:import")
    return render(
        request,
        "exchange/import.html",
        {
            "form": form,
            "report": report,
            "may_export_identities": has_perm(request.user, Perm.VIEW_IDENTITIES),
        },
    )


@permission_required(Perm.DOCUMENT_CASES, hidden=True)
def export_records(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in WRITERS:
        raise Http404
    identities = request.GET.get("identities") == "1"
    data: Any = exporter.rows(request.user, identities=identities)
    return document(WRITERS[fmt](data), f"records.{fmt}")
