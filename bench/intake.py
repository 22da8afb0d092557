"""Benchmark: reports per second through the whole HTTP stack, against plain inserts.

Run with `make bench`. Starts gunicorn (2 workers x 4 threads, production settings
behind a pretend TLS proxy) on a throwaway PostgreSQL database on 127.0.0.1:5432
(SQLite in a temporary folder when no PostgreSQL answers), and has 8 client threads
each fetch the form and post a report, as a browser does, for a fixed time. The
baseline inserts the same number of equivalent rows straight into the table with
psycopg (or sqlite3), one transaction each.

Most of a report's cost is deliberate: the receipt code's scrypt hash (about 50 ms
of CPU) is what makes trying codes expensive.
"""

import http.client
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from common import free_port, postgres_available, psql  # bench/ is the script's own folder

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 8
SECONDS = 15
KEY = "mXkO8fN3v0y0mEw0uW6r2m7yq1WlK1x0dE3Xj2l8p5E="


class Client:
    """One browser: keeps its cookies, speaks through the pretend TLS proxy."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Origin": f"https://127.0.0.1:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        text = response.read().decode()
        connection.close()
        return response.status, text

    def send_report(self, number: int) -> bool:
        _status, page = self.request("GET", "/submit/")
        fields = {
            "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[
                1
            ],
            "form_token": re.search(r'name="form_token" value="([^"]+)"', page)[1],
            "what_happened": f"Benchmark report {number}: " + "words " * 60,
            "country": "COL",
            "when": "last week",
        }
        status, body = self.request("POST", "/submit/", urllib.parse.urlencode(fields))
        return status == 200 and "receipt-code" in body


def run_app(env: dict[str, str]) -> tuple[int, float]:
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "vigil.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "4"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        Client(port).send_report(0)  # warm up both workers' imports
        Client(port).send_report(0)
        done = [0] * CLIENTS
        stop = time.monotonic() + SECONDS

        def work(index: int) -> None:
            client = Client(port)
            number = 0
            while time.monotonic() < stop:
                number += 1
                if client.send_report(number):
                    done[index] += 1

        started = time.monotonic()
        threads = [threading.Thread(target=work, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(done), time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_baseline(database: str, count: int, dsn: str, path: Path) -> float:
    """Insert `count` rows like a report's, one transaction each."""
    columns = (
        'receipt_digest, form_token, what_happened, country, targeted, relation, "when", '
        '"where", perpetrators, urgent, consent_share_name, consent_publish, '
        "consent_count_by_name, language, status, closed_reason, received_on"
    )
    text = "gAAAAA" + secrets.token_urlsafe(500)  # about the size of an encrypted report
    started = time.monotonic()
    if database == "postgresql":
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as connection:
            for _ in range(count):
                connection.execute(
                    f"INSERT INTO intake_submission ({columns}) VALUES (%s, %s, %s, 'COL', '', '', %s, '', '', false, false, false, false, 'en', 'received', '', CURRENT_DATE)",
                    [
                        secrets.token_hex(32),
                        secrets.token_hex(32),
                        text,
                        "gAAAAA" + secrets.token_urlsafe(40),
                    ],
                )
    else:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        for _ in range(count):
            connection.execute(
                f"INSERT INTO intake_submission ({columns}) VALUES (?, ?, ?, 'COL', '', '', ?, '', '', 0, 0, 0, 0, 'en', 'received', '', date('now'))",
                [
                    secrets.token_hex(32),
                    secrets.token_hex(32),
                    text,
                    "gAAAAA" + secrets.token_urlsafe(40),
                ],
            )
        connection.close()
    return time.monotonic() - started


def scrypt_ms() -> float:
    """The deliberate part of a report's cost, measured on its own."""
    import hashlib

    started = time.perf_counter()
    for _ in range(10):
        hashlib.scrypt(
            b"seven words of a receipt code", salt=b"s" * 32, n=2**14, r=8, p=1, dklen=32
        )
    return (time.perf_counter() - started) * 100


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="vigil-bench-intake-"))
    database = "postgresql" if postgres_available() else "sqlite"
    name = f"vigil_bench_intake_{os.getpid()}"
    dsn = f"postgres://postgres@127.0.0.1:5432/{name}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIGIL_", "DATABASE_URL"))}
    env.update(
        {
            "VIGIL_SECRET_KEY": "bench-" + "x" * 60,
            "VIGIL_ENCRYPTION_KEYS": KEY,
            "VIGIL_AUDIT_KEY": "YmVuY2gtYXVkaXQta2V5LW5vdC1mb3ItcHJvZHVjdCE",
            "VIGIL_DATA_DIR": str(data_dir),
            "VIGIL_ALLOWED_HOSTS": "127.0.0.1",
        }
    )
    if database == "postgresql":
        psql(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = dsn
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        reports, seconds = run_app(env)
        baseline = run_baseline(database, max(reports, 1), dsn, data_dir / "vigil.sqlite3")
        app_rate = reports / seconds
        plain_rate = max(reports, 1) / baseline
        print(
            f"intake benchmark on {database}, gunicorn 2 workers x 4 threads, {CLIENTS} clients, {SECONDS} s"
        )
        print(f"  through HTTP (form + report): {app_rate:8.1f} reports/s ({reports} reports)")
        print(f"  plain INSERT of the same rows: {plain_rate:8.1f} rows/s")
        print(f"  ratio plain/app: {plain_rate / app_rate:.1f}x")
        print(f"  of which the receipt code's scrypt hash alone: {scrypt_ms():.1f} ms per report")
    finally:
        if database == "postgresql":
            psql(f"DROP DATABASE IF EXISTS {name}", check=False)
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
