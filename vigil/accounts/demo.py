"""Demo accounts: one per role, fictional people, password from VIGIL_DEMO_PASSWORD."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from vigil.accounts import services
from vigil.accounts.models import User
from vigil.core.vocabularies import Role

DATASET = "accounts"

# (username, role, assigned countries). The officer covers several countries so
# that the demo shows country scoping at work.
DEMO_ACCOUNTS: list[tuple[str, Role, list[str]]] = [
    ("admin", Role.ADMINISTRATOR, []),
    ("coordinator", Role.COORDINATOR, []),
    ("officer", Role.CASE_OFFICER, ["COL", "GTM", "PHL", "KEN"]),
    ("analyst", Role.ANALYST, []),
    ("stakeholder", Role.STAKEHOLDER, []),
]


def load(*, fake: Any, stdout: Any) -> None:
    for username, role, countries in DEMO_ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue
        services.user_create(
            actor=None,
            username=username,
            role=role,
            countries=countries,
            password=settings.DEMO_PASSWORD,
            first_name=fake.first_name(),
            last_name=fake.last_name(),
            email=f"{username}@vigil.example",
        )


def demo_accounts() -> list[User]:
    by_name = {
        u.username: u for u in User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS])
    }
    return [by_name[name] for name, _role, _countries in DEMO_ACCOUNTS if name in by_name]


def summary(*, stdout: Any) -> None:
    """Tell whoever ran loaddemo which accounts exist and their shared password."""
    accounts = demo_accounts()
    if not accounts:
        return
    stdout.write("")
    stdout.write(_("Demo accounts (fictional people; for a demo only):"))
    for user in accounts:
        stdout.write(f"  {user.username:<12} {user.get_role_display()}")
    stdout.write(
        _("Password for every demo account: %(password)s") % {"password": settings.DEMO_PASSWORD}
    )
