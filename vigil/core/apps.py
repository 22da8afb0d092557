from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "vigil.core"
    label = "core"
    verbose_name = _("Vigil core")

    def ready(self) -> None:
        # The installation's folder, made at start-up rather than when the settings
        # are read: the embedded database and the file store live in it, and WhiteNoise
        # warns on every request until its static folder exists.
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        settings.STATIC_ROOT.mkdir(exist_ok=True)
        # On a development machine, reading the audit key makes its file the first
        # time (settings._DevelopmentKey): at start-up, not during a request.
        tuple(settings.AUDIT_KEYS)
        _quick_country_names()


def _quick_country_names() -> None:
    """`get_country_display()` (and the like) of every field choosing among the
    world's countries names the country straight from the ISO catalogue. Django's
    own builds a dictionary of every country for each call: a list of 50 cases spent
    most of its time there. The name is the same (a test holds them equal)."""
    from functools import partialmethod

    from django.apps import apps
    from django.utils.choices import CallableChoiceIterator

    from vigil.core.vocabularies import country_choices, country_name

    def display(self, *, field):  # type: ignore[no-untyped-def]
        return country_name(getattr(self, field.attname) or "")

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            choices = field.choices
            if isinstance(choices, CallableChoiceIterator) and choices.func is country_choices:
                setattr(model, f"get_{field.name}_display", partialmethod(display, field=field))
