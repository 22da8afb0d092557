"""What each role may do: decided here, and only here.

Views, services, templates and the API ask `has_perm(user, Perm.X)` and
`in_scope(user, country)`; none of them looks at a role directly. Changing who
may do what is a change to ROLE_PERMISSIONS and its tests, nowhere else.

Need-to-know is the rule. Case officers see the countries assigned to them and
nothing else; analysts see aggregates and de-identified records, never
identities; administrators run the system but do not read case content;
stakeholders see only what they submitted. Django's `is_superuser` flag grants
nothing here: it opens the Django admin, which holds no case content.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from vigil.core.vocabularies import Role


class Perm(StrEnum):
    VIEW_DESK = "view_desk"
    TRIAGE_INTAKE = "triage_intake"
    DOCUMENT_CASES = "document_cases"
    VIEW_IDENTITIES = "view_identities"
    DRAFT_COMMUNICATIONS = "draft_communications"
    APPROVE_COMMUNICATIONS = "approve_communications"
    PUBLISH = "publish"
    MANAGE_MEASURES = "manage_measures"
    PROPOSE_MEASURES = "propose_measures"
    SUBMIT_ACTIVITY_REPORTS = "submit_activity_reports"
    REVIEW_ACTIVITY_REPORTS = "review_activity_reports"
    VIEW_STATISTICS = "view_statistics"
    BUILD_REPORTS = "build_reports"
    MANAGE_USERS = "manage_users"
    MANAGE_KEYS = "manage_keys"
    VIEW_AUDIT_TRAIL = "view_audit_trail"


_OFFICER = {
    Perm.VIEW_DESK,
    Perm.TRIAGE_INTAKE,
    Perm.DOCUMENT_CASES,
    Perm.VIEW_IDENTITIES,
    Perm.DRAFT_COMMUNICATIONS,
    Perm.MANAGE_MEASURES,
    Perm.REVIEW_ACTIVITY_REPORTS,
    Perm.VIEW_STATISTICS,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.STAKEHOLDER: frozenset(
        {Perm.VIEW_DESK, Perm.SUBMIT_ACTIVITY_REPORTS, Perm.PROPOSE_MEASURES}
    ),
    Role.CASE_OFFICER: frozenset(_OFFICER),
    Role.COORDINATOR: frozenset(
        _OFFICER
        | {Perm.APPROVE_COMMUNICATIONS, Perm.PUBLISH, Perm.BUILD_REPORTS, Perm.VIEW_AUDIT_TRAIL}
    ),
    Role.ANALYST: frozenset({Perm.VIEW_DESK, Perm.VIEW_STATISTICS, Perm.BUILD_REPORTS}),
    Role.ADMINISTRATOR: frozenset(
        {Perm.VIEW_DESK, Perm.MANAGE_USERS, Perm.MANAGE_KEYS, Perm.VIEW_AUDIT_TRAIL}
    ),
}

# Roles that work across every country (within their permissions). Case officers
# get the countries assigned to them; every other role gets none, so that a
# forgotten permission check fails closed.
ALL_COUNTRY_ROLES = frozenset({Role.COORDINATOR, Role.ANALYST})


def _role_of(user: Any) -> Role | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return Role(user.role)
    except ValueError:
        return None


def permissions_of(user: Any) -> frozenset[Perm]:
    """Everything `user` may do; empty for anonymous and inactive users."""
    role = _role_of(user)
    return ROLE_PERMISSIONS[role] if role else frozenset()


def has_perm(user: Any, perm: Perm) -> bool:
    return perm in permissions_of(user)


def country_scope(user: Any) -> frozenset[str] | None:
    """The countries whose records `user` may see: None means every country.

    Coordinators and analysts (within their permissions) see every country; case
    officers the countries assigned to them (possibly none). Administrators and
    stakeholders see no country's records: administrators do not read case
    content, and a stakeholder's own submissions are reached by ownership, not
    by country.
    """
    role = _role_of(user)
    if role in ALL_COUNTRY_ROLES:
        return None
    if role == Role.CASE_OFFICER:
        return frozenset(user.countries or ())
    return frozenset()


def in_scope(user: Any, country: str) -> bool:
    scope = country_scope(user)
    return scope is None or country in scope


def scope_queryset(queryset: QuerySet, user: Any, *, field: str = "country") -> QuerySet:
    """Limit `queryset` to the records in `user`'s countries (`field` holds the code)."""
    scope = country_scope(user)
    if scope is None:
        return queryset
    return queryset.filter(**{f"{field}__in": sorted(scope)})


def permission_required(*perms: Perm, hidden: bool = False) -> Callable:
    """View decorator: log in first, then hold `perm` (or, given several, any one).

    Without it the answer is 403, or 404 with `hidden=True`: for pages about
    records, whose very existence is not for everyone to learn.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):  # type: ignore[no-untyped-def]
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(has_perm(request.user, perm) for perm in perms):
                raise Http404 if hidden else PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class PermissionFlags:
    """Template helper: `{% if can.manage_users %}` reads `has_perm`."""

    def __init__(self, user: Any) -> None:
        self._perms = permissions_of(user)

    def __getattr__(self, name: str) -> bool:
        try:
            return Perm(name) in self._perms
        except ValueError:
            raise AttributeError(name) from None
