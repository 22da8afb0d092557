"""API tokens: made for a user by an administrator, stored as digests, revoked at
will. A scope grants an operation only together with the user's role: a token
with read:identities for an analyst still reads no identity (the role lacks
view_identities), so a token can never do more than its user could at the desk.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
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


def issue(*, actor: Any, user: Any, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """Make a token; return it and its plaintext, which is never stored."""
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
        scopes=sorted(set(scopes)), created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="api.token_issued", obj=token, fields=token.scopes)
    return token, plaintext


def revoke(*, actor: Any, token: ApiToken) -> None:
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
