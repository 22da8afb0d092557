"""Who may reach an API token at the desk."""

from typing import Any

from django.http import Http404

from vigil.api.models import ApiToken


def get_token_for_user(user: Any, token_id: int) -> ApiToken:
    """The token `token_id` if it is `user`'s own, else 404 (the same answer as for a
    token that does not exist).

    Threat: one account revoking, or learning of, another's tokens. At the desk each
    person reaches only their own; administrators see every token's metadata in the
    admin, never its secret (only a digest is stored).
    """
    token = ApiToken.objects.filter(pk=token_id, user=user).first() if user.is_active else None
    if token is None:
        raise Http404
    return token
