"""Delete what Vigil keeps only for a while; run it daily (cron or a systemd timer).

Each app whose records expire has a `retention` module with `purge() -> str`, which
deletes what is past its time and says how much it deleted. This command runs
each, in the order of INSTALLED_APPS, prints what they said on one line, and names no
app itself:

- vault (`vault/retention.py`): files no record names (a deletion that failed after
  its record was gone), a day after they were written;
- intake (`intake/retention.py`): reports closed without becoming a case,
  `VIGIL_INTAKE_RETENTION_DAYS` (90) days after closing, with their messages and files;
- reports (`reports/retention.py`): the files of report builds older than seven days.
"""

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand


def retention_modules() -> list[Any]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("vigil."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.retention"))
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.retention":
                raise
    return modules


class Command(BaseCommand):
    help = (
        "Delete closed intake reports past their retention, old report files, and files "
        "no record names."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # One line, as before the apps had their own modules, for whatever watches it.
        self.stdout.write(", ".join(module.purge() for module in retention_modules()))
