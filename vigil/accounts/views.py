from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from vigil.accounts import services
from vigil.accounts.forms import ThrottledAuthenticationForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: ThrottledAuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        services.user_logged_in(user=form.get_user())
        return response

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
