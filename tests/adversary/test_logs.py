"""Credentials in logs.

Logs are copied, shipped and kept far longer than anything else, and whoever seizes
a server reads them first. A credential in a log line (an API token, a password in
a Basic header, a session cookie, a receipt code in a query string) opens Vigil to
whoever reads it. These tests send credentials of every kind, in development and in
production mode, and read what the real log handler wrote; and again with the JSON
lines a log shipper reads (`VIGIL_LOG_FORMAT=json`), where a report's receipt, the
names and the narrative in it must stay out as well.
"""

import base64
import io
import json
import logging
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from conftest import manage_env, run_manage
from vigil.core.logs import JsonFormatter, RedactingFormatter

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


def console_handler() -> logging.StreamHandler:
    """Vigil's own console handler (settings.LOGGING), in whichever format."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    return next(h for h in handlers if isinstance(h.formatter, RedactingFormatter))


@pytest.fixture
def real_log():
    """What Vigil's own console handler (settings.LOGGING) writes, as text."""
    handler = console_handler()
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


@pytest.fixture
def json_log(real_log):
    """The same handler, writing what VIGIL_LOG_FORMAT=json makes it write."""
    handler = console_handler()
    plain = handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        yield real_log
    finally:
        handler.setFormatter(plain)


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


# What a reporter sends: a name, a narrative; and the receipt code shown back.
NAME = "Canaryname Quispe-Mamani"
NARRATIVE = "canarynarrative: they burned the radio station at dawn"


def send_a_report_and_follow_it_up(client) -> str:
    page = client.get(reverse("submission:submit")).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    shown = client.post(
        reverse("submission:submit"),
        {"form_token": token, "what_happened": NARRATIVE, "targeted": NAME, "country": "COL"},
    ).content.decode()
    receipt = " ".join(re.findall(r"<span>([a-z-]+)</span>", shown))
    assert len(receipt.split()) == 7  # the report was taken and its receipt shown
    client.post(reverse("submission:follow_up"), {"code": receipt})
    client.get(reverse("submission:report"))
    client.get(reverse("submission:follow_up"), {"code": receipt, "name": NAME})
    # A 404 is logged with its path: the query string must stay out.
    client.get("/desk/nothing-here/", {"code": receipt, "q": NAME})
    client.post(reverse("submission:follow_up"), {"code": receipt + " wrong"})
    return receipt


def test_json_lines_are_objects_a_shipper_reads_with_no_secret_and_no_report_in_them(
    client, json_log
):
    receipt = send_a_report_and_follow_it_up(client)
    send_credentials(client)
    written = json_log.getvalue()
    lines = written.splitlines()
    assert len(lines) >= 3  # the log was written to, and read
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= set(entry)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])
    not_found = [e for e in entries if e["message"] == "Not Found: /desk/nothing-here/"]
    assert not_found and all(re.fullmatch(r"[0-9a-f]{32}", e["request_id"]) for e in not_found)
    # Counts only: the failure message must not print what leaked.
    found = {
        "credentials": leaked(written),
        # The whole code, as typed, as a query string or a form writes it (one word
        # alone could be any word of a log line).
        "receipts": sum(written.count(receipt.replace(" ", sep)) for sep in (" ", "+", "%20")),
        "names": written.count("Canaryname") + written.count("Quispe"),
        "narratives": written.count("canarynarrative") + written.count("radio station"),
        # runserver's request line (logger django.server, a development machine's
        # only, sent above) has its query string, with every secret in it withheld.
        "query strings": sum(
            "?" in e["message"] for e in entries if e["logger"] != "django.server"
        ),
    }
    assert found == dict.fromkeys(found, 0)


def test_a_json_line_keeps_the_proxys_request_id_and_never_one_a_client_chose(client, json_log):
    proxy_id = "0f" * 16  # nginx's $request_id: 32 hex digits
    client.get("/desk/nothing-here/", HTTP_X_REQUEST_ID=proxy_id)
    client.get("/desk/nothing-here/", HTTP_X_REQUEST_ID=f"{RECEIPT} {NAME}")
    first, second = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert first["request_id"] == proxy_id
    assert re.fullmatch(r"[0-9a-f]{32}", second["request_id"])
    assert second["request_id"] != proxy_id


def test_a_json_traceback_names_frames_and_types_but_withholds_the_message(json_log):
    try:
        raise ValueError(f"duplicate key value violates unique constraint: {NAME}")
    except ValueError:
        logging.getLogger("vigil.test").exception("import row %s failed", 12)
    (entry,) = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert entry["message"] == "import row 12 failed"
    assert "builtins.ValueError (message withheld)" in entry["exception"]
    assert "request_id" not in entry  # written outside any request
    assert NAME not in json_log.getvalue()


def test_vigil_log_format_json_makes_every_line_of_a_real_process_json(tmp_path):
    env = manage_env(tmp_path, VIGIL_DEBUG="1", VIGIL_LOG_FORMAT="json")
    script = (
        "import logging; logging.getLogger('vigil.test').warning("
        f"'headers %s', {{'Authorization': 'Bearer {API_TOKEN}'}})"
    )
    done = run_manage("shell", "-c", script, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]
    assert [e["logger"] for e in entries] == ["vigil.test"]
    assert entries[0]["level"] == "WARNING" and API_TOKEN not in done.stderr


def test_an_unknown_log_format_is_refused_at_start(tmp_path):
    env = manage_env(tmp_path, VIGIL_DEBUG="1", VIGIL_LOG_FORMAT="xml")
    done = run_manage("check", env=env)
    assert done.returncode != 0
    assert "VIGIL_LOG_FORMAT must be plain (the default) or json." in done.stderr


def test_a_request_line_in_any_log_keeps_its_path_and_loses_its_query_string():
    """gunicorn writes "Error handling request GET <uri>" when a request fails or its
    worker times out; a receipt code or a posted search's token may be in the query."""
    record = logging.LogRecord(
        "gunicorn.error", logging.ERROR, __file__, 1,
        "Error handling request GET /desk/cases/?q=7f3a9c&country=COL", None, None,
    )  # fmt: skip
    for formatter in (RedactingFormatter(), JsonFormatter()):
        line = formatter.format(record)
        assert "/desk/cases/?[withheld]" in line
        assert "7f3a9c" not in line and "COL" not in line
