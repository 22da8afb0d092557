from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationsConfig(AppConfig):
    name = "vigil.communications"
    label = "communications"
    verbose_name = _("Communications")

    def ready(self) -> None:
        from vigil.communications import selectors
        from vigil.core.selectors import register_figures, register_panel

        register_figures(selectors.dashboard_figures)
        register_panel(selectors.dashboard_panel)

        from django.db.models.signals import post_save

        from vigil.cases.models import Defender
        from vigil.communications.services import rebuild_index
        from vigil.vault import index

        index.register(rebuild_index)

        post_save.connect(_defender_saved, sender=Defender, dispatch_uid="communications.reindex")


def _defender_saved(sender: object, instance: object, created: bool, **kwargs: object) -> None:
    """A published letter's search entry holds no name without consent to publish;
    when a defender's name or consent changes, the entries are rebuilt."""
    if created:
        return
    from vigil.communications.services import reindex_for_defender

    reindex_for_defender(instance)
