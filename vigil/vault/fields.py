"""Model fields whose values are encrypted at rest (see `vigil.vault.encryption`)."""

from typing import Any

from django.db import models

from vigil.vault import encryption


class EncryptedTextField(models.TextField):
    """Text stored sealed (`vigil.vault.encryption`); Python code sees the plain text.

    The database can neither search nor sort on it: find records through a blind
    index or the search index instead. An empty value is stored empty.
    """

    description = "Text encrypted at rest"

    def where(self) -> str:
        """Where its values belong, bound into each seal: "table.column"."""
        return f"{self.model._meta.db_table}.{self.column}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return encryption.decrypt(value, where=self.where())

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encryption.encrypt(value, where=self.where())

    def get_lookup(self, lookup_name: str):  # type: ignore[no-untyped-def]
        # A lookup would compare fresh ciphertext with stored ciphertext (random
        # IVs: never equal) and silently match nothing; refuse it instead.
        if lookup_name != "isnull":
            raise TypeError(
                f"{self.__class__.__name__} cannot be queried with '{lookup_name}'; "
                "use a blind index or the search index"
            )
        return super().get_lookup(lookup_name)
