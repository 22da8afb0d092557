"""Account management in the Django admin, for administrators only."""

import pytest

from vigil.accounts.models import User
from vigil.core.models import AuditEntry
from vigil.core.vocabularies import Role

pytestmark = pytest.mark.django_db


def test_only_administrators_reach_the_admin(client, alice, carol, erin):
    for person in (alice, carol):
        client.force_login(person)
        response = client.get("/admin/", follow=True)
        assert response.status_code == 403, person.username
        assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
        assert b"Not allowed" in response.content
    client.force_login(erin)
    assert client.get("/admin/").status_code == 200


def test_a_visitor_is_sent_from_the_admin_to_the_desk_login(client, db):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1] == ("/desk/login/?next=/admin/", 302)
    assert response.status_code == 200


@pytest.mark.slow  # about 1 s
def test_an_administrator_resets_a_password_and_it_is_audited(client, erin, bob):
    client.force_login(erin)
    new = "bob's new passphrase"
    response = client.post(
        f"/admin/accounts/user/{bob.pk}/password/",
        {"usable_password": "true", "password1": new, "password2": new},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bob.refresh_from_db()
    assert bob.check_password(new)
    entry = AuditEntry.objects.get(action="accounts.password_reset", object_id=str(bob.pk))
    assert (entry.actor_id, entry.fields) == (erin.pk, ["password"])


def test_a_refused_password_reset_changes_nothing_and_records_nothing(client, erin, bob):
    client.force_login(erin)
    response = client.post(
        f"/admin/accounts/user/{bob.pk}/password/",
        {"usable_password": "true", "password1": "short", "password2": "different"},
    )
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action="accounts.password_reset").exists()


def test_the_admins_own_password_form_is_the_desks(client, erin):
    client.force_login(erin)
    response = client.get("/admin/password_change/")
    assert response.status_code == 302
    assert response["Location"] == "/desk/password/"


@pytest.mark.slow  # about 1 s
def test_an_administrator_creates_an_officer_with_countries(client, erin):
    client.force_login(erin)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "olga",
            "usable_password": "true",
            "password1": "a fresh long passphrase",
            "password2": "a fresh long passphrase",
            "role": Role.CASE_OFFICER,
            "countries": ["KEN", "UGA"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    olga = User.objects.get(username="olga")
    assert olga.role == Role.CASE_OFFICER
    assert olga.countries == ["KEN", "UGA"]
    assert olga.check_password("a fresh long passphrase")
    assert not olga.is_staff
    entry = AuditEntry.objects.get(action="accounts.user_created", object_id=str(olga.pk))
    assert entry.actor_id == erin.pk


def test_an_administrator_changes_a_role_and_it_is_audited(client, erin, bob):
    client.force_login(erin)
    response = client.post(
        f"/admin/accounts/user/{bob.pk}/change/",
        {
            "username": "bob",
            "first_name": "Bob",
            "last_name": "",
            "email": "",
            "role": Role.COORDINATOR,
            "countries": [],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bob.refresh_from_db()
    assert bob.role == Role.COORDINATOR
    assert bob.countries == []
    entry = AuditEntry.objects.get(action="accounts.role_changed", object_id=str(bob.pk))
    assert entry.fields == ["countries", "role"]


def test_an_administrator_deactivates_an_account_and_it_is_audited(client, erin, bob):
    client.force_login(erin)
    response = client.post(
        f"/admin/accounts/user/{bob.pk}/change/",
        {
            "username": "bob",
            "first_name": "Bob",
            "last_name": "Example",
            "email": "",
            "role": Role.CASE_OFFICER,
            "countries": ["KEN"],
        },  # is_active left out: the box is unticked
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bob.refresh_from_db()
    assert not bob.is_active
    assert bob.last_name == "Example"
    entry = AuditEntry.objects.get(action="accounts.user_changed", object_id=str(bob.pk))
    assert entry.fields == ["is_active", "last_name"]
    assert not AuditEntry.objects.filter(action="accounts.role_changed").exists()


def test_an_officer_needs_a_country(client, erin, bob):
    client.force_login(erin)
    response = client.post(
        f"/admin/accounts/user/{bob.pk}/change/",
        {"username": "bob", "role": Role.CASE_OFFICER, "countries": [], "is_active": "on"},
    )
    assert response.status_code == 200
    assert b"A case officer needs at least one assigned country." in response.content
    bob.refresh_from_db()
    assert bob.countries == ["KEN"]


def test_accounts_cannot_be_deleted_only_deactivated(client, erin, bob):
    client.force_login(erin)
    assert client.post(f"/admin/accounts/user/{bob.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=bob.pk).exists()


def test_createsuperuser_makes_an_audited_administrator(monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "the first admin's passphrase")
    call_command("createsuperuser", interactive=False, username="root", email="root@example.org")
    root = User.objects.get(username="root")
    assert root.role == Role.ADMINISTRATOR
    assert root.is_superuser and root.is_staff
    assert root.check_password("the first admin's passphrase")
    assert AuditEntry.objects.filter(
        action="accounts.user_created", object_id=str(root.pk)
    ).exists()
