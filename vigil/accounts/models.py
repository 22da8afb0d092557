from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigil.core.vocabularies import COUNTRIES, Role, country_name


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
