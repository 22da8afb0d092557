from collections.abc import Callable

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
    factor: it is sent to the code (or to set up its app) and then back."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            request.path.startswith(GUARDED)
            and user.is_authenticated
            and not user.is_verified()
            and request.path not in {reverse(name) for name in OPEN_NAMES}
            and two_factor.required(user)
        ):
            step = (
                "accounts:two_factor"
                if two_factor.has_device(user)
                else "accounts:two_factor_setup"
            )
            wanted = request.get_full_path() if request.method == "GET" else ""
            query = f"?{urlencode({'next': wanted})}" if wanted else ""
            return redirect(reverse(step) + query)
        return get_response(request)

    return middleware
