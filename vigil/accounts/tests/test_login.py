"""Logging in and out of the desk, through HTTP."""

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import PASSWORD, totp_code
from vigil.accounts.forms import login_throttle
from vigil.core.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/desk/login/"


def log_in(client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def test_it_shows_the_login_page(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'<label for="id_username">' in response.content
    assert b'autocomplete="current-password"' in response.content


def test_it_logs_in_and_lands_on_the_dashboard(client, alice):
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/desk/two-factor/?next=%2Fdesk%2F"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.actor_id) == ("accounts.login", alice.pk)
    response = client.post(response["Location"], {"code": totp_code(alice)})
    assert response["Location"] == reverse("core:dashboard")
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_it_follows_a_local_next_but_not_a_foreign_one(client, alice):
    response = client.post(
        LOGIN + "?next=/desk/password/", {"username": "alice", "password": PASSWORD}
    )
    assert response["Location"] == "/desk/two-factor/?next=%2Fdesk%2Fpassword%2F"
    client.logout()
    response = client.post(
        LOGIN + "?next=https://evil.example/", {"username": "alice", "password": PASSWORD}
    )
    assert response["Location"] == "/desk/two-factor/?next=%2Fdesk%2F"
    # The code form checks `next` again: a foreign one sent straight to it goes nowhere.
    response = client.post(
        "/desk/two-factor/", {"code": totp_code(alice), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:dashboard")


def test_it_refuses_a_wrong_password_and_keeps_the_username(client, alice):
    response = log_in(client, "alice", "not the password")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert b'value="alice"' in response.content
    assert "_auth_user_id" not in client.session
    failure = AuditEntry.objects.get(action="accounts.login_failed", object_id=str(alice.pk))
    assert failure.actor_name == "anonymous"


def test_it_does_not_audit_failures_for_names_that_are_no_account(client, db):
    log_in(client, "my secret password typed in the wrong box", "x")
    assert not AuditEntry.objects.filter(action="accounts.login_failed").exists()


def test_it_stores_passwords_with_argon2(alice):
    assert alice.password.startswith("argon2$argon2id$")
    assert PASSWORD not in alice.password


@pytest.mark.slow  # about 2 s
def test_it_throttles_an_account_after_repeated_failures(client, alice):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert log_in(client, "alice", "wrong guess").status_code == 200
    # Even the right password is refused until the window has passed.
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_it_counts_an_attempt_before_checking_the_password(client, alice):
    # As if as many attempts as allowed were in flight at once, none finished yet:
    # the next one is refused without the password being tried.
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        login_throttle.hit("alice")
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.slow  # about 1 s
def test_it_throttles_names_whether_or_not_the_account_exists(client, db):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        log_in(client, "nobody", "guess")
    response = log_in(client, "nobody", "guess")
    assert response.status_code == 429


@pytest.mark.slow  # about 1 s
def test_it_counts_a_name_in_any_letter_case_as_the_same_account(client, alice):
    for name in ["alice", "ALICE", "Alice", "aLiCe", "alicE"]:
        log_in(client, name, "wrong guess")
    assert log_in(client, "alice", PASSWORD).status_code == 429


@pytest.mark.slow  # about 3 s
def test_the_throttle_of_one_account_does_not_lock_out_another(client, alice, erin):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        log_in(client, "alice", "wrong guess")
    assert log_in(client, "erin", PASSWORD).status_code == 302


@pytest.mark.slow  # about 5 s
def test_a_successful_login_clears_earlier_failures(client, alice):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        log_in(client, "alice", "wrong guess")
    assert log_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        log_in(client, "alice", "wrong guess")
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_it_logs_out_with_a_post_and_audits_it(client, alice):
    client.force_login(alice)
    assert client.get("/desk/logout/").status_code == 405
    response = client.post("/desk/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session
    assert client.get("/desk/").status_code == 302
    assert AuditEntry.objects.filter(action="accounts.logout", actor_id=alice.pk).exists()


def test_the_login_page_sends_a_logged_in_user_to_the_desk(client, alice):
    client.force_login(alice)
    response = client.get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")


def test_the_admins_own_login_form_is_replaced_by_the_throttled_one(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN + "?next=/admin/"


def sessions_of(user, count=2):
    from django.test import Client

    clients = [Client() for _ in range(count)]
    for each in clients:
        each.force_login(user)
        assert each.get(reverse("core:dashboard")).status_code == 200
    return clients


def shut_out(client) -> bool:
    response = client.get(reverse("core:dashboard"))
    return response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )


def test_logging_out_anywhere_ends_every_session_of_the_account(alice, carol):
    here, elsewhere = sessions_of(alice)
    (other,) = sessions_of(carol, 1)
    here.post(reverse("accounts:logout"))
    assert shut_out(here) and shut_out(elsewhere)  # the forgotten session too
    assert not shut_out(other)  # another account's session is untouched
    alice.refresh_from_db()  # as a real login loads the account
    (again,) = sessions_of(alice, 1)  # logging in again works
    assert not shut_out(again)


def test_a_new_password_or_a_deactivation_ends_every_session(alice):
    from vigil.accounts import services

    (old,) = sessions_of(alice, 1)
    services.user_set_password(actor=None, user=alice, password="a completely new passphrase")
    assert shut_out(old)
    (old,) = sessions_of(alice, 1)
    services.user_update(actor=None, user=alice, is_active=False)
    assert shut_out(old)
