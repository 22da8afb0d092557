"""Two-factor login: the password is only half, a code is good once, recovery codes
work once each, wrong codes lock the step, a reset ends every session, and the code
is asked again before records leave the desk or are published."""

import re
import time

import pytest
from django.conf import settings
from django.test import Client
from django_otp.oath import TOTP

from conftest import PASSWORD, make_user, totp_code
from vigil.accounts import two_factor
from vigil.accounts.models import AuthenticatorApp, RecoveryCode, RecoveryCodes
from vigil.accounts.two_factor import VERIFIED_AT
from vigil.cases.tests import factories as make
from vigil.core.models import AuditEntry
from vigil.core.vocabularies import Role

pytestmark = pytest.mark.django_db

VERIFY = "/desk/two-factor/"
SETUP = "/desk/two-factor/setup/"


def password_step(client, username: str, next_url: str = "") -> str:
    login = "/desk/login/" + (f"?next={next_url}" if next_url else "")
    response = client.post(login, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response["Location"]


def test_after_the_password_nothing_of_the_desk_shows_until_the_code(client, alice):
    assert password_step(client, "alice") == "/desk/two-factor/?next=%2Fdesk%2F"
    # The public pages, some of which show more to staff, see a visitor until then.
    for path in ["/library/", "/communications/", "/"]:
        assert client.get(path).wsgi_request.user.is_anonymous, path
    redirect = client.get("/desk/cases/")
    assert redirect["Cache-Control"] == "no-store" and "Content-Security-Policy" in redirect
    # Every desk page, the admin and a download send the half-logged-in user back.
    for path in ["/desk/", "/desk/cases/", "/admin/", "/desk/records/export.csv"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(VERIFY), path
    page = client.get(VERIFY)
    assert page.status_code == 200
    assert b"Second step of logging in" in page.content
    assert b'autocomplete="one-time-code"' in page.content

    wrong = client.post(VERIFY, {"code": "000000", "next": "/desk/cases/"})
    assert wrong.status_code == 200
    assert b"That code is not right" in wrong.content
    assert client.get("/desk/").status_code == 302

    before = client.session.session_key
    right = client.post(VERIFY, {"code": totp_code(alice), "next": "/desk/cases/"})
    assert right["Location"] == "/desk/cases/"
    assert client.session.session_key != before  # a new session id once verified
    assert client.get("/desk/cases/").status_code == 200
    actions = list(
        AuditEntry.objects.filter(object_id=str(alice.pk)).values_list("action", flat=True)
    )
    assert "accounts.second_factor_failed" in actions and "accounts.second_factor_used" in actions


def test_a_code_used_once_cannot_be_used_again(alice):
    code = totp_code(alice)
    first, second = Client(), Client()
    password_step(first, "alice")
    assert first.post(VERIFY, {"code": code})["Location"] == "/desk/"
    password_step(second, "alice")
    replay = second.post(VERIFY, {"code": code})
    assert replay.status_code == 200
    assert b"has been used already" in replay.content
    assert second.get("/desk/").status_code == 302


@pytest.mark.slow  # about 4 s
def test_a_recovery_code_works_once(client, alice):
    codes = two_factor.renew_recovery_codes(user=alice)
    assert len(codes) == 10 and len(set(codes)) == 10
    password_step(client, "alice")
    response = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain[-1][0] == "/desk/"
    assert b"You used a recovery code. 9 are left." in response.content
    assert two_factor.recovery_codes_left(alice) == 9

    other = Client()
    password_step(other, "alice")
    assert other.post(VERIFY, {"code": codes[0]}).status_code == 200  # refused
    assert other.get("/desk/").status_code == 302


def test_wrong_codes_lock_the_step_even_for_the_right_code_afterwards(client, alice):
    password_step(client, "alice")
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert client.post(VERIFY, {"code": "123456"}).status_code == 200
    locked = client.post(VERIFY, {"code": totp_code(alice)})
    assert locked.status_code == 429
    assert b"Too many wrong codes" in locked.content
    assert client.get("/desk/").status_code == 302
    assert AuditEntry.objects.filter(action="accounts.second_factor_throttled").exists()


@pytest.mark.slow  # about 6 s
def test_a_first_login_sets_up_the_app_and_shows_recovery_codes_once(client, db):
    nora = make_user("nora", Role.ANALYST, password=PASSWORD, app=False)
    assert password_step(client, "nora") == "/desk/two-factor/setup/?next=%2Fdesk%2F"
    assert client.get("/desk/statistics/")["Location"].startswith(SETUP)
    page = client.get(SETUP)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html  # the QR code, drawn on the server, no script
    key = re.search(r'<code class="secret-key">([A-Z2-7 ]+)</code>', html)[1]
    pending = AuthenticatorApp.objects.get(user=nora, confirmed=False)
    import base64

    assert base64.b32decode(key.replace(" ", "")) == pending.bin_key

    assert b"That code is not right" in client.post(SETUP, {"code": "000000"}).content
    totp = TOTP(pending.bin_key)
    totp.time = time.time()
    done = client.post(SETUP, {"code": f"{totp.token():06d}", "next": "/desk/"})
    assert done.status_code == 200
    shown = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(shown) == 10
    recovery = RecoveryCodes.objects.get(user=nora)
    assert {recovery.digest(code) for code in shown} == set(
        RecoveryCode.objects.filter(device=recovery).values_list("digest", flat=True)
    )
    assert AuthenticatorApp.objects.get(user=nora).confirmed
    assert client.get("/desk/statistics/").status_code == 200
    # The setup page is not offered again once the app is there.
    assert client.get(SETUP).status_code == 302
    assert AuditEntry.objects.filter(action="accounts.second_factor_enabled").exists()


@pytest.mark.slow  # about 1 s
def test_a_reset_ends_every_session_and_asks_for_a_new_app(client, alice, erin):
    password_step(client, "alice")
    client.post(VERIFY, {"code": totp_code(alice)})
    assert client.get("/desk/").status_code == 200

    admin = Client()
    admin.force_login(erin)
    response = admin.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [alice.pk]},
        follow=True,
    )
    assert b"Two-factor login reset for 1 accounts" in response.content
    assert not AuthenticatorApp.objects.filter(user=alice).exists()
    # The old session cookie gets nothing; the next login sets up a new app.
    assert client.get("/desk/")["Location"].startswith("/desk/login/")
    assert password_step(Client(), "alice").startswith(SETUP)
    assert AuditEntry.objects.filter(
        action="accounts.second_factor_reset", object_id=str(alice.pk), actor_id=erin.pk
    ).exists()


def test_the_admin_shows_no_authenticator_keys(client, erin):
    client.force_login(erin)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
    assert client.get("/admin/accounts/authenticatorapp/").status_code == 404
    assert client.get("/admin/accounts/recoverycodes/").status_code == 404


def age_the_code(client, seconds: int) -> None:
    session = client.session
    session[VERIFIED_AT] = time.time() - seconds
    session.save()


@pytest.mark.slow  # about 7 s
def test_exports_ask_for_the_code_again_when_it_is_old(client, alice):
    case = make.case(alice)
    client.force_login(alice)
    url = f"/desk/cases/{case.pk}/record.pdf"
    assert client.get(url).status_code == 200  # the code was just entered
    age_the_code(client, settings.SECOND_FACTOR_STEP_UP_SECONDS + 1)
    for path in [url, "/desk/records/export.csv"]:
        asked = client.get(path)
        assert asked.status_code == 302
        assert asked["Location"].startswith("/desk/two-factor/confirm/?next=")
    confirm = client.post("/desk/two-factor/confirm/", {"code": totp_code(alice), "next": url})
    assert confirm["Location"] == url
    assert client.get(url).status_code == 200


@pytest.mark.slow  # about 5 s
def test_demo_accounts_skip_the_code_only_in_demo_mode(client, settings, db):
    from vigil.core.models import DemoDataset

    make_user("officer", Role.CASE_OFFICER, ["COL"], password=PASSWORD, app=False)
    make_user("nora", Role.CASE_OFFICER, ["COL"], password=PASSWORD, app=False)
    settings.DEMO_MODE = True
    # Only accounts of a demo loaded here: a real "officer" is not a demo account.
    assert password_step(Client(), "officer").startswith(SETUP)
    DemoDataset.objects.create(name="accounts")
    assert (
        b"Demo mode: the demo accounts log in without a second factor"
        in client.get("/desk/login/").content
    )
    assert password_step(client, "officer") == "/desk/"
    assert client.get("/desk/").status_code == 200
    assert password_step(Client(), "nora").startswith(SETUP)  # not a demo account

    settings.DEMO_MODE = False
    assert b"Demo mode" not in Client().get("/desk/login/").content
    assert password_step(Client(), "officer").startswith(SETUP)


def test_a_stakeholder_needs_the_code_only_once_they_turned_it_on(client, db):
    make_user("sam", Role.STAKEHOLDER, password=PASSWORD)
    assert password_step(client, "sam") == "/desk/"
    assert client.get("/desk/").status_code == 200


def test_session_cookies_are_httponly_samesite_and_end_after_idle_minutes(client, alice):
    password_step(client, "alice")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_COOKIE_SECURE is True  # the suite runs production settings
    assert settings.SESSION_SAVE_EVERY_REQUEST  # idle time, not time since login
