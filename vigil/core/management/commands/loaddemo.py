"""Load the fictional demo data, once.

Each app that has demo data provides a `demo` module with a `DATASET` name and a
`load(*, fake, stdout)` function; this command runs each one whose dataset is not
yet marked as loaded, in the order of INSTALLED_APPS, inside one transaction per
dataset. Running it again adds nothing.
"""

import importlib
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from faker import Faker

from vigil.core.models import DemoDataset

# A fixed seed: the same fictional people on every machine, so that a demo can
# be followed from written instructions.
FAKER_SEED = 7247
FAKER_LOCALES = ["en_GB", "nl_NL", "es_CO", "fr_FR", "en_PH"]


def demo_modules() -> list[ModuleType]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("vigil."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.demo"))
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.demo":
                raise
    return modules


class Command(BaseCommand):
    help = "Create the demo accounts and fictional demo records (each dataset once)."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            # The demo accounts share a published password, and one of them is an
            # administrator: on a real installation that is an open door.
            raise CommandError(
                _(
                    "loaddemo creates accounts with a published password, so it runs only "
                    "on a development or demo machine (VIGIL_DEBUG=1)."
                )
            )
        fake = Faker(FAKER_LOCALES)
        fake.seed_instance(FAKER_SEED)
        for module in demo_modules():
            name = module.DATASET
            if DemoDataset.objects.filter(name=name).exists():
                self.stdout.write(_("Demo data '%(name)s': already loaded.") % {"name": name})
                continue
            with transaction.atomic():
                module.load(fake=fake, stdout=self.stdout)
                DemoDataset.objects.create(name=name)
            self.stdout.write(
                self.style.SUCCESS(_("Demo data '%(name)s': loaded.") % {"name": name})
            )
        self._print_accounts()

    def _print_accounts(self) -> None:
        from vigil.accounts.demo import demo_accounts

        accounts = demo_accounts()
        if not accounts:
            return
        self.stdout.write("")
        self.stdout.write(_("Demo accounts (fictional people; for a demo only):"))
        for user in accounts:
            self.stdout.write(f"  {user.username:<12} {user.get_role_display()}")
        self.stdout.write(
            _("Password for every demo account: %(password)s")
            % {"password": settings.DEMO_PASSWORD}
        )
