from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "vigil.intake"
    label = "intake"
    verbose_name = _("Secure intake")

    def ready(self) -> None:
        from vigil.core.selectors import register_figures
        from vigil.intake.selectors import dashboard_figures

        register_figures(dashboard_figures)
