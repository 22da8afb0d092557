from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "vigil.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from vigil.core.reports import register_report
        from vigil.stats import periodic, reports

        register_report("sdg16101", reports.build_report)
        for name in periodic.COMPOSERS:
            register_report(name, periodic.builder(name))
