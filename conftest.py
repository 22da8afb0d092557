"""Shared fixtures: the named people of the test suite.

Alice and Bob are case officers (Alice covers Colombia and the Philippines, Bob
covers Kenya); Carol coordinates; Dave is an analyst; Erin administers; Sam is a
stakeholder account. Each test says which of them it needs.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vigil.core.vocabularies import Role

# Playwright's sync API runs an event loop in the test thread; the Django ORM
# calls made by fixtures in that thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent
TEST_OUTPUT = ROOT / "test-output"
PASSWORD = "a long test passphrase"


def pytest_configure(config):
    from django.conf import settings

    # Persistent connections would outlive the live server's request threads and
    # keep PostgreSQL from dropping the test database at the end.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True, scope="session")
def _plain_http():
    # The suite runs with production settings, but the test client and the live
    # server speak plain HTTP, so the redirect to HTTPS is the one setting switched
    # off. Set before any request handler (and its middleware) is built.
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _english_to_start_with():
    # A request in Dutch leaves Dutch active in the thread (Django activates the
    # language per request and does not switch it back); each test starts afresh.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def manage_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment for a `manage.py` process of its own: none of this run's
    Vigil settings or database, its own data folder, and `settings` on top."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VIGIL_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    env.update({"VIGIL_DATA_DIR": str(data_dir), **settings})
    return env


def run_manage(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run `manage.py` as an operator would, in a real process."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def make_user(username: str, role: Role, countries=(), password: str | None = None):
    from vigil.accounts import services

    return services.user_create(
        actor=None,
        username=username,
        role=role,
        countries=countries,
        password=password,
        first_name=username.capitalize(),
    )


@pytest.fixture
def alice(db):
    return make_user("alice", Role.CASE_OFFICER, ["COL", "PHL"], password=PASSWORD)


@pytest.fixture
def bob(db):
    return make_user("bob", Role.CASE_OFFICER, ["KEN"])


@pytest.fixture
def carol(db):
    return make_user("carol", Role.COORDINATOR)


@pytest.fixture
def dave(db):
    return make_user("dave", Role.ANALYST)


@pytest.fixture
def erin(db):
    return make_user("erin", Role.ADMINISTRATOR, password=PASSWORD)


@pytest.fixture
def sam(db):
    return make_user("sam", Role.STAKEHOLDER)


CHROMIUM = "/usr/bin/chromium"
# Keep Chromium off the network: this machine only has loopback, and a test
# must not depend on anything else.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    """Debian's Chromium, headless, driven by Playwright (which never downloads one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Browser tests ask for `officer` before `live_server` and `browser`: Playwright's
# sync API switches greenlets, and a fixture that touched the database after it
# started would open a second connection that outlives the test and keeps
# PostgreSQL from dropping the test database.
@pytest.fixture
def officer(transactional_db):
    return make_user("alice", Role.CASE_OFFICER, ["COL", "PHL"], password=PASSWORD)


@pytest.fixture
def test_output() -> Path:
    TEST_OUTPUT.mkdir(exist_ok=True)
    return TEST_OUTPUT


@pytest.fixture
def settings_keys(settings):
    """Set VIGIL_ENCRYPTION_KEYS for one test (newest first); the derived ciphers are
    forgotten on every change and when the test ends."""

    def use(keys: list[str]) -> None:
        settings.ENCRYPTION_KEYS = keys

    return use
