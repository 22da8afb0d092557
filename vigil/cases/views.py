"""The case desk. Each view: check access, validate, call a service, redirect or render."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vigil.accounts.two_factor import second_factor_recent
from vigil.cases import access, selectors, services
from vigil.cases.forms import (
    ActEditForm,
    ActForm,
    CaseEditForm,
    CaseFilterForm,
    CaseForm,
    DefenderEditForm,
    DefenderForm,
    EvidenceForm,
    IncidentEditForm,
    IncidentForm,
    NoteForm,
    RelationForm,
    SourceEditForm,
    SourceForm,
    TaskForm,
    VerificationForm,
)
from vigil.cases.models import Case, CaseTask
from vigil.core import documents, posted_search
from vigil.core.http import attachment, document
from vigil.core.permissions import Perm, permission_required

casework = permission_required(Perm.DOCUMENT_CASES, hidden=True)
T = TypeVar("T")

STALE_MESSAGE = gettext_lazy(
    "Someone else saved this record after you opened it, so your changes were not "
    "saved. They are still in the form below: compare them with the current record "
    "(open it in another tab), then save again."
)


def _attempt(form: Any, service: Callable[..., T], **arguments: Any) -> T | None:
    """Call a service for a valid form. When it refuses, put the reason on the form
    (next to the fields it names) and return None: the page then shows the form
    again with everything the person typed."""
    try:
        return service(**arguments)
    except services.StaleRecord:
        form.add_error(None, STALE_MESSAGE)
    except ValidationError as error:
        form.add_error(None, error)
    return None


def posted_version(request: HttpRequest) -> int:
    """The version of the record the person opened, from the form; 0 when missing or
    garbled, which no record has, so the save is refused as stale rather than made
    over someone else's changes."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


def _form_page(
    request: HttpRequest, form: Any, *, title: str, back: str, **extra: Any
) -> HttpResponse:
    return render(request, "cases/form.html", {"form": form, "title": title, "back": back, **extra})


# --- The case list and the case file ------------------------------------------------


@casework
def case_list(request: HttpRequest) -> HttpResponse:
    # The words of a search may be a name: see core/posted_search.py.
    if request.method == "POST":
        return redirect(posted_search.redirect_url(request, "cases:case_list", scope="cases"))
    data = posted_search.restore(request, scope="cases")
    form = CaseFilterForm(data or None)
    filters = selectors.CaseFilter()
    if form.is_bound and form.is_valid():
        cleaned = dict(form.cleaned_data)
        mine = cleaned.pop("mine")
        filters = selectors.CaseFilter(**cleaned, assigned_to=request.user.pk if mine else None)
    page = selectors.case_page(request.user, filters, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": not filters.is_empty(),
        },
    )


@casework
def case_create(request: HttpRequest) -> HttpResponse:
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = _attempt(form, services.case_create, actor=request.user, **form.cleaned_data)
        if case is not None:
            messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
            return redirect("cases:case_detail", case_id=case.pk)
    return _form_page(request, form, title=_("Open a case"), back=reverse("cases:case_list"))


def _case_page(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    context = selectors.case_file(request.user, case)
    context.update(
        note_form=forms.get("note_form") or NoteForm(),
        task_form=forms.get("task_form") or TaskForm(),
    )
    return render(request, "cases/case_detail.html", context)


@casework
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    return _case_page(request, case)


@casework
@second_factor_recent
def case_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case record as a PDF, for printing or a secure hand-over."""
    case = access.get_case_for_user(request.user, case_id)
    context = selectors.case_file(request.user, case, exported=True)
    context.update(user=request.user, generated_at=timezone.now())
    try:
        pdf = documents.render_pdf("cases/case_record.html", context, stylesheet="css/record.css")
    except documents.DocumentsUnavailable:
        messages.error(
            request,
            documents.UNAVAILABLE,
        )
        return redirect("cases:case_detail", case_id=case.pk)
    return document(pdf, f"{case.reference}.pdf")


@casework
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    form = CaseEditForm(request.POST or None, instance=case, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            services.case_update,
            actor=request.user,
            case=case,
            version=form.cleaned_data["version"],
            officers=form.cleaned_data["officers"],
            paragraphs=form.cleaned_data["paragraphs"],
            **form.changes(),
        )
        if saved is not None:
            messages.success(request, _("The case has been saved."))
            return redirect("cases:case_detail", case_id=case.pk)
    back = reverse("cases:case_detail", args=[case.pk])
    return _form_page(
        request, form, title=_("Edit case %(ref)s") % {"ref": case.reference}, back=back
    )


@casework
@require_POST
def note_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.case_add_note(actor=request.user, case=case, text=form.cleaned_data["text"])
        messages.success(request, _("Note added."))
        return redirect(reverse("cases:case_detail", args=[case.pk]) + "#notes")
    return _case_page(request, case, note_form=form)


@casework
@require_POST
def task_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    form = TaskForm(request.POST)
    if form.is_valid():
        services.case_add_task(
            actor=request.user, case=case, assignee=request.user, **form.cleaned_data
        )
        messages.success(request, _("Task added."))
        return redirect(reverse("cases:case_detail", args=[case.pk]) + "#tasks")
    return _case_page(request, case, task_form=form)


@casework
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    task = CaseTask.objects.select_related("case").filter(pk=task_id).first()
    case = access.get_case_for_user(request.user, task.case_id if task else None)
    services.case_complete_task(actor=request.user, task=task)
    return redirect(reverse("cases:case_detail", args=[case.pk]) + "#tasks")


# --- Defenders ------------------------------------------------------------------------


@casework
def defender_create(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    form = DefenderForm(request.POST or None, initial={"country": case.country})
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form, services.defender_create, actor=request.user, case=case, **form.defender_fields()
        )
        if saved is not None:
            messages.success(request, _("Defender recorded."))
            return redirect("cases:case_detail", case_id=case.pk)
    back = reverse("cases:case_detail", args=[case.pk])
    return _form_page(request, form, title=_("Record a defender"), back=back, case=case)


@casework
def defender_edit(request: HttpRequest, defender_id: int) -> HttpResponse:
    defender = access.get_defender_for_user(request.user, defender_id)
    form = DefenderEditForm(
        request.POST or None, instance=defender, initial={"version": defender.version}
    )
    case = defender.cases.order_by("pk").first()
    back = reverse("cases:case_detail", args=[case.pk]) if case else reverse("cases:case_list")
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            services.defender_update,
            actor=request.user,
            defender=defender,
            version=form.cleaned_data["version"],
            **form.defender_fields(),
        )
        if saved is not None:
            messages.success(request, _("Defender saved."))
            return redirect(back)
    title = _("Edit defender #%(id)s") % {"id": defender.pk}
    return _form_page(request, form, title=title, back=back)


@casework
def relation_add(request: HttpRequest, defender_id: int) -> HttpResponse:
    defender = access.get_defender_for_user(request.user, defender_id)
    case = access.cases_for_user(request.user).filter(defenders=defender).order_by("pk").first()
    form = RelationForm(request.POST or None, initial={"country": defender.country})
    back = (
        reverse("cases:case_detail", args=[case.pk]) + f"#defender-{defender.pk}"
        if case
        else reverse("cases:case_list")
    )
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            services.relation_add,
            actor=request.user,
            defender=defender,
            case=case,
            relation=form.cleaned_data["relation"],
            **form.defender_fields(),
        )
        if saved is not None:
            messages.success(request, _("Relative or representative recorded."))
            return redirect(back)
    title = _("A relative or representative of %(name)s") % {"name": defender.name}
    return _form_page(request, form, title=title, back=back)


# --- Incidents, acts, sources -------------------------------------------------------


@casework
def incident_create(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    form = IncidentForm(request.POST or None, initial={"country": case.country})
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form, services.incident_create, actor=request.user, case=case, **form.cleaned_data
        )
        if saved is not None:
            messages.success(request, _("Incident recorded."))
            return redirect("cases:case_detail", case_id=case.pk)
    back = reverse("cases:case_detail", args=[case.pk])
    return _form_page(request, form, title=_("Record an incident"), back=back, case=case)


def _back_to_incident(incident: Any) -> str:
    case = incident.cases.order_by("pk").first()
    if case is None:
        return reverse("cases:case_list")
    return reverse("cases:case_detail", args=[case.pk]) + f"#incident-{incident.pk}"


@casework
def incident_edit(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = access.get_incident_for_user(request.user, incident_id)
    form = IncidentEditForm(
        request.POST or None, instance=incident, initial={"version": incident.version}
    )
    back = _back_to_incident(incident)
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            services.incident_update,
            actor=request.user,
            incident=incident,
            version=form.cleaned_data["version"],
            **form.changes(),
        )
        if saved is not None:
            messages.success(request, _("Incident saved."))
            return redirect(back)
    return _form_page(
        request, form, title=_("Edit incident #%(id)s") % {"id": incident.pk}, back=back
    )


@casework
def act_create(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = access.get_incident_for_user(request.user, incident_id)
    form = ActForm(request.POST or None, victims=_victims_for(request.user, incident))
    back = _back_to_incident(incident)
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            services.act_create,
            actor=request.user,
            incident=incident,
            victim=form.cleaned_data["victim"],
            perpetrators=form.perpetrators(),
            **form.act_fields(),
        )
        if saved is not None:
            messages.success(request, _("Act recorded."))
            return redirect(back)
    return _form_page(request, form, title=_("Record an act"), back=back, incident=incident)


def _victims_for(user: Any, incident: Any) -> Any:
    return (
        access.defenders_for_user(user)
        .filter(Q(cases__incidents=incident) | Q(country=incident.country))
        .distinct()
        .order_by("pk")
    )


@casework
def act_edit(request: HttpRequest, act_id: int) -> HttpResponse:
    act = access.get_act_for_user(request.user, act_id)
    form = ActEditForm(
        request.POST or None,
        instance=act,
        victims=_victims_for(request.user, act.incident),
        initial={"version": act.version},
    )
    back = _back_to_incident(act.incident)
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            services.act_update,
            actor=request.user,
            act=act,
            version=form.cleaned_data["version"],
            perpetrators=form.perpetrators(),
            **form.act_fields(),
        )
        if saved is not None:
            messages.success(request, _("Act saved."))
            return redirect(back)
    title = _("Edit: %(violation)s") % {"violation": act.get_violation_display()}
    return _form_page(request, form, title=title, back=back)


@casework
def source_edit(request: HttpRequest, source_id: int) -> HttpResponse:
    source = access.get_source_for_user(request.user, source_id)
    form = SourceEditForm(
        request.POST or None,
        instance=source,
        incident=source.incident,
        user=request.user,
        initial={"version": source.version},
    )
    back = _back_to_incident(source.incident)
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            services.source_update,
            actor=request.user,
            source=source,
            version=form.cleaned_data["version"],
            acts=form.cleaned_data["acts"],
            **form.changes(),
        )
        if saved is not None:
            messages.success(request, _("Source saved."))
            return redirect(back)
    return _form_page(request, form, title=_("Edit source #%(id)s") % {"id": source.pk}, back=back)


@casework
def source_create(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = access.get_incident_for_user(request.user, incident_id)
    form = SourceForm(request.POST or None, incident=incident, user=request.user)
    back = _back_to_incident(incident)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        acts = data.pop("acts")
        saved = _attempt(
            form, services.source_create, actor=request.user, incident=incident, acts=acts, **data
        )
        if saved is not None:
            messages.success(request, _("Source recorded."))
            return redirect(back)
    return _form_page(request, form, title=_("Add a source"), back=back, incident=incident)


@casework
def evidence_add(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = access.get_incident_for_user(request.user, incident_id)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    back = _back_to_incident(incident)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        saved = _attempt(
            form,
            services.evidence_add,
            actor=request.user,
            incident=incident,
            content=upload.read(),
            filename=upload.name,
            description=form.cleaned_data["description"],
        )
        if saved is not None:
            messages.success(request, _("Evidence stored, encrypted."))
            return redirect(back)
    return _form_page(
        request, form, title=_("Add evidence"), back=back, incident=incident, multipart=True
    )


@casework
def evidence_download(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = access.get_evidence_for_user(request.user, evidence_id)
    content = services.evidence_content(actor=request.user, evidence=evidence)
    return attachment(content, evidence.filename)


@casework
def act_verify(request: HttpRequest, act_id: int) -> HttpResponse:
    act = access.get_act_for_user(request.user, act_id)
    form = VerificationForm(
        request.POST or None,
        initial={
            "version": act.version,
            "verification": act.verification,
            "independent_sources": act.independent_sources,
        },
    )
    back = _back_to_incident(act.incident)
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form, services.act_set_verification, actor=request.user, act=act, **form.cleaned_data
        )
        if saved is not None:
            messages.success(request, _("Verification saved."))
            return redirect(back)
    title = _("Verify: %(violation)s") % {"violation": act.get_violation_display()}
    return _form_page(request, form, title=title, back=back, act=act)
