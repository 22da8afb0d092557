"""Two-factor login for staff: a TOTP app (django-otp) and single-use recovery codes.

Every staff role (case officer, coordinator, analyst, administrator) must pass a
second factor before the desk or the admin shows anything; a stakeholder may turn
it on and is then held to it too. The only exception is demo mode (`make run`):
the demo accounts may skip it there, and the login page says so.

The second factor is asked again ("step-up") before the actions that send records
out of the system (exports, letters, reports) and before publication, when the last
code was entered more than `SECOND_FACTOR_STEP_UP_SECONDS` ago.

A reset by an administrator removes the account's devices and ends every session of
the account; the owner sets up a new app at the next login.

At rest (`accounts.models`): the app's secret is encrypted with Vigil's keys
(`AuthenticatorApp.key`, an `EncryptedTextField` that `rotate_keys` re-seals), and
the recovery codes are kept only as Argon2id hashes (`RecoveryCodes`), so a copy of
the database gives no one a second factor. django-otp's own plugins, which keep both
as they are, are not installed.
"""

import base64
import secrets
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login

from vigil.accounts.models import AuthenticatorApp, RecoveryCode, RecoveryCodes, User
from vigil.core import audit
from vigil.core.throttle import Throttle
from vigil.core.vocabularies import Role

VERIFIED_AT = "vigil_second_factor_at"  # session key: when a code was last entered
RECOVERY_CODES = 10
RECOVERY_CODE_LENGTH = 8  # base32 of 5 random bytes

code_throttle = Throttle(
    scope="second-factor",
    limit=settings.LOGIN_FAILURES_PER_ACCOUNT,
    window=settings.LOGIN_THROTTLE_WINDOW,
)


def has_device(user: Any) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def demo_exempt(user: Any) -> bool:
    """In demo mode, a demo account without an app of its own may skip the step: an
    account of a demo actually loaded here (`loaddemo`), not any account that happens
    to be called "admin"."""
    from vigil.accounts.demo import DATASET, DEMO_ACCOUNTS
    from vigil.core.models import DemoDataset

    return (
        settings.DEMO_MODE
        and user.username in {name for name, _role, _countries in DEMO_ACCOUNTS}
        and not has_device(user)
        and DemoDataset.objects.filter(name=DATASET).exists()
    )


def required(user: Any) -> bool:
    """Whether `user` must pass a second factor before using the desk."""
    if not user.is_authenticated or demo_exempt(user):
        return False
    return user.role != Role.STAKEHOLDER or has_device(user)


def pending_app(user: User) -> AuthenticatorApp:
    """The app being set up: one unconfirmed app, made on first sight."""
    device = AuthenticatorApp.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = AuthenticatorApp.objects.create(user=user, name="app", confirmed=False)
    return device


def _normalise(code: str) -> str:
    return "".join(code.split()).lower()


def _match(user: User, code: str) -> Any | None:
    """The confirmed device of `user` that accepts `code`, if any: the app's digits
    are tried on the app only, anything else (a recovery code has eight letters and
    digits) on the recovery codes only, whose every check costs an Argon2id hash."""
    if code.isdigit() and len(code) != RECOVERY_CODE_LENGTH:
        devices: Any = AuthenticatorApp.objects.filter(user=user, confirmed=True)
    else:
        devices = RecoveryCodes.objects.filter(user=user, confirmed=True)
    for device in devices.select_for_update():
        if device.verify_token(code):
            return device
    return None


def _mark_verified(request: Any, device: Any) -> None:
    otp_login(request, device)
    request.session.cycle_key()  # a new session id once the second factor is in
    request.session[VERIFIED_AT] = time.time()


class Throttled(Exception):
    pass


def verify(request: Any, code: str, *, action: str) -> Any | None:
    """Check a code from the app or a recovery code for `request.user`; on success
    the session is verified (and its id renewed) and the device returned. A code
    already used cannot be used again: the app's codes are refused at or before the
    last one accepted, and a recovery code is deleted when used."""
    user = request.user
    if code_throttle.hit(str(user.pk)) > code_throttle.limit:
        audit.record(actor=user, action="accounts.second_factor_throttled", obj=user)
        raise Throttled
    with transaction.atomic():
        device = _match(user, _normalise(code))
    if device is None:
        audit.record(actor=user, action="accounts.second_factor_failed", obj=user)
        return None
    code_throttle.reset(str(user.pk))
    _mark_verified(request, device)
    audit.record(actor=user, action=action, obj=user)
    return device


@transaction.atomic
def confirm_app(request: Any, code: str) -> list[str] | None:
    """Finish setting up the app with its first code; return the new recovery codes
    (shown once), or None if the code is wrong."""
    user = request.user
    if code_throttle.hit(str(user.pk)) > code_throttle.limit:
        raise Throttled
    device = pending_app(user)
    if not device.verify_token(_normalise(code)):
        return None
    code_throttle.reset(str(user.pk))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    AuthenticatorApp.objects.filter(user=user, confirmed=False).delete()
    codes = _new_recovery_codes(user)
    _mark_verified(request, device)
    audit.record(actor=user, action="accounts.second_factor_enabled", obj=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    """Ten new codes (40 random bits each, in base32), replacing the old ones; only
    their hashes are kept."""
    RecoveryCodes.objects.filter(user=user).delete()
    device = RecoveryCodes.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [
        base64.b32encode(secrets.token_bytes(5)).decode().lower() for _ in range(RECOVERY_CODES)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=device.digest(c)) for c in codes
    )
    return codes


@transaction.atomic
def renew_recovery_codes(*, user: User) -> list[str]:
    codes = _new_recovery_codes(user)
    audit.record(actor=user, action="accounts.recovery_codes_renewed", obj=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def reset(*, actor: Any, user: User) -> None:
    """Remove the account's second factors and end every one of its sessions."""
    AuthenticatorApp.objects.filter(user=user).delete()
    RecoveryCodes.objects.filter(user=user).delete()
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    audit.record(actor=actor, action="accounts.second_factor_reset", obj=user)


def recently_verified(request: Any) -> bool:
    """Whether the last code was entered within the step-up window (or no second
    factor applies to this account at all)."""
    user = request.user
    if not required(user):
        return True
    if not request.session.get(DEVICE_ID_SESSION_KEY):
        return False
    at = request.session.get(VERIFIED_AT, 0)
    return time.time() - at <= settings.SECOND_FACTOR_STEP_UP_SECONDS


def ask_again(request: Any) -> Any:
    """The redirect to the code form, and back: a GET to the same address; a POST (a
    publication) to the page it was sent from, to be sent again."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme, urlencode
    from django.utils.translation import gettext as _

    if request.method == "GET":
        back = request.get_full_path()
    else:
        referer = request.headers.get("referer", "")
        safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
        back = referer if safe else reverse("core:dashboard")
        messages.info(request, _("Enter your code, then do it again."))
    return redirect(f"{reverse('accounts:two_factor_confirm')}?{urlencode({'next': back})}")


def second_factor_recent(view: Any) -> Any:
    """Ask for the code again before `view` when the last one is older than the
    step-up window (see `ask_again`)."""
    from functools import wraps

    @wraps(view)
    def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
        if recently_verified(request):
            return view(request, *args, **kwargs)
        return ask_again(request)

    return wrapper
