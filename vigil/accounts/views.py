import base64

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from vigil.accounts import services, two_factor
from vigil.accounts.forms import SecondFactorForm, ThrottledAuthenticationForm
from vigil.accounts.models import RecoveryCodes


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: ThrottledAuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        services.user_logged_in(user=user)
        if two_factor.required(user):
            # The password is only half: the second factor comes next, then `next`.
            step = (
                "accounts:two_factor"
                if two_factor.has_device(user)
                else "accounts:two_factor_setup"
            )
            return redirect(_with_next(reverse(step), self.get_success_url()))
        return response

    def get_context_data(self, **kwargs):  # type: ignore[no-untyped-def]
        from django.conf import settings

        return super().get_context_data(demo_mode=settings.DEMO_MODE, **kwargs)

    def form_invalid(self, form: ThrottledAuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        elif form.user_cache is None and form.cleaned_data.get("username"):
            services.user_login_failed(
                actor=self.request.user, username=form.cleaned_data["username"]
            )
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        if request.user.is_authenticated:
            services.user_logged_out(user=request.user)
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have logged out."))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:dashboard")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        services.user_set_password(
            actor=self.request.user,
            user=self.request.user,
            password=form.cleaned_data["new_password1"],
        )
        # Keep this session; other sessions of the account end with the old hash.
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self.get_success_url())


def admin_login(request: HttpRequest) -> HttpResponse:
    """Stand-in for the Django admin's login form.

    A visitor is sent to the desk's throttled login. Someone already logged in
    only lands here because the admin refused their account, so sending them to
    log in again would loop; they get the "not allowed" page instead.
    """
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or "/admin/")


def admin_password_change(request: HttpRequest) -> HttpResponse:
    """The admin's "change password" link goes to the desk's audited form."""
    return redirect("accounts:password_change")


# --- The second factor --------------------------------------------------------------


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _next(request: HttpRequest) -> str:
    """Where to go once the code is in: the page asked for, if it is ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("core:dashboard")


def _code_form(request: HttpRequest, template: str, action: str, **context: object) -> HttpResponse:
    """The form of a code: on a right one, back to `next`; wrong ones are counted."""
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.verify(request, form.cleaned_data["code"], action=action)
        except two_factor.Throttled:
            form.add_error("code", _too_many())
            status = 429
        else:
            if device is not None:
                if isinstance(device, RecoveryCodes):
                    messages.warning(
                        request,
                        _("You used a recovery code. %(count)s are left.")
                        % {"count": two_factor.recovery_codes_left(request.user)},
                    )
                return redirect(_next(request))
            form.add_error("code", _("That code is not right, or it has been used already."))
    context.update(form=form, next=_next(request))
    return render(request, template, context, status=status)


def _too_many() -> str:
    from django.conf import settings

    return _("Too many wrong codes. Wait %(minutes)s minutes and try again.") % {
        "minutes": settings.LOGIN_THROTTLE_WINDOW // 60
    }


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of logging in."""
    if not two_factor.has_device(request.user):
        return redirect(_with_next(reverse("accounts:two_factor_setup"), _next(request)))
    if request.user.is_verified():
        return redirect(_next(request))
    return _code_form(
        request, "accounts/two_factor_verify.html", "accounts.second_factor_used", second_step=True
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_confirm(request: HttpRequest) -> HttpResponse:
    """The code asked again before an export or a publication."""
    if not two_factor.required(request.user):
        return redirect(_next(request))
    if not request.user.is_verified():
        return redirect(_with_next(reverse("accounts:two_factor"), _next(request)))
    return _code_form(
        request, "accounts/two_factor_confirm.html", "accounts.second_factor_confirmed"
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: a QR code and the key, then the first code."""
    import qrcode
    import qrcode.image.svg

    user = request.user
    if two_factor.has_device(user):
        return redirect(_with_next(reverse("accounts:two_factor"), _next(request)))
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_app(request, form.cleaned_data["code"])
        except two_factor.Throttled:
            form.add_error("code", _too_many())
            status = 429
        else:
            if codes is not None:
                return render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "next": _next(request), "first_time": True},
                )
            form.add_error(
                "code", _("That code is not right. Check the clock of your phone and try again.")
            )
    device = two_factor.pending_app(user)
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "second_step": True,
        "next": _next(request),
        "qr_svg": mark_safe(image.to_string(encoding="unicode")),  # noqa: S308 (our own SVG)
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left, and a new set (the old ones stop working)."""
    user = request.user
    if not two_factor.has_device(user):
        return redirect("accounts:two_factor_setup")
    if request.method == "POST":
        if not two_factor.recently_verified(request):
            return redirect(
                _with_next(
                    reverse("accounts:two_factor_confirm"), reverse("accounts:recovery_codes")
                )
            )
        codes = two_factor.renew_recovery_codes(user=user)
        return render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "next": reverse("core:dashboard"), "first_time": False},
        )
    return render(
        request,
        "accounts/recovery_codes_status.html",
        {"left": two_factor.recovery_codes_left(user)},
    )
