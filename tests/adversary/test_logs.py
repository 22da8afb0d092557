"""Credentials in logs.

Logs are copied, shipped and kept far longer than anything else, and whoever seizes
a server reads them first. A credential in a log line (an API token, a password in
a Basic header, a session cookie, a receipt code in a query string) opens Vigil to
whoever reads it. These tests send credentials of every kind, in development and in
production mode, and read what the real log handler wrote.
"""

import base64
import io
import logging

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Canaries: made-up credentials that must never be written anywhere.
PASSWORD = "canary-Passw0rd-4417"
TOKEN = "canary-token-9f2c81"
API_TOKEN = "vgl_canaryapitoken0031"
SESSION = "canarysession7733abc"
API_KEY = "canary-api-key-5521"
RECEIPT = "canary receipt words"
BASIC = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
CANARIES = (PASSWORD, TOKEN, API_TOKEN, SESSION, API_KEY, BASIC, "canary")


@pytest.fixture
def real_log():
    """What Vigil's own console handler (settings.LOGGING) writes, as text."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    handler = next(h for h in handlers if type(h.formatter).__name__ == "RedactingFormatter")
    stream = io.StringIO()
    old = handler.setStream(stream)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        handler.setStream(old)
        root.setLevel(level)


def leaked(text: str) -> int:
    return sum(text.count(canary) for canary in CANARIES)


def send_credentials(client) -> None:
    for authorization in (
        f"Basic {BASIC}",
        f"Token {TOKEN}",
        f"Digest username=alice, response={TOKEN}",
        TOKEN,
        f"Bearer {API_TOKEN}",
        f"bearer{API_TOKEN}",
    ):
        client.get("/api/v1/cases", HTTP_AUTHORIZATION=authorization)
    client.get("/api/v1/cases", HTTP_X_API_KEY=API_KEY, HTTP_COOKIE=f"vigil_session={SESSION}")
    client.get(f"/api/v1/nothing-here?token={TOKEN}", HTTP_AUTHORIZATION=f"Basic {BASIC}")
    client.get("/desk/nothing-here/", HTTP_COOKIE=f"vigil_session={SESSION}")
    client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    # What a development server writes for every request: the request line, query
    # string included (runserver's "django.server" logger).
    logging.getLogger("django.server").info(
        '"%s" %s %s',
        f"GET /submit/follow-up/?code={RECEIPT.replace(' ', '+')}&password={PASSWORD}"
        f"&access_token={TOKEN} HTTP/1.1",
        "200",
        "1234",
    )
    # A header dictionary printed by some library on its way to a failure.
    logging.getLogger("vigil.test").warning(
        "request headers %s",
        {"Authorization": f"Token {TOKEN}", "Cookie": f"vigil_session={SESSION}"},
    )


@pytest.mark.parametrize("debug", [True, False], ids=["development", "production"])
def test_no_credential_reaches_the_log_in_any_mode(client, real_log, debug):
    with override_settings(DEBUG=debug):
        send_credentials(client)
    written = real_log.getvalue()
    assert written.count("\n") >= 2  # the log was written to, and read
    # Counts only: the failure message must not print what leaked.
    credentials = leaked(written)
    receipts = written.count(RECEIPT.replace(" ", "+"))
    assert credentials == 0, f"{credentials} credentials in the log"
    assert receipts == 0, f"{receipts} receipt codes in the log"
