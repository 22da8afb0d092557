"""Who is calling, and what their token lets them do."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from vigil.api import tokens
from vigil.core.permissions import Perm, has_perm


class TokenAuth(HttpBearer):
    """`Authorization: Bearer vgl_...`. The request then acts as the token's user."""

    def __call__(self, request: HttpRequest) -> Any:
        """As django-ninja's, without its debug-mode log line, which wrote a header of
        any other scheme (a Basic password, someone else's token) in full."""
        scheme, _sep, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = tokens.authenticate(token)
        if found is not None:
            request.user = found.user
        return found


def need(request: HttpRequest, scope: str) -> None:
    """Refuse (403) unless the token grants `scope` and the user's role allows it."""
    token = request.auth
    if scope not in token.scopes or not tokens.role_allows(token.user, scope):
        raise HttpError(403, _("This token does not grant %(scope)s.") % {"scope": scope})


def identities(request: HttpRequest) -> bool:
    """Whether identity fields may be returned: the scope and the role, both."""
    token = request.auth
    return "read:identities" in token.scopes and has_perm(token.user, Perm.VIEW_IDENTITIES)
