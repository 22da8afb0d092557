"""Model fields every room shares."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from vigil.core.vocabularies import country_choices, country_name, is_country


class CountryField(models.CharField):
    """A country of the world, by its ISO 3166-1 alpha-3 code, offered by name in the
    reader's language. Checked against the codes, and named, straight from the
    catalogue: a plain field with these choices lists every country again for each
    value it checks and each name it shows (about 1 ms a record on an import, and
    most of a case list's time). The column, the choices and the messages are those
    of that plain field, so migrations see one (`deconstruct`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("choices", country_choices)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs

    def validate(self, value: Any, model_instance: Any) -> None:
        """Django's checks of a field with choices, in its words: one of the
        countries, and present unless the field may be blank."""
        if not self.editable:
            return
        if value not in self.empty_values and not is_country(value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        if value is None and not self.null:
            raise ValidationError(self.error_messages["null"], code="null")
        if not self.blank and value in self.empty_values:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        display = f"get_{name}_display"
        own = display in cls.__dict__  # a model's own method stays, as Django leaves it
        super().contribute_to_class(cls, name, private_only)
        if not own:
            attname = self.attname

            def named(instance: Any) -> str:
                return country_name(getattr(instance, attname) or "")

            named.__name__ = display
            setattr(cls, display, named)
