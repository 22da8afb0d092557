"""Vigil's Django admin site: whatever is changed in it is in the audit trail.

Threat: an administrator (or a stolen administrator's account) changes records in
`/admin/` and leaves no trace in the hash-chained trail, because a ModelAdmin calls
`.save()` itself, or because someone registers a new model without writing the
audit entries by hand. Django's own record of admin changes (`LogEntry`) sits in an
ordinary table that the same person can edit.

Control: the default admin site is this one (`accounts.apps.AuditedAdminConfig` in
settings), and
its `register` puts `AuditedAdmin` in front of every ModelAdmin registered, whoever
wrote it. Django's admin calls `log_addition`, `log_change` and `log_deletions` for
every add, change (list edits included) and delete it performs; `AuditedAdmin`
writes an audit entry (`admin.added`, `admin.changed`, `admin.deleted`) inside the
same transaction, naming the person, the object and the fields (their labels, never
their values). Every admin action run on selected objects is recorded too
(`admin.action`, one entry per object, the action's name as the field). The services
that models such as accounts go through write their own entries besides.
"""

import json
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db import models, transaction

from vigil.core import audit


def _fields(message: Any) -> list[str]:
    """The field labels an admin change message names (never the values, nor the
    names of related objects, which could be anything)."""
    if isinstance(message, str):
        try:
            message = json.loads(message) if message else []
        except ValueError:
            return []
    names: list[str] = []
    for part in message or []:
        for detail in part.values() if isinstance(part, dict) else ():
            if isinstance(detail, dict):
                names.extend(str(name) for name in detail.get("fields", []))
    return names


class AuditedAdmin(admin.ModelAdmin):
    """Put in front of every ModelAdmin by `AuditedAdminSite.register`: each add,
    change, delete and action in the admin writes an audit entry by the person who
    made it."""

    def log_addition(self, request: Any, obj: models.Model, message: Any) -> Any:
        with transaction.atomic():
            audit.record(actor=request.user, action="admin.added", obj=obj, fields=_fields(message))
            return super().log_addition(request, obj, message)

    def log_change(self, request: Any, obj: models.Model, message: Any) -> Any:
        with transaction.atomic():
            audit.record(
                actor=request.user, action="admin.changed", obj=obj, fields=_fields(message)
            )
            return super().log_change(request, obj, message)

    def log_deletions(self, request: Any, queryset: Any) -> Any:
        with transaction.atomic():
            for obj in queryset:
                audit.record(actor=request.user, action="admin.deleted", obj=obj)
            return super().log_deletions(request, queryset)

    def get_actions(self, request: Any) -> dict[str, tuple[Callable, str, str]]:
        return {
            name: (_audited_action(name, func), name, description)
            for name, (func, name, description) in super().get_actions(request).items()
        }


def _audited_action(name: str, func: Callable) -> Callable:
    def run(modeladmin: admin.ModelAdmin, request: Any, queryset: Any) -> Any:
        with transaction.atomic():
            for obj in queryset:
                audit.record(actor=request.user, action="admin.action", obj=obj, fields=[name])
            return func(modeladmin, request, queryset)

    # The admin reads these from the function (permissions, description).
    run.__dict__.update(getattr(func, "__dict__", {}))
    run.__name__ = name
    return run


class AuditedAdminSite(admin.AdminSite):
    site_header = "Vigil"
    site_title = "Vigil"

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdmin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
