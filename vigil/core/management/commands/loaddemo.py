"""Load the fictional demo data, once.

Each app that has demo data provides a `demo` module with a `DATASET` name, a
`load(*, fake, stdout)` function and, if it has something to tell, `summary(*,
stdout)`; this command runs each one whose dataset is not yet marked as loaded, in
the order of INSTALLED_APPS, inside one transaction per dataset, then each summary.
Running it again adds nothing. It names no app, so core imports none of them.
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
        modules = demo_modules()
        for module in modules:
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
        # What a demo module wants the person to know afterwards (the accounts' names
        # and password), printed whether or not its data was loaded just now.
        for module in modules:
            if hasattr(module, "summary"):
                module.summary(stdout=self.stdout)
