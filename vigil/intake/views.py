"""The public side of intake: the form, the receipt, and the follow-up page.

Nothing here reads or keeps the visitor's address or browser, and no page loads
anything from another host or needs JavaScript. The follow-up page remembers the
reporter for half an hour in a signed cookie (no server-side session, so the
server keeps no record of when they came back).
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.core.throttle import Throttle
from vigil.intake import services
from vigil.intake.forms import ReceiptCodeForm, ReplyForm, SubmissionForm
from vigil.intake.models import Submission

FOLLOW_UP_COOKIE = "vigil_report"
FOLLOW_UP_SALT = "vigil.intake.follow-up"
FOLLOW_UP_AGE = 30 * 60

# Wrong codes per client in a quarter of an hour. The address is used only as a
# keyed hash in the cache, and forgotten when the window ends.
code_throttle = Throttle(scope="receipt-code", limit=10, window=15 * 60)
# Reports per client in an hour: generous (a Tor exit is shared by many people),
# but a flood of junk, each costing the server a slow hash, is cut short.
submission_throttle = Throttle(scope="submission", limit=30, window=60 * 60)


def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES)
        if submission_throttle.hit(_client(request)) > submission_throttle.limit:
            form.is_valid()  # so that the form comes back with what was typed
            form.add_error(
                None,
                _(
                    "Too many reports have come from this connection in the last hour. "
                    "Nothing you typed is lost: wait a while and send it again."
                ),
            )
            return render(request, "intake/submit.html", {"form": form}, status=429)
        if form.is_valid():
            try:
                receipt = services.submission_create(
                    form_token=form.cleaned_data["form_token"],
                    language=get_language() or settings.LANGUAGE_CODE,
                    uploads=_uploads(form.cleaned_data["files"]),
                    **form.submission_fields(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # Shown once, straight from the committed report; sending the same
                # form again shows the same code and stores nothing new.
                return render(
                    request,
                    "intake/receipt.html",
                    {"code": receipt.code, "words": receipt.code.split()},
                )
    else:
        form = SubmissionForm(initial={"form_token": services.new_form_token()})
    return render(request, "intake/submit.html", {"form": form})


def _uploads(files: list) -> list[services.Upload]:
    return [services.Upload(name=f.name, content=f.read()) for f in files]


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _current_submission(request: HttpRequest) -> Submission | None:
    try:
        pk = request.get_signed_cookie(FOLLOW_UP_COOKIE, salt=FOLLOW_UP_SALT, max_age=FOLLOW_UP_AGE)
    except (KeyError, signing.BadSignature):
        return None
    return Submission.objects.filter(pk=pk).first()


def follow_up(request: HttpRequest) -> HttpResponse:
    """Enter a receipt code. Every wrong code gets the same answer."""
    form = ReceiptCodeForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST":
        if code_throttle.hit(_client(request)) > code_throttle.limit:
            error = _("Too many attempts. Wait a quarter of an hour and try again.")
            status = 429
        elif form.is_valid():
            submission = services.submission_for_code(form.cleaned_data["code"])
            if submission is not None:
                code_throttle.reset(_client(request))
                response = redirect("intake:report")
                response.set_signed_cookie(
                    FOLLOW_UP_COOKIE,
                    str(submission.pk),
                    salt=FOLLOW_UP_SALT,
                    max_age=FOLLOW_UP_AGE,
                    path="/submit/",
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Strict",
                )
                return response
            error = _("That code does not open a report. Check it and try again.")
    return render(request, "intake/follow_up.html", {"form": form, "error": error}, status=status)


def report(request: HttpRequest) -> HttpResponse:
    """The reporter's view of their report: status, messages, a reply box."""
    submission = _current_submission(request)
    if submission is None:
        return redirect("intake:follow_up")
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reporter_reply(
                submission=submission,
                text=form.cleaned_data["text"],
                uploads=_uploads(form.cleaned_data["files"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("intake:report")
    return render(
        request,
        "intake/report.html",
        {"submission": submission, "messages_": submission.messages.all(), "form": form},
    )


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    response = redirect("intake:follow_up")
    response.delete_cookie(FOLLOW_UP_COOKIE, path="/submit/")
    return response
