from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from vigil.accounts import two_factor

GUARDED = ("/desk/", "/admin/")
# The steps a half-logged-in user may take: the second factor itself, and leaving.
OPEN_NAMES = ("accounts:two_factor", "accounts:two_factor_setup", "accounts:logout")


def require_second_factor(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Nothing of the desk or the admin for an account that still owes its second
    factor: it is sent to the code (or to set up its app) and then back. Anywhere else
    (the public pages, some of which show more to staff) it is a visitor like any
    other until the code is in."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user
        owing = user.is_authenticated and not user.is_verified() and two_factor.required(user)
        if not owing or request.path in {reverse(name) for name in OPEN_NAMES}:
            return get_response(request)
        if request.path.startswith(GUARDED):
            if two_factor.has_device(user):
                step = "accounts:two_factor"
            else:
                step = "accounts:two_factor_setup"
            wanted = request.get_full_path() if request.method == "GET" else ""
            query = f"?{urlencode({'next': wanted})}" if wanted else ""
            return redirect(reverse(step) + query)
        request.user = AnonymousUser()
        return get_response(request)

    return middleware
