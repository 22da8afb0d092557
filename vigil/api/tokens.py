"""API tokens: made by their own user at the desk (`/desk/api-tokens/`), stored as
digests, revoked at will. A scope grants an operation only together with the
user's role: a token with read:identities for an analyst still reads no identity
(the role lacks view_identities), so a token can never do more than its user could
at the desk.

No one makes a token for someone else: an administrator who could would read names
with an officer's token while the audit trail blamed the officer. `issue` refuses
any actor but the token's user; administrators see tokens' metadata and revoke them
in `/admin/`, and the `api_token` command lists and revokes.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigil.api.models import ApiToken
from vigil.core import audit
from vigil.core.permissions import Perm, has_perm

PREFIX = "vgl_"

# scope: (what it allows, the permissions of which the user's role needs one)
SCOPES: dict[str, tuple[Any, tuple[Perm, ...]]] = {
    "read:cases": (
        gettext_lazy("Read cases, incidents, acts, defenders and sources, without identities"),
        (Perm.DOCUMENT_CASES,),
    ),
    "write:cases": (gettext_lazy("Create and change case records"), (Perm.DOCUMENT_CASES,)),
    "read:identities": (
        gettext_lazy("Also read names, contacts, narratives and places (each read is audited)"),
        (Perm.VIEW_IDENTITIES,),
    ),
    "read:communications": (
        gettext_lazy("Read communications and their replies"), (Perm.DRAFT_COMMUNICATIONS,),
    ),
    "read:measures": (
        gettext_lazy("Read State measures"), (Perm.MANAGE_MEASURES, Perm.PROPOSE_MEASURES),
    ),
    "read:activities": (
        gettext_lazy("Read activity reports"),
        (Perm.REVIEW_ACTIVITY_REPORTS, Perm.SUBMIT_ACTIVITY_REPORTS),
    ),
    "read:stats": (gettext_lazy("Read statistics"), (Perm.VIEW_STATISTICS,)),
    "read:library": (gettext_lazy("Read the legal library"), ()),
}  # fmt: skip


def digest_of(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def role_allows(user: Any, scope: str) -> bool:
    _description, perms = SCOPES[scope]
    return not perms or any(has_perm(user, perm) for perm in perms)


def issue(*, user: Any, name: str, scopes: list[str], actor: Any = None) -> tuple[ApiToken, str]:
    """Make a token for `user`, by `user`; return it and its plaintext, which is never
    stored.

    Threat: a token made by someone else (an administrator) would let them read
    with the user's rights while every read is audited under the user's name. So the
    issuer is always the user: an `actor` other than `user` is refused, and the token
    and its audit entry name the user as the one who made it.
    """
    if actor is not None and getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied(_("An API token is made only by the account that will use it."))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise ValidationError(_("Unknown scope: %(scope)s") % {"scope": ", ".join(unknown)})
    if not scopes:
        raise ValidationError(_("Choose at least one scope."))
    beyond = [s for s in scopes if not role_allows(user, s)]
    if beyond:
        raise ValidationError(
            _("The user's role does not allow: %(scopes)s") % {"scopes": ", ".join(beyond)}
        )
    plaintext = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=plaintext[:10], digest=digest_of(plaintext),
        scopes=sorted(set(scopes)), created_by=user,
    )  # fmt: skip
    audit.record(actor=user, action="api.token_issued", obj=token, fields=token.scopes)
    return token, plaintext


def revoke(*, actor: Any, token: ApiToken) -> None:
    """Stop a token at once (its user, an administrator, or the command line with
    `actor=None`); the row stays, because the audit trail names it."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="api.token_revoked", obj=token)


TOUCH_EVERY = timedelta(minutes=1)


def authenticate(plaintext: str) -> ApiToken | None:
    """The active token with this plaintext, or None."""
    if not plaintext.startswith(PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=digest_of(plaintext)).first()
    if token is None or not token.active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
