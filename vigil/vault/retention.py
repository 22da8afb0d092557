"""What `manage.py purge_expired` deletes from the file store: files that no record
points at, a day after they were written.

A file is written before the row that names it, and deleted after the row's
transaction has committed: a deletion that fails then (the object store out of reach
during a purge, a clean-up after a refused upload) leaves a file no record names,
which every later backup would carry and which would outlive the retention its
record promised. The rows that name stored files are found through the app registry,
by their `stored_name` field, so this room names no other. The day's grace keeps a
file whose row is still being written."""

from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from vigil.vault import files

GRACE = timedelta(days=1)


def referenced() -> set[str]:
    """Every stored file name that a record holds."""
    names: set[str] = set()
    for model in apps.get_models():
        if any(field.name == "stored_name" for field in model._meta.concrete_fields):
            names.update(
                model._base_manager.exclude(stored_name="").values_list("stored_name", flat=True)
            )
    return names


def purge() -> str:
    held = files.names()  # listed first: a file written after this is not looked at
    kept = referenced()
    cutoff = timezone.now() - GRACE
    deleted = 0
    for name in held:
        if name not in kept and files.written_at(name) < cutoff:
            files.delete(name)
            deleted += 1
    return f"{deleted} files no record names deleted"
