"""The public side of intake: the form, the receipt, and the follow-up page.

Nothing here keeps the visitor's address or browser: the address is read only to
count attempts, as a keyed hash in the cache (core/clients.py, core/throttle.py).
No page loads anything from another host or needs JavaScript. The follow-up page
remembers the reporter for half an hour in a signed cookie that ends with the
browser session (no server-side session, so the server keeps no record of when
they came back; the half hour is checked from the signature, not left to the
browser, so the cookie carries no expiry date for a seized phone to show).
"""

from functools import cache

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.core.clients import client_address
from vigil.core.throttle import Throttle
from vigil.intake import passphrases, selectors, services
from vigil.intake.forms import ReceiptCodeForm, ReplyForm, SubmissionForm
from vigil.intake.models import Submission

FOLLOW_UP_COOKIE = "vigil_report"
FOLLOW_UP_SALT = "vigil.intake.follow-up"
FOLLOW_UP_AGE = 30 * 60

# Receipt codes tried per client in a quarter of an hour: every attempt counts, a
# right code too, and nothing resets the count (a right code in between used to
# buy ten more guesses). Past the limit a client is not shut out: each first word of
# a code gets two more tries in the window, so that someone guessing from an address
# that many reporters share (an onion service, a proxy) does not lock them all out,
# while the guesses stay bounded (10 + 2 x 7,776 per window, against 90 bits).
code_throttle = Throttle(scope="receipt-code", limit=10, window=15 * 60)
code_word_throttle = Throttle(scope="receipt-code-word", limit=2, window=15 * 60)
# Reports per client in an hour. Past it a report is still taken (a genuine reporter
# may share the flooder's address) but held apart for triage as a suspected flood.
# A report is never refused for a flood: when INTAKE_HELD_MAX held reports are
# waiting, a held report keeps its words but not its files (the reporter is told,
# and can add them from the follow-up page), so what a flood stores stays small.
# Counted under a keyed hash in the cache, forgotten after the window.
submission_throttle = Throttle(scope="submission", limit=30, window=60 * 60)


def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES)
        held = submission_throttle.hit(client_address(request)) > submission_throttle.limit
        keep_files = not (held and selectors.held_pool_full())
        if form.is_valid():
            attached = form.cleaned_data["files"]
            try:
                receipt = services.submission_create(
                    form_token=form.cleaned_data["form_token"],
                    language=get_language() or settings.LANGUAGE_CODE,
                    uploads=_uploads(attached) if keep_files else [],
                    held_as_flood=held,
                    **form.submission_fields(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # Shown once, straight from the committed report; sending the same
                # form again shows the same code and stores nothing new. A held report
                # gets the same page: a flooder learns nothing of being noticed.
                return render(
                    request,
                    "intake/receipt.html",
                    {
                        "code": receipt.code,
                        "words": receipt.code.split(),
                        "files_not_kept": bool(attached) and not keep_files,
                    },
                )
    else:
        form = SubmissionForm(initial={"form_token": services.new_form_token()})
    return render(request, "intake/submit.html", {"form": form})


def _uploads(files: list) -> list[services.Upload]:
    return [services.Upload(name=f.name, content=f.read()) for f in files]


@cache
def _first_words() -> frozenset[str]:
    return frozenset(passphrases.normalise(word).split()[0] for word in passphrases.word_list())


def _guess_allowed(request: HttpRequest, code: str) -> bool:
    """Whether this attempt at a receipt code may be checked (see code_throttle)."""
    client = client_address(request)
    if code_throttle.hit(client) <= code_throttle.limit:
        return True
    words = passphrases.normalise(code).split()
    # Anything that is not a first word of the list shares one bucket, so that
    # invented words do not open new ones.
    first = words[0] if words and words[0] in _first_words() else ""
    return code_word_throttle.hit(f"{client}\x00{first}") <= code_word_throttle.limit


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
        if not _guess_allowed(request, request.POST.get("code", "")):
            error = _("Too many attempts. Wait a quarter of an hour and try again.")
            status = 429
        elif form.is_valid():
            submission = services.submission_for_code(form.cleaned_data["code"])
            if submission is not None:
                response = redirect("submission:report")
                response.set_signed_cookie(
                    FOLLOW_UP_COOKIE,
                    str(submission.pk),
                    salt=FOLLOW_UP_SALT,
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
        return redirect("submission:follow_up")
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
            return redirect("submission:report")
    return render(
        request,
        "intake/report.html",
        {"submission": submission, "messages_": submission.messages.all(), "form": form},
    )


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    response = redirect("submission:follow_up")
    response.delete_cookie(FOLLOW_UP_COOKIE, path="/submit/")
    return response
