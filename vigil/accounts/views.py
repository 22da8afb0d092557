from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from vigil.accounts import services
from vigil.accounts.forms import ThrottledAuthenticationForm, login_throttle
from vigil.accounts.models import User
from vigil.core import audit


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: ThrottledAuthenticationForm) -> HttpResponse:
        user = form.get_user()
        login_throttle.reset(user.get_username().casefold())
        response = super().form_valid(form)
        audit.record(actor=user, action="accounts.login", obj=user)
        return response

    def form_invalid(self, form: ThrottledAuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        elif form.user_cache is None and form.cleaned_data.get("username"):
            self._audit_failure(form.cleaned_data["username"])
        return response

    def _audit_failure(self, username: str) -> None:
        # Only for accounts that exist: the per-account throttle bounds these
        # entries, and a name typed by mistake (perhaps a password) is never kept.
        user = User.objects.filter(username=username).first()
        if user is not None:
            audit.record(actor=None, action="accounts.login_failed", obj=user)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        if request.user.is_authenticated:
            audit.record(actor=request.user, action="accounts.logout", obj=request.user)
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
