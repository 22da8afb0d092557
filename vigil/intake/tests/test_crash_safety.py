"""No acknowledged report is lost, even when the server dies mid-stream.

A real server (gunicorn) on loopback takes reports in a loop; it is killed with
SIGKILL while they are still coming in, then started again; every receipt code the
client was shown must still open its report.
"""

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, manage_env, run_manage

KILL_AFTER = 10  # reports sent before the kill is set off


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "vigil.wsgi",
            "--bind", f"127.0.0.1:{port}",
            "--workers", "1",
            "--threads", "4",
            "--graceful-timeout", "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    # Ready when a page comes back whole: an open port alone is not enough, for the
    # master listens before its worker has loaded Vigil (on a busy machine, seconds).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/submit/", timeout=5) as page:
                if page.status == 200:
                    return server
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


class Reporter:
    """A browser's worth of HTTP: cookies, the CSRF token, forms."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.base + path, data=data, timeout=10) as response:
            return response.status, response.geturl(), response.read().decode()

    def send_report(self, number: int) -> str:
        page = self.get("/submit/")
        fields = {
            "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[
                1
            ],
            "form_token": re.search(r'name="form_token" value="([^"]+)"', page)[1],
            "what_happened": f"Report number {number}: threats at the community radio.",
            "country": "COL",
        }
        _status, _url, body = self.post("/submit/", fields)
        words = re.findall(r"<span>([a-z-]+)</span>", body)
        assert len(words) == 7
        return " ".join(words)

    def opens(self, code: str) -> bool:
        page = self.get("/submit/follow-up/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        _status, url, _body = self.post(
            "/submit/follow-up/", {"csrfmiddlewaretoken": token, "code": code}
        )
        return url.endswith("/submit/follow-up/report/")


@pytest.mark.slow  # a server process, killed and restarted
def test_every_receipt_shown_before_a_sigkill_still_opens_its_report(tmp_path):
    env = manage_env(tmp_path, VIGIL_DEBUG="1")
    assert run_manage("migrate", "--no-input", env=env).returncode == 0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, port)
    acknowledged: list[str] = []
    killed = threading.Event()

    def kill_soon() -> None:
        # A moment after the request before it: the kill lands mid-request.
        time.sleep(0.03)
        os.killpg(server.pid, signal.SIGKILL)
        killed.set()

    reporter = Reporter(base)
    number = 0
    deadline = time.monotonic() + 120
    while not killed.is_set() and time.monotonic() < deadline:
        number += 1
        if number == KILL_AFTER:
            threading.Thread(target=kill_soon, daemon=True).start()
        # A request cut off by the kill shows no receipt: nothing was promised.
        with contextlib.suppress(
            urllib.error.URLError, ConnectionError, TimeoutError, AssertionError, TypeError
        ):
            acknowledged.append(reporter.send_report(number))
    server.wait(timeout=10)
    assert killed.is_set()
    assert len(acknowledged) >= KILL_AFTER - 1

    server = start_server(env, port)
    try:
        fresh = Reporter(base)
        lost = [code for code in acknowledged if not fresh.opens(code)]
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    assert lost == []
    with sqlite3.connect(tmp_path / "vigil.sqlite3") as database:
        stored = database.execute("SELECT count(*) FROM intake_submission").fetchone()[0]
    assert stored >= len(acknowledged)
    print(f"{len(acknowledged)} receipts shown before the kill, {stored} reports stored, none lost")
