from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationsConfig(AppConfig):
    name = "vigil.communications"
    label = "communications"
    verbose_name = _("Communications")

    def ready(self) -> None:
        from vigil.communications import reports, selectors
        from vigil.core.reports import register_report
        from vigil.core.selectors import register_figures, register_panel

        register_figures(selectors.dashboard_figures)
        register_panel(selectors.dashboard_panel)
        register_report("communications", reports.build_report)
