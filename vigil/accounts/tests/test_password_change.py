import pytest

from conftest import PASSWORD
from vigil.core.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/desk/password/"
NEW = "another long passphrase 2026"


def test_it_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/desk/login/")


def test_it_changes_the_password_and_keeps_the_session(client, alice):
    client.force_login(alice)
    response = client.post(
        URL, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert client.get("/desk/").status_code == 200  # still logged in
    alice.refresh_from_db()
    assert alice.check_password(NEW)
    assert alice.password.startswith("argon2$")
    entry = AuditEntry.objects.filter(action="accounts.password_changed").get()
    assert entry.fields == ["password"]
    assert entry.actor_id == alice.pk


def test_it_refuses_a_wrong_old_password_and_changes_nothing(client, alice):
    client.force_login(alice)
    response = client.post(
        URL, {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 200
    assert b"Your old password was entered incorrectly" in response.content
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="accounts.password_changed").exists()


def change(client, password):
    return client.post(
        URL, {"old_password": PASSWORD, "new_password1": password, "new_password2": password}
    )


def test_it_refuses_a_weak_new_password(client, alice):
    client.force_login(alice)
    response = change(client, "12345678")
    assert response.status_code == 200
    assert b"This password is too short. It must contain at least 15 characters" in response.content
    assert b"This password is too common" in response.content


@pytest.mark.slow  # about 8 s
def test_the_policy_is_nists_length_without_rules_of_composition(client, alice):
    """NIST SP 800-63B: 15 characters at least, up to 256, any characters, spaces
    included; no demand for digits, capitals or symbols."""
    client.force_login(alice)
    assert change(client, "x" * 257).status_code == 200
    assert b"longer than 256 characters" in change(client, "x" * 257).content
    assert change(client, "fourteen chars").status_code == 200  # 14: too short
    for accepted in ["orchard lantern", "358914072619384", "ÿ" * 256]:
        alice.set_password(PASSWORD)
        alice.save()
        client.force_login(alice)
        response = change(client, accepted)
        assert response.status_code == 302, accepted


def test_the_new_password_is_never_echoed_back(client, alice):
    client.force_login(alice)
    response = client.post(
        URL, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW + "x"}
    )
    assert response.status_code == 200
    assert NEW.encode() not in response.content
    assert PASSWORD.encode() not in response.content
