"""The communications desk (the public record is public_views.py).
Each view: check access, validate, call a service, redirect or render."""

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.accounts.two_factor import second_factor_recent
from vigil.cases.access import cases_for_user, get_case_for_user
from vigil.cases.views import STALE_MESSAGE, _attempt, posted_version
from vigil.communications import access, letters, selectors, services
from vigil.communications.forms import (
    AddresseeFormSet,
    CommunicationFilterForm,
    CommunicationForm,
    ReplyForm,
    VisitEditForm,
    VisitForm,
)
from vigil.communications.models import Communication, Status
from vigil.core import audit, documents
from vigil.core.http import attachment, document
from vigil.core.links import visible
from vigil.core.permissions import Perm, has_perm, in_scope, permission_required

drafting = permission_required(Perm.DRAFT_COMMUNICATIONS, hidden=True)

# Steps offered as buttons. Replies move a letter to "reply received" and sending
# a follow-up letter to "follow-up", so neither is offered by hand.
BUTTONS = {
    Status.SUBMITTED: _("Submit for approval"),
    Status.APPROVED: _("Approve"),
    Status.SENT: _("Mark as sent"),
    Status.DRAFT: _("Send back to draft"),
    Status.NO_REPLY: _("Record that no reply came"),
    Status.CLOSED: _("Close"),
}


def _steps_for(user: Any, communication: Communication) -> list[tuple[str, str]]:
    today = timezone.localdate()
    steps = []
    for step in services.NEXT[Status(communication.status)]:
        if step not in BUTTONS:
            continue
        if step in services.NEEDS_APPROVER and not has_perm(user, Perm.APPROVE_COMMUNICATIONS):
            continue
        if step == Status.NO_REPLY and communication.reply_due and today <= communication.reply_due:
            continue
        steps.append((step.value, str(BUTTONS[step])))
    order = list(BUTTONS)
    return sorted(steps, key=lambda s: order.index(Status(s[0])))


def _page(request: HttpRequest, form: Any, *, title: str, back: str, **extra: Any) -> HttpResponse:
    return render(
        request, "communications/form.html", {"form": form, "title": title, "back": back, **extra}
    )


def _within_reach(request: HttpRequest, form: Any, formset: Any) -> bool:
    """A letter follows its countries (communications/access.py): refuse a draft its
    author could not open once saved, marking the first addressee's country."""
    addressees = formset.addressees()
    cases = form.cleaned_data["case_references"]
    if access.within_reach(request.user, addressees=addressees, cases=cases):
        return True
    first = next(f for f in formset.forms if f.cleaned_data.get("kind"))
    first.add_error("country", _("This country is not among yours."))
    return False


# --- List, draft, edit ----------------------------------------------------------------


@drafting
def communication_list(request: HttpRequest) -> HttpResponse:
    form = CommunicationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = selectors.desk_list(request.user, filters, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "communications/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
    )


@drafting
def communication_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    addressees: list[dict[str, Any]] = []
    case_id = request.GET.get("case")
    if case_id:
        case = get_case_for_user(request.user, case_id)
        initial = {"case_references": case.reference, "kind": "UA"}
        addressees = [{"kind": "state", "country": case.country}]
    form = CommunicationForm(request.POST or None, user=request.user, initial=initial)
    formset = AddresseeFormSet(request.POST or None, initial=addressees, prefix="to")
    if (
        request.method == "POST"
        and form.is_valid()
        and formset.is_valid()
        and _within_reach(request, form, formset)
    ):
        communication = _attempt(
            form,
            services.communication_create,
            actor=request.user,
            addressees=formset.addressees(),
            **form.service_fields(),
        )
        if communication is not None:
            messages.success(request, _("Draft saved."))
            return redirect("communications:detail", communication_id=communication.pk)
    return _page(
        request,
        form,
        formset=formset,
        title=_("Draft a communication"),
        back=reverse("communications:list"),
    )


@drafting
def communication_edit(request: HttpRequest, communication_id: int) -> HttpResponse:
    communication = access.get_communication_for_user(request.user, communication_id)
    back = reverse("communications:detail", args=[communication.pk])
    if communication.status != Status.DRAFT:
        messages.info(request, _("Only a draft can be changed. Send it back to draft first."))
        return redirect(back)
    initial = {
        "kind": communication.kind,
        "summary": communication.summary,
        "body": communication.body,
        "questions": communication.questions,
        "case_references": " ".join(c.reference for c in communication.cases.order_by("pk")),
        "themes": [t.value for t in communication.themes],
        "paragraphs": list(communication.paragraphs.all()),
        "joint": communication.joint,
        "other_mandates": communication.other_mandates,
    }
    form = CommunicationForm(request.POST or None, user=request.user, initial=initial)
    formset = AddresseeFormSet(
        request.POST or None,
        initial=list(communication.addressees.values("kind", "country", "name", "sector")),
        prefix="to",
    )
    version = posted_version(request) if request.method == "POST" else communication.version
    if (
        request.method == "POST"
        and form.is_valid()
        and formset.is_valid()
        and _within_reach(request, form, formset)
    ):
        saved = _attempt(
            form,
            services.communication_update,
            actor=request.user,
            communication=communication,
            version=version,
            addressees=formset.addressees(),
            **form.service_fields(),
        )
        if saved is not None:
            messages.success(request, _("The draft has been saved."))
            return redirect(back)
    return _page(
        request,
        form,
        formset=formset,
        version=version,
        title=_("Change the draft"),
        back=back,
    )


# --- One communication --------------------------------------------------------------


@drafting
def communication_detail(request: HttpRequest, communication_id: int) -> HttpResponse:
    communication = access.get_communication_for_user(request.user, communication_id)
    return _detail(request, communication)


def _detail(request: HttpRequest, communication: Communication, **extra: Any) -> HttpResponse:
    letter = letters.build(communication, reader=request.user)
    audit.record(
        actor=request.user, action="communications.viewed", obj=communication, fields=["letter"]
    )
    from vigil.measures.access import measures_for_user

    reachable = access.communications_for_user(request.user)
    original = communication.follow_up_to
    if original is not None and not reachable.filter(pk=original.pk).exists():
        original = None
    context = {
        "communication": communication,
        "addressees": list(communication.addressees.all()),
        "letter_languages": letters.letter_language_choices(),
        "letter_language": letters.default_letter_language(),
        # Only the linked records the reader may open (core/links.py): a measure of
        # another country may name this letter, a follow-up may concern other cases.
        "cases": list(
            visible(communication.cases.all(), cases_for_user(request.user)).order_by("pk")
        ),
        "replies": list(communication.replies.prefetch_related("files")),
        "follow_up_to": original,
        "follow_ups": list(visible(communication.follow_ups.all(), reachable).order_by("pk")),
        "measures": list(visible(communication.measures.all(), measures_for_user(request.user))),
        "paragraphs": list(communication.paragraphs.select_related("resolution")),
        "letter": letter,
        "headings": letters.headings(),
        "steps": _steps_for(request.user, communication),
        "may_publish": has_perm(request.user, Perm.PUBLISH) and services.may_publish(communication),
        "may_follow_up": communication.status in services.WAS_SENT
        and communication.status != Status.CLOSED,
        "overdue": communication.pk in {c.pk for c in selectors.overdue()},
        **extra,
    }
    return render(request, "communications/detail.html", context)


@drafting
@require_POST
def communication_move(request: HttpRequest, communication_id: int) -> HttpResponse:
    communication = access.get_communication_for_user(request.user, communication_id)
    try:
        services.communication_move(
            actor=request.user,
            communication=communication,
            to=request.POST.get("to", ""),
            version=int(request.POST.get("version", 0)),
        )
    except services.StaleRecord:
        messages.error(request, STALE_MESSAGE)
    except (ValidationError, PermissionDenied, ValueError) as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("The communication has moved on."))
    return redirect("communications:detail", communication_id=communication.pk)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, PermissionDenied) and error.args:
        return str(error.args[0])
    return _("That step is not possible.")


@drafting
@require_POST
@second_factor_recent
def communication_publish(request: HttpRequest, communication_id: int) -> HttpResponse:
    communication = access.get_communication_for_user(request.user, communication_id)
    try:
        services.communication_publish(
            actor=request.user,
            communication=communication,
            version=int(request.POST.get("version", 0)),
        )
    except services.StaleRecord:
        messages.error(request, STALE_MESSAGE)
    except (ValidationError, PermissionDenied, ValueError) as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("Published. It is now on the public communications page."))
    return redirect("communications:detail", communication_id=communication.pk)


@drafting
@require_POST
def follow_up(request: HttpRequest, communication_id: int) -> HttpResponse:
    communication = access.get_communication_for_user(request.user, communication_id)
    try:
        draft = services.follow_up_draft(actor=request.user, communication=communication)
    except ValidationError as error:
        messages.error(request, _message(error))
        return redirect("communications:detail", communication_id=communication.pk)
    messages.success(request, _("Follow-up letter drafted. Complete it and submit it."))
    return redirect("communications:edit", communication_id=draft.pk)


@drafting
@second_factor_recent
def letter_download(
    request: HttpRequest, communication_id: int, addressee_id: int, fmt: str
) -> HttpResponse:
    communication = access.get_communication_for_user(request.user, communication_id)
    addressee = communication.addressees.filter(pk=addressee_id).first()
    if addressee is None or fmt not in {"pdf", "docx"}:
        raise Http404
    language = request.GET.get("language", "")
    if language not in letters.LETTER_LANGUAGES:
        language = letters.default_letter_language()
    letter = letters.build(
        communication, addressee=addressee, language=language, reader=request.user
    )
    try:
        content = letters.as_pdf(letter) if fmt == "pdf" else letters.as_docx(letter)
    except documents.DocumentsUnavailable:
        messages.error(request, documents.UNAVAILABLE)
        return redirect("communications:detail", communication_id=communication.pk)
    audit.record(
        actor=request.user, action="communications.letter_downloaded", obj=communication,
        fields=[fmt, language],
    )  # fmt: skip
    # The reference (or the draft's number) only: never a name in a file name.
    stem = communication.reference or f"draft {communication.pk}"
    stem = re.sub(r"[ /]+", "-", stem)
    return document(content, f"{stem}-{addressee.position + 1}.{fmt}")


# --- Replies --------------------------------------------------------------------------


@drafting
def reply_log(request: HttpRequest, communication_id: int) -> HttpResponse:
    communication = access.get_communication_for_user(request.user, communication_id)
    back = reverse("communications:detail", args=[communication.pk])
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        uploads = [services.Upload(name=f.name, content=f.read()) for f in data.pop("files")]
        reply = _attempt(
            form,
            services.reply_log,
            actor=request.user,
            communication=communication,
            uploads=uploads,
            **data,
        )
        if reply is not None:
            messages.success(request, _("Reply logged."))
            return redirect(back + "#replies")
    return _page(
        request,
        form,
        multipart=True,
        title=_("Log a reply to %(ref)s") % {"ref": communication.reference or communication.pk},
        back=back,
    )


@drafting
def reply_file_download(request: HttpRequest, file_id: int) -> HttpResponse:
    reply_file = access.get_reply_file_for_user(request.user, file_id)
    content = services.reply_file_content(actor=request.user, reply_file=reply_file)
    return attachment(content, reply_file.filename)


# --- Country visits -------------------------------------------------------------------


@drafting
def visit_list(request: HttpRequest) -> HttpResponse:
    visits = access.visits_for_user(request.user)
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    return render(request, "communications/visits.html", {"page": page})


@drafting
def visit_create(request: HttpRequest) -> HttpResponse:
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not in_scope(request.user, form.cleaned_data["country"]):
            form.add_error("country", _("This country is not among yours."))
        else:
            visit = _attempt(form, services.visit_record, actor=request.user, **form.cleaned_data)
            if visit is not None:
                messages.success(request, _("Country visit recorded."))
                return redirect("communications:visit_list")
    return _page(
        request, form, title=_("Record a country visit"), back=reverse("communications:visit_list")
    )


@drafting
def visit_edit(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = access.get_visit_for_user(request.user, visit_id)
    form = VisitEditForm(request.POST or None, instance=visit, initial={"version": visit.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not in_scope(request.user, data["country"]):
            form.add_error("country", _("This country is not among yours."))
        else:
            fresh = access.get_visit_for_user(request.user, visit_id)
            saved = _attempt(form, services.visit_record, actor=request.user, visit=fresh, **data)
            if saved is not None:
                messages.success(request, _("Country visit saved."))
                return redirect("communications:visit_list")
    return _page(
        request, form, title=_("Change a country visit"), back=reverse("communications:visit_list")
    )
