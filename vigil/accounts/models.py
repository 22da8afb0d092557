import base64
import secrets
import time
from typing import Any
from urllib.parse import quote, urlencode

from argon2.low_level import Type as Argon2Type
from argon2.low_level import hash_secret_raw
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from vigil.core.vocabularies import COUNTRIES, Role, country_name
from vigil.vault.fields import EncryptedTextField


class VigilUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):  # type: ignore[no-untyped-def]
        """`manage.py createsuperuser`: the first administrator of a new installation."""
        from vigil.accounts import services  # services import this module

        return services.user_create(
            actor=None,
            username=username,
            email=email or "",
            password=password,
            role=Role.ADMINISTRATOR,
            first_name=extra_fields.get("first_name", ""),
            last_name=extra_fields.get("last_name", ""),
        )


class User(AbstractUser):
    """A staff or stakeholder account. Reporters never need one.

    What the account may do follows from `role` (see `vigil.core.permissions`);
    `countries` (ISO 3166-1 alpha-3 codes) limits a case officer to the records
    of those countries. Change both through `accounts.services`, which audits.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    countries = models.JSONField(
        _("assigned countries"),
        default=list,
        blank=True,
        help_text=_("A case officer sees only the records of these countries."),
    )

    # Part of the hash every session carries (`get_session_auth_hash`): moving it on
    # ends every session of the account at once (logout, and later a reset of the
    # second factor). A password change does the same through Django's own hash.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = VigilUserManager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def get_session_auth_hash(self) -> str:
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "vigil.accounts.session",
            f"{self.password}:{self.session_generation}",
            algorithm="sha256",
        ).hexdigest()

    def country_names(self) -> list[str]:
        return sorted(country_name(code) for code in self.countries if code in COUNTRIES)


# --- The second factor, kept so that a seized database does not give it ------------------
#
# django-otp's own plugins (otp_totp, otp_static) keep the authenticator's secret in hex
# and the recovery codes as they are: a copy of the database would give every staff
# account's second factor. These devices use django-otp's documented extension point
# (`Device`, with its throttling and timestamp mixins) and keep the secret encrypted
# with Vigil's keys (re-sealed by `rotate_keys` like every encrypted field), and the
# recovery codes only as slow hashes. The logic that uses them is in `two_factor.py`.

# Argon2id as OWASP recommends at least (19 MiB, 2 passes, 1 lane). The migration that
# hashed the codes django-otp had kept (0004) used these same values: change them and
# the codes hashed before stop matching (their owners make new ones).
RECOVERY_HASH = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1, "hash_len": 32}


def new_totp_key() -> str:
    """20 random bytes in hex (160 bits, as RFC 4226 recommends)."""
    return secrets.token_hex(20)


def new_recovery_salt() -> str:
    """16 random bytes in hex: one salt per set of recovery codes."""
    return secrets.token_hex(16)


class AuthenticatorApp(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238) whose secret is encrypted at rest.

    The fields follow django-otp's `TOTPDevice`; `key` (hex) is an
    `EncryptedTextField`, so the database holds only ciphertext under a key kept
    outside it.
    """

    key = EncryptedTextField(default=new_totp_key, editable=False)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    # The time step of the last code accepted: a code at or before it is refused.
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    @property
    def bin_key(self) -> bytes:
        return bytes.fromhex(self.key)

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def _totp(self) -> TOTP:
        totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        return totp

    def verify_token(self, token: Any) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            number = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            totp = self._totp()
            verified = totp.verify(number, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    @property
    def config_url(self) -> str:
        """The otpauth:// address an authenticator app reads from the QR code."""
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "") or "").replace(":", "")
        label = self.user.get_username()
        params = {
            "secret": base64.b32encode(self.bin_key).decode(),
            "algorithm": "SHA1",
            "digits": self.digits,
            "period": self.step,
        }
        if issuer:
            label = f"{issuer}:{label}"
            params["issuer"] = issuer
        return f"otpauth://totp/{quote(label)}?{urlencode(params, quote_via=quote)}"


class RecoveryCodes(TimestampMixin, ThrottlingMixin, Device):
    """A set of single-use recovery codes, kept only as Argon2id hashes.

    The codes are shown once, when made; checking one needs a single hash (one salt
    per set), and a code that matches is deleted.
    """

    salt = models.CharField(max_length=32, default=new_recovery_salt, editable=False)

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def digest(self, code: str) -> str:
        return hash_secret_raw(
            "".join(code.split()).lower().encode(),
            bytes.fromhex(self.salt),
            type=Argon2Type.ID,
            **RECOVERY_HASH,
        ).hex()

    def verify_token(self, token: Any) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        match = self.codes.filter(digest=self.digest(str(token))).first()
        if match is None:
            self.throttle_increment()
            return False
        match.delete()
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class RecoveryCode(models.Model):
    """One unused recovery code, as its Argon2id hash under its set's salt."""

    device = models.ForeignKey(RecoveryCodes, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"recovery code #{self.pk}"  # never the digest
