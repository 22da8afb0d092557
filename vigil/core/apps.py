from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "vigil.core"
    label = "core"
    verbose_name = _("Vigil core")

    def ready(self) -> None:
        # The installation's folder, made at start-up rather than when the settings
        # are read: the embedded database and the file store live in it, and WhiteNoise
        # warns on every request until its static folder exists.
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        settings.STATIC_ROOT.mkdir(exist_ok=True)
        # On a development machine, reading the audit key makes its file the first
        # time (settings._DevelopmentKey): at start-up, not during a request.
        tuple(settings.AUDIT_KEYS)
