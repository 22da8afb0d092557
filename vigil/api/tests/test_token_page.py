"""The desk page of one's own API tokens: made by their user only (the code asked again
when old), shown once, listed with their metadata, revoked by their user; the admin
shows tokens and revokes them but makes none."""

import re

import pytest
from django.conf import settings

from conftest import totp_code
from vigil.accounts.two_factor import VERIFIED_AT
from vigil.api import tokens
from vigil.api.models import ApiToken
from vigil.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PAGE = "/desk/api-tokens/"


def made_token(response) -> str:
    return re.search(
        r'<code class="secret-key">(vgl_[A-Za-z0-9_-]+)</code>', response.content.decode()
    )[1]


def test_it_makes_a_token_for_its_user_and_shows_it_once(client, alice):
    client.force_login(alice)
    page = client.get(PAGE)
    assert page.status_code == 200 and b"You have no API token." in page.content
    assert b"read:identities" in page.content and b"read:stats" in page.content
    response = client.post(PAGE, {"name": "sync", "scopes": ["read:cases", "read:identities"]})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    plaintext = made_token(response)
    token = ApiToken.objects.get(user=alice)
    assert (token.created_by, token.scopes) == (alice, ["read:cases", "read:identities"])
    assert tokens.authenticate(plaintext) == token
    entry = AuditEntry.objects.get(action="api.token_issued")
    assert (entry.actor_id, entry.object_id) == (alice.pk, str(token.pk))
    again = client.get(PAGE).content.decode()
    assert plaintext not in again and token.prefix in again  # listed, never shown again


def test_it_offers_and_grants_only_the_scopes_of_the_role(client, dave):
    client.force_login(dave)  # an analyst
    page = client.get(PAGE)
    assert b'value="read:stats"' in page.content and b'value="read:cases"' not in page.content
    refused = client.post(PAGE, {"name": "x", "scopes": ["read:cases"]})
    assert refused.status_code == 200 and b"Select a valid choice" in refused.content
    assert not ApiToken.objects.exists()


def test_it_asks_for_the_code_again_before_making_a_token(client, alice):
    client.force_login(alice)
    session = client.session
    session[VERIFIED_AT] = 0
    session.save()
    asked = client.post(PAGE, {"name": "sync", "scopes": ["read:cases"]}, HTTP_REFERER=PAGE)
    assert asked.status_code == 302
    assert asked["Location"].startswith("/desk/two-factor/confirm/")
    assert not ApiToken.objects.exists()
    client.post("/desk/two-factor/confirm/", {"code": totp_code(alice)})
    made = client.post(PAGE, {"name": "sync", "scopes": ["read:cases"]})
    assert made.status_code == 200 and ApiToken.objects.filter(user=alice).count() == 1
    assert settings.SECOND_FACTOR_STEP_UP_SECONDS > 0


def test_it_revokes_only_ones_own_tokens(client, alice, bob):
    own, own_plain = tokens.issue(user=alice, name="a", scopes=["read:cases"])
    other, other_plain = tokens.issue(user=bob, name="b", scopes=["read:cases"])
    client.force_login(alice)
    assert client.post(f"{PAGE}{other.pk}/revoke/").status_code == 404
    assert tokens.authenticate(other_plain) is not None
    assert client.get(f"{PAGE}{own.pk}/revoke/").status_code == 405
    response = client.post(f"{PAGE}{own.pk}/revoke/", follow=True)
    assert response.redirect_chain == [(PAGE, 302)] and b"The token is revoked." in response.content
    assert tokens.authenticate(own_plain) is None
    assert AuditEntry.objects.filter(action="api.token_revoked", actor_id=alice.pk).count() == 1


def test_the_admin_lists_and_revokes_tokens_but_cannot_add_or_edit(client, erin, alice):
    token, plaintext = tokens.issue(user=alice, name="sync", scopes=["read:cases"])
    client.force_login(erin)
    listing = client.get("/admin/api/apitoken/")
    assert listing.status_code == 200 and token.prefix.encode() in listing.content
    assert b"/admin/api/apitoken/add/" not in listing.content
    detail = client.get(f"/admin/api/apitoken/{token.pk}/change/")
    assert detail.status_code == 200 and token.digest.encode() not in detail.content
    edit = client.post(
        f"/admin/api/apitoken/{token.pk}/change/", {"name": "renamed", "user": erin.pk}
    )
    assert edit.status_code == 403
    token.refresh_from_db()
    assert (token.name, token.user) == ("sync", alice)
    response = client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert b"The tokens are revoked." in response.content
    assert tokens.authenticate(plaintext) is None
    actions = set(AuditEntry.objects.filter(actor_id=erin.pk).values_list("action", flat=True))
    assert {"api.token_revoked", "admin.action"} <= actions


def test_the_upgrade_revokes_tokens_someone_else_made(alice, erin):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "vigil.api.migrations.0002_revoke_tokens_made_for_someone_else"
    )
    own, own_plain = tokens.issue(user=alice, name="own", scopes=["read:cases"])
    by_admin, admin_plain = tokens.issue(user=alice, name="admin's", scopes=["read:cases"])
    by_command, command_plain = tokens.issue(user=alice, name="cli", scopes=["read:cases"])
    ApiToken.objects.filter(pk=by_admin.pk).update(created_by=erin)  # as made before
    ApiToken.objects.filter(pk=by_command.pk).update(created_by=None)
    migration.revoke_tokens_made_for_someone_else(apps, None)
    assert tokens.authenticate(own_plain) is not None
    assert tokens.authenticate(admin_plain) is None
    assert tokens.authenticate(command_plain) is None
