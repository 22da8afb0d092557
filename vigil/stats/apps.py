from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After every migrate: SQLite drops a table's triggers when a migration remakes
    it, so put back whatever is missing (triggers.py)."""
    from vigil.stats import triggers

    triggers.ensure(connections[using])


class StatsConfig(AppConfig):
    name = "vigil.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        post_migrate.connect(_ensure_triggers, sender=self, dispatch_uid="stats.ensure_triggers")
