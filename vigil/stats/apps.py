from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "vigil.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from vigil.core.permissions import Perm
        from vigil.core.reports import register_report
        from vigil.stats import periodic, reports

        register_report("sdg16101", reports.build_report, label=_("SDG indicator 16.10.1"))
        register_report(
            "annual", periodic.builder("annual"),
            label=_("Annual report annex: communications, visits and themes"),
        )  # fmt: skip
        register_report(
            "assessment", periodic.builder("assessment"),
            label=_("Assessment and analysis of the situation of defenders"),
        )  # fmt: skip
        register_report(
            "reprisals", periodic.builder("reprisals"),
            label=_("Reprisals for cooperation with the United Nations"),
            # It names the people who consented: for those who may see identities.
            requires=(Perm.BUILD_REPORTS, Perm.VIEW_IDENTITIES),
        )  # fmt: skip
