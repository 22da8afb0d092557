from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


def _drop_triggers_on_sqlite(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Before migrations run on SQLite: a migration that remakes a table a trigger
    names (stats_change, cases_act_sources) fails while the trigger is there, so they
    go, and come back after (`_ensure_triggers`), everything counted again."""
    from vigil.stats import triggers

    connection = connections[using]
    if (
        connection.vendor == "sqlite"
        and kwargs.get("plan")
        and "stats_change" in connection.introspection.table_names()
    ):
        triggers.drop(connection)


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
        pre_migrate.connect(_drop_triggers_on_sqlite, sender=self, dispatch_uid="stats.drop")
        post_migrate.connect(_ensure_triggers, sender=self, dispatch_uid="stats.ensure_triggers")
