from django.apps import AppConfig
from django.conf import settings
from django.core.signals import setting_changed
from django.utils.translation import gettext_lazy as _


def _forget_keys(*, setting: str, **kwargs: object) -> None:
    if setting == "ENCRYPTION_KEYS":
        from vigil.vault import encryption

        encryption.reset_caches()


class VaultConfig(AppConfig):
    name = "vigil.vault"
    label = "vault"
    verbose_name = _("Vault")

    def ready(self) -> None:
        setting_changed.connect(_forget_keys)
        # On a development machine, reading the encryption key makes its file the
        # first time (settings._DevelopmentKey): at start-up, not during a request.
        tuple(settings.ENCRYPTION_KEYS)

        from django.db.models.signals import post_migrate

        from vigil.vault import index

        # After every app is migrated: an index key of the old kind is replaced
        # (and every name and word indexed again) before anyone searches.
        post_migrate.connect(index.rebuild_if_needed, sender=self, dispatch_uid="vault.index")
