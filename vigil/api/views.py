"""The desk page where each person makes, sees and revokes their own API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from vigil.accounts import two_factor
from vigil.api import tokens
from vigil.api.access import get_token_for_user
from vigil.api.forms import TokenForm
from vigil.api.models import ApiToken


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """One's own tokens, and a new one (the code is asked again first if the last one
    is old: a token lets records leave the desk). A new token is shown on this answer
    only, never put in an address or the session."""
    user = request.user
    form = TokenForm(request.POST or None, user=user)
    made = None
    if request.method == "POST":
        if not two_factor.recently_verified(request):
            return two_factor.ask_again(request)
        if form.is_valid():
            try:
                token, plaintext = tokens.issue(
                    actor=user,
                    user=user,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                made = {"token": token, "plaintext": plaintext}
                form = TokenForm(user=user)
    context = {
        "form": form,
        "made": made,
        "tokens": ApiToken.objects.filter(user=user).order_by("-created_at"),
    }
    return render(request, "api/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_token_for_user(request.user, token_id)
    tokens.revoke(actor=request.user, token=token)
    messages.success(request, _("The token is revoked."))
    return redirect("tokens:list")
