from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "vigil.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from vigil.cases.selectors import dashboard_figures
        from vigil.core.selectors import register_figures

        register_figures(dashboard_figures)

        from vigil.cases.services import rebuild_indexes
        from vigil.vault import index

        index.register(rebuild_indexes)
