"""Actions that change accounts. Each validates, saves and audits atomically."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigil.accounts.models import User
from vigil.core import audit
from vigil.core.vocabularies import Role, is_country

OWN_ROLE = gettext_lazy("No one changes their own role or countries: ask another administrator.")


def _clean_countries(countries: Iterable[str]) -> list[str]:
    codes = sorted({code.strip().upper() for code in countries if code.strip()})
    unknown = [code for code in codes if not is_country(code)]
    if unknown:
        raise ValidationError(
            _("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)},
            code="unknown_country",
        )
    return codes


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    role: Role | str,
    password: str | None = None,
    countries: Iterable[str] = (),
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create an account with a role (and, for officers, its countries).

    Administrators also get the Django admin (`is_staff`, `is_superuser`), where
    accounts are managed; no other role does. With no password the account
    cannot log in until one is set.
    """
    role = Role(role)
    user = User(
        username=username,
        role=role,
        countries=_clean_countries(countries),
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=role == Role.ADMINISTRATOR,
        is_superuser=role == Role.ADMINISTRATOR,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit.record(
        actor=actor,
        action="accounts.user_created",
        obj=user,
        fields=["username", "role", "countries", "first_name", "last_name", "email"],
    )
    return user


@transaction.atomic
def user_set_role(
    *, actor: Any, user: User, role: Role | str, countries: Iterable[str] = ()
) -> User:
    """Give `user` a new role and country assignment, and audit what changed.

    No one changes their own role or countries: an administrator, who reads no case
    content, cannot make themselves a coordinator or officer who does (another
    administrator must, and the trail names them).
    """
    role = Role(role)
    new_countries = _clean_countries(countries)
    changed = []
    if user.role != role:
        changed.append("role")
    if list(user.countries) != new_countries:
        changed.append("countries")
    if not changed:
        return user
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(OWN_ROLE)
    user.role = role
    user.countries = new_countries
    user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
    user.save(update_fields=["role", "countries", "is_staff", "is_superuser"])
    audit.record(actor=actor, action="accounts.role_changed", obj=user, fields=changed)
    return user


@transaction.atomic
def user_set_password(*, actor: Any, user: User, password: str) -> User:
    """Set a new password (hashed with Argon2) and audit that it changed."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action="accounts.password_changed", obj=user, fields=["password"])
    return user


# Fields an administrator may change besides role, countries and password.
EDITABLE_FIELDS = frozenset({"username", "first_name", "last_name", "email", "is_active"})


@transaction.atomic
def user_update(*, actor: Any, user: User, **changes: Any) -> User:
    """Change an account's name, e-mail or active flag, and audit which changed.

    Accounts are deactivated (`is_active=False`), never deleted: the audit trail
    names them.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"user_update cannot change {sorted(unknown)}")
    changed = sorted(name for name, value in changes.items() if getattr(user, name) != value)
    if not changed:
        return user
    for name in changed:
        setattr(user, name, changes[name])
    user.full_clean(exclude=["password"])
    user.save(update_fields=changed)
    audit.record(actor=actor, action="accounts.user_changed", obj=user, fields=changed)
    return user


def user_password_reset_recorded(*, actor: Any, user: User) -> None:
    """Audit a password that an administrator set with the Django admin's own form.

    The admin view saves the password itself; the caller wraps both in one
    transaction, so the change and its entry commit together.
    """
    audit.record(actor=actor, action="accounts.password_reset", obj=user, fields=["password"])


def user_logged_in(*, user: User) -> None:
    audit.record(actor=user, action="accounts.login", obj=user)


def user_logged_out(*, user: User) -> None:
    """Logging out anywhere ends every session of the account: a forgotten session on
    a shared or seized computer ends too."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    audit.record(actor=user, action="accounts.logout", obj=user)


def user_login_failed(*, actor: Any, username: str) -> None:
    """Audit a failed login, only for an account that exists.

    The per-account throttle bounds how many entries this writes, and a name that
    is no account (perhaps a password typed in the wrong box) is never kept.
    """
    user = User.objects.filter(username=username).first()
    if user is not None:
        audit.record(actor=actor, action="accounts.login_failed", obj=user)
