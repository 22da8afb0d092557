"""Reads of accounts."""

from django.db.models import QuerySet

from vigil.accounts.models import User
from vigil.core.vocabularies import Role


def people_who_document() -> QuerySet[User]:
    """Active case officers and coordinators, by name: who can be put on a case."""
    return User.objects.filter(
        is_active=True, role__in=[Role.CASE_OFFICER, Role.COORDINATOR]
    ).order_by("first_name", "last_name", "username")
