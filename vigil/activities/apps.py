from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "vigil.activities"
    label = "activities"
    verbose_name = _("Activity reports")

    def ready(self) -> None:
        from vigil.activities import compilation
        from vigil.core.reports import register_report

        register_report(
            "compilation", compilation.build_report,
            label=_("Compilation of stakeholders' activity reports"),
        )  # fmt: skip
