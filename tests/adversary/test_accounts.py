"""Attacks by an administrator on case content, and by a seized disk on the second factor.

An administrator runs the system and must never read case content: not by making an
API token for an officer (the trail would then blame the officer), not through the
Django admin's pages, not by giving themselves a role that reads cases, and nothing
they change in the admin goes unrecorded. A seized database must not give anyone a
staff account's second factor.
"""

import base64
import re
import time

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from conftest import PASSWORD, make_user
from vigil.accounts.models import User
from vigil.api import tokens
from vigil.api.models import ApiToken
from vigil.cases.tests import factories as make
from vigil.core.models import AuditEntry
from vigil.core.vocabularies import Role

pytestmark = pytest.mark.django_db

CANARY = "Zenaida Canarywood"


@pytest.fixture
def defender(alice):
    case = make.case(alice, country="COL", title=f"{CANARY}: threats")
    defender = make.defender(alice, country="COL", name=CANARY, contact="+57 300 111 2222")
    incident = make.incident(alice, country="COL", case=case, narrative=f"{CANARY} was followed.")
    make.act(alice, incident=incident, victim=defender)
    return defender


def test_an_administrator_cannot_make_an_api_token_for_an_officer_in_the_admin(
    client, erin, alice, defender
):
    client.force_login(erin)
    assert client.get("/admin/api/apitoken/add/").status_code == 403
    response = client.post(
        "/admin/api/apitoken/add/",
        {"user": alice.pk, "name": "sync", "scopes": ["read:cases", "read:identities"]},
        follow=True,
    )
    assert response.status_code == 403
    # Had a token been shown, it must not read the officer's defender by her name.
    for plaintext in re.findall(r"vgl_[A-Za-z0-9_-]{20,}", response.content.decode()):
        read = Client().get(
            f"/api/v1/defenders/{defender.pk}", HTTP_AUTHORIZATION=f"Bearer {plaintext}"
        )
        assert read.status_code != 200 or read.json().get("name") is None
    assert ApiToken.objects.filter(user=alice).count() == 0
    # Nor by calling the service directly, whatever page someone adds later.
    with pytest.raises(PermissionDenied):
        tokens.issue(actor=erin, user=alice, name="sync", scopes=["read:cases"])
    assert ApiToken.objects.filter(user=alice).count() == 0


def test_the_api_token_command_cannot_make_a_token_for_an_officer(alice):
    with pytest.raises(CommandError):
        call_command(
            "api_token", "create", "alice", "--name", "sync",
            "--scope", "read:cases", "--scope", "read:identities",
        )  # fmt: skip
    assert ApiToken.objects.filter(user=alice).count() == 0


@pytest.mark.slow  # about 1 s
def test_an_administrator_reads_no_case_content_in_any_admin_page(client, erin, alice, defender):
    # Only accounts and API tokens are in the admin: nothing that holds case content,
    # and nothing that grants nothing (Django's groups are unused by Vigil).
    registered = {model._meta.label for model in admin.site._registry}
    assert registered == {"accounts.User", "api.ApiToken"}, sorted(registered)
    token, _plaintext = tokens.issue(actor=alice, user=alice, name="sync", scopes=["read:cases"])
    client.force_login(erin)
    pages = ["/admin/", "/admin/accounts/", "/admin/api/"]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        obj = {User: alice, ApiToken: token}[model]
        pages.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        pages.append(reverse("admin:{}_{}_history".format(*info), args=[obj.pk]))
    leaked = 0
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        leaked += CANARY.lower() in response.content.decode().lower()
        leaked += "+57 300 111 2222" in response.content.decode()
    assert leaked == 0, f"{leaked} admin pages show case content"


def test_an_administrator_cannot_give_themselves_a_role_that_reads_cases(client, erin):
    client.force_login(erin)
    response = client.post(
        f"/admin/accounts/user/{erin.pk}/change/",
        {
            "username": "erin", "first_name": "Erin", "last_name": "", "email": "",
            "role": Role.COORDINATOR, "countries": [], "is_active": "on",
        },
    )  # fmt: skip
    assert response.status_code == 200  # the form again, with the reason
    erin.refresh_from_db()
    assert erin.role == Role.ADMINISTRATOR and erin.is_superuser
    assert not AuditEntry.objects.filter(action="accounts.role_changed").exists()


def test_a_change_in_the_admin_cannot_escape_the_audit_trail(client, erin, alice):
    from django.contrib.admin.models import LogEntry

    client.force_login(erin)
    response = client.post(
        f"/admin/accounts/user/{alice.pk}/change/",
        {
            "username": "alice", "first_name": "Alicia", "last_name": "", "email": "",
            "role": Role.CASE_OFFICER, "countries": ["COL", "PHL"], "is_active": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert LogEntry.objects.count() == 1
    # The admin's own record of the change is in the audit trail too, by whoever made
    # it, whatever the model's admin does itself; and every admin registered is held
    # to that one mechanism.
    entry = AuditEntry.objects.get(action="admin.changed")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        erin.pk,
        "accounts.user",
        str(alice.pk),
    )
    from vigil.accounts.admin_site import AuditedAdmin

    unaudited = [m._meta.label for m, a in admin.site._registry.items()
                 if not isinstance(a, AuditedAdmin)]  # fmt: skip
    assert unaudited == []


def raw_database_text() -> str:
    """Every value of every table, read with SQL (not through the ORM and its fields)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        value = bytes(value)
                        parts.append(value.hex())
                        value = value.decode("latin-1")
                    parts.append(str(value))
    return "\n".join(parts)


@pytest.mark.slow  # about 1 s
def test_a_seized_database_gives_no_authenticator_secret_or_recovery_code(db):
    make_user("nora", Role.ANALYST, password=PASSWORD, app=False)
    client = Client()
    client.post("/desk/login/", {"username": "nora", "password": PASSWORD})
    page = client.get("/desk/two-factor/setup/").content.decode()
    key32 = re.search(r'<code class="secret-key">([A-Z2-7 ]+)</code>', page)[1].replace(" ", "")
    key = base64.b32decode(key32 + "=" * (-len(key32) % 8))
    totp = TOTP(key)
    totp.time = time.time()
    done = client.post("/desk/two-factor/setup/", {"code": f"{totp.token():06d}"})
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(codes) == 10 and client.get("/desk/statistics/").status_code == 200

    raw = raw_database_text()
    forms_of_the_key = {
        key.hex(), key.hex().upper(), key32, key32.lower(), key32.rstrip("="),
        base64.b64encode(key).decode(), base64.urlsafe_b64encode(key).decode(),
    }  # fmt: skip
    assert sum(form in raw for form in forms_of_the_key) == 0
    found = sum(code in raw or code.upper() in raw for code in codes)
    assert found == 0, f"{found} recovery codes are in the database"
