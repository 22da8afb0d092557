import contextlib
import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

# Everything comes from Vigil itself; no inline script or style is allowed, so an
# injected <script> cannot run even if escaping ever fails somewhere.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Pages that show or take private information are never kept by a browser or
# proxy cache: a shared or seized computer must not hold copies of them.
PRIVATE_PREFIXES = ("/desk/", "/admin/", "/submit/", "/api/")
INTAKE_PREFIX = "/submit/"


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.path.startswith(PRIVATE_PREFIXES):
            response["Cache-Control"] = "no-store"
        if request.path.startswith(INTAKE_PREFIX):
            # A link followed from intake tells the next site nothing, not even Vigil.
            response["Referrer-Policy"] = "no-referrer"
        return response

    return middleware


def _carries_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_carries_nul(k) or _carries_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_carries_nul(v) for v in value)
    return False


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_nul_characters(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """A NUL character has no place in any text Vigil takes, and PostgreSQL refuses
    it in a query (a 500 otherwise): the request is refused as a bad one, before any
    view sees it (the CSRF check reads a posted form anyway). Files are not text and
    are not looked into."""

    def middleware(request: HttpRequest) -> HttpResponse:
        values: list[object] = [
            request.path,
            *(v for k in request.GET for v in [k, *request.GET.getlist(k)]),
        ]
        content_type = request.content_type or ""
        if request.method == "POST" and content_type in FORM_TYPES:
            values.extend(v for k in request.POST for v in [k, *request.POST.getlist(k)])
        elif content_type == "application/json" and request.body:
            with contextlib.suppress(ValueError):  # the view answers a body not JSON
                values.append(json.loads(request.body))
        elif request.path.startswith("/api/") and _nul_in_raw(request.body):
            # The API reads a JSON body whatever type it is sent as.
            return _bad_request(request)
        if _carries_nul(values):
            return _bad_request(request)
        return get_response(request)

    return middleware


def _nul_in_raw(body: bytes) -> bool:
    """A NUL in raw bytes, or its JSON escape."""
    return b"\x00" in body or b"\\u0000" in body.lower()


def _bad_request(request: HttpRequest) -> HttpResponse:
    from django.utils.translation import gettext as _

    message = _("The request carries a character that is not allowed (NUL).")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def refuse_oversized_requests(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """A request larger than any form of Vigil can take (VIGIL_REQUEST_MAX_MB) is
    refused before its body is read: Django would otherwise spool every uploaded file
    to a temporary file first, and a stream of huge uploads could fill the disk."""

    def middleware(request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.template.defaultfilters import filesizeformat
        from django.utils.translation import gettext as _

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            message = _(
                "This is larger than Vigil accepts at once (%(limit)s). Nothing was saved. "
                "Go back (your browser keeps what you typed) and attach fewer or smaller files."
            ) % {"limit": filesizeformat(settings.REQUEST_MAX_BYTES)}
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            context = {"message": message, "title": _("Too large")}
            return render(request, "400.html", context, status=413)
        return get_response(request)

    return middleware


def language_from_url(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """`?lang=ar` on any address opens it in that language and remembers the choice
    in the same first-party cookie the language switcher sets (no tracking): a link an
    organisation shares with the people it helps can open the form in their language."""

    def middleware(request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        wanted = request.GET.get("lang", "")
        chosen = wanted if wanted in dict(settings.LANGUAGES) else ""
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = get_response(request)
        if chosen:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )  # fmt: skip
        return response

    return middleware
