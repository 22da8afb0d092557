"""The triage queue at /desk/intake/: read, answer, take up or close reports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigil.cases.access import cases_for_user, get_case_for_user
from vigil.core.http import attachment as download
from vigil.core.permissions import Perm, permission_required
from vigil.intake import access, selectors, services
from vigil.intake.forms import CloseForm, DeskMessageForm, TakeUpForm
from vigil.intake.models import SubmissionFile, SubmissionStatus

triage = permission_required(Perm.TRIAGE_INTAKE, hidden=True)


@triage
def queue(request: HttpRequest) -> HttpResponse:
    """Open reports: urgent ones first, then the oldest. Reports held apart as a
    suspected flood have their own list (`?held=1`), so junk cannot bury the rest."""
    waiting = access.submissions_for_user(request.user).exclude(
        status__in=[SubmissionStatus.CLOSED, SubmissionStatus.TAKEN_UP]
    )
    if request.method == "POST" and request.POST.get("action") == "close_held":
        closed = services.held_close_all(
            actor=request.user, submissions=access.submissions_for_user(request.user)
        )
        messages.success(
            request,
            ngettext("%(count)s held report closed.", "%(count)s held reports closed.", closed)
            % {"count": closed},
        )
        return redirect("intake:queue")
    held = request.GET.get("held") == "1"
    reports = waiting.filter(held_as_flood=held).order_by("-urgent", "received_on", "pk")
    context = {
        "reports": reports[:200],
        "held": held,
        "held_count": waiting.filter(held_as_flood=True).count(),
    }
    return render(request, "intake/desk/queue.html", context)


@triage
def file_download(request: HttpRequest, file_id: int) -> HttpResponse:
    attachment = SubmissionFile.objects.filter(pk=file_id).first()
    access.get_submission_for_user(request.user, attachment.submission_id if attachment else None)
    content = services.attachment_content(actor=request.user, attachment=attachment)
    return download(content, attachment.filename)


@triage
def detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = access.get_submission_for_user(request.user, submission_id)
    forms = {
        "message_form": DeskMessageForm(prefix="message"),
        "close_form": CloseForm(prefix="close"),
        "take_up_form": TakeUpForm(prefix="take_up"),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "message":
                form = forms["message_form"] = DeskMessageForm(request.POST, prefix="message")
                if form.is_valid():
                    services.desk_message(
                        actor=request.user, submission=submission, text=form.cleaned_data["text"]
                    )
                    messages.success(
                        request, _("Message sent. The reporter sees it on their follow-up page.")
                    )
                    return redirect("intake:detail", submission_id=submission.pk)
            elif action == "close":
                form = forms["close_form"] = CloseForm(request.POST, prefix="close")
                if form.is_valid():
                    services.submission_close(
                        actor=request.user,
                        submission=submission,
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(request, _("Report closed."))
                    return redirect("intake:queue")
            elif action == "add_to_case":
                case = get_case_for_user(request.user, request.POST.get("case"))
                services.submission_to_case(
                    actor=request.user,
                    submission=submission,
                    title=_("Report #%(id)s") % {"id": submission.pk},
                    case=case,
                )
                messages.success(
                    request, _("The report was added to case %(ref)s.") % {"ref": case.reference}
                )
                return redirect("cases:case_detail", case_id=case.pk)
            elif action == "take_up":
                form = forms["take_up_form"] = TakeUpForm(request.POST, prefix="take_up")
                if form.is_valid():
                    case = services.submission_to_case(
                        actor=request.user, submission=submission, title=form.cleaned_data["title"]
                    )
                    messages.success(
                        request, _("Case %(ref)s opened from the report.") % {"ref": case.reference}
                    )
                    return redirect("cases:case_detail", case_id=case.pk)
        except ValidationError as error:
            form.add_error(None, error)
    else:
        services.submission_read(actor=request.user, submission=submission)
    return render(
        request,
        "intake/desk/detail.html",
        {
            "submission": submission,
            # The case it became may be in a country the reader does not cover (moved
            # there, or taken up by someone who covers both): its reference is shown
            # only to who may open it.
            "case": cases_for_user(request.user).filter(pk=submission.case_id).first(),
            "thread": submission.messages.select_related("author"),
            "duplicates": selectors.likely_duplicates(request.user, submission),
            **forms,
        },
    )
