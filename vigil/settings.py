"""Vigil's settings, read from environment variables.

Every setting an operator may change comes from the environment (see the README's
"Configuration" table). The defaults are safe for a developer's machine; with
`VIGIL_DEBUG` unset the project refuses to start without a real secret key.
"""

import base64
import binascii
import ipaddress
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "")
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    if not value.strip():
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("VIGIL_DEBUG")

# The development key is public (it is in this file), so it is refused outside
# debug mode: anyone who knows it could forge sessions and password-reset links.
DEVELOPMENT_SECRET_KEY = "vigil-development-key-not-for-production"  # noqa: S105
SECRET_KEY = os.environ.get("VIGIL_SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "VIGIL_SECRET_KEY is empty. Set it to a long random value (for example the "
            "output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set VIGIL_DEBUG=1 on a development machine."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "VIGIL_SECRET_KEY is the public development key or shorter than 50 characters. "
        "Set it to a long random value."
    )

ALLOWED_HOSTS = envlist("VIGIL_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])

DATA_DIR = Path(os.environ.get("VIGIL_DATA_DIR") or BASE_DIR / "var").resolve()
# Nothing here writes to disk: reading the settings (a linter, a test, a tool) leaves
# no folder or key behind. The folder is made at start-up (core/apps.py), so that the
# embedded database and the file store work on a fresh clone with nothing set up.

INSTALLED_APPS = [
    "vigil.accounts.apps.AuditedAdminConfig",  # Django's admin, every change audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "vigil.vault",  # below every app: ciphers, keys, encrypted fields, search, files
    "vigil.core",
    "vigil.accounts",
    "vigil.cases",
    "vigil.intake",
    "vigil.communications",
    "vigil.library",
    "vigil.measures",
    "vigil.activities",
    "vigil.stats",
    "vigil.reports",  # reads the apps above: the pipeline, each report kind, their builds
    "vigil.public",
    "vigil.api",
    "vigil.exchange",
    "vigil.backups",  # walks every app's tables through the app registry
    "vigil.monitoring",  # /metrics: counts for a Prometheus server, no personal data
    "huey.contrib.djhuey",  # the task queue: `run_huey` and each app's tasks.py
    "ninja",  # only for its own static files: the API docs load nothing from elsewhere
    # Two-factor login; its devices (an authenticator app, recovery codes) are Vigil's
    # own, in vigil.accounts, kept encrypted and hashed: django-otp's plugins are not used.
    "django_otp",
]

MIDDLEWARE = [
    # First: /metrics (with its token), /healthz and /readyz answer a scraper and load
    # balancers by address, over plain HTTP, with no session, before the host check and
    # the HTTPS redirect (monitoring/exposition.py, core/health.py). Every other
    # request is timed and counted by its route's name, and gets a request id for its
    # log lines (core/metrics.py).
    "vigil.monitoring.exposition.answer_scrapes",
    "vigil.core.metrics.measure_requests",
    "vigil.core.health.answer_probes",
    "django.middleware.security.SecurityMiddleware",
    # Near the top, so that every answer has them, also those the middlewares below
    # give themselves (a refused request, the way to the second factor).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "vigil.core.middleware.security_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "vigil.core.middleware.language_from_url",
    "vigil.core.middleware.refuse_oversized_requests",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "vigil.core.middleware.refuse_nul_characters",
    "vigil.accounts.middleware.require_second_factor",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "vigil.urls"
WSGI_APPLICATION = "vigil.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vigil.core.context_processors.vigil",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# SQLite under VIGIL_DATA_DIR is the embedded default; DATABASE_URL selects
# PostgreSQL (postgres://user:password@host:5432/name) for production.
DEFAULT_SQLITE_URL = f"sqlite:///{DATA_DIR / 'vigil.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or DEFAULT_SQLITE_URL,
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write
        # lock when a transaction begins, so two writers queue instead of failing
        # with "database is locked" half-way through (and the audit chain, which
        # reads its head then appends, is serialised). synchronous=FULL syncs the WAL
        # at every commit, so a receipt is shown only once its report would survive a
        # power cut or an OS crash (NORMAL survives only a killed process).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def replica_database(url: str) -> dict:
    """DATABASES["replica"]: a PostgreSQL streaming replica of the primary, for the
    reads that opt in (core/reading.py). A replica out of reach costs a reader at most
    `connect_timeout` seconds once, then the primary serves; in the test suite the
    alias mirrors the primary (the replica tests make a real one: tests/replica/)."""
    replica = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must name a PostgreSQL database.")
    replica["OPTIONS"] = {**replica.get("OPTIONS", {}), "connect_timeout": 3}
    replica["TEST"] = {"MIRROR": "default"}
    return replica


# DATABASE_REPLICA_URL (postgres://...) names a streaming replica of a PostgreSQL
# primary: statistics, report builds and exports read there when it has caught up
# (waiting at most VIGIL_REPLICA_MAX_LAG seconds for it), everything else on the primary.
REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs a PostgreSQL primary: set DATABASE_URL to the "
            "database the replica follows."
        )
    DATABASES["replica"] = replica_database(REPLICA_URL)
DATABASE_ROUTERS = ["vigil.core.reading.Router"]
REPLICA_MAX_LAG = float(os.environ.get("VIGIL_REPLICA_MAX_LAG") or 0.5)

# --- Cache (throttling state lives here, never in the database) -------------------
# One process: local memory. Several processes or hosts: point VIGIL_REDIS_URL at
# Redis so that every worker sees the same counters.
REDIS_URL = os.environ.get("VIGIL_REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Counts made by a worker must reach the web processes that show them: the statistics
# have a cache of their own, shared by every process (Redis, or without it files in
# the data folder). It holds counts only, never a name or a searched word (those stay
# in the default cache, in memory or in Redis).
CACHES["statistics"] = (
    {**CACHES["default"], "KEY_PREFIX": "statistics"}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "statistics"),
    }
)

# --- Task queue (Huey) ----------------------------------------------------------------
# Every piece of background work is a Huey task (each app's tasks.py): its SQLite
# storage in the data folder by default, so `make run` needs no server; Redis with
# VIGIL_QUEUE_URL, or VIGIL_REDIS_URL when that is set, for several hosts. Vigil's own
# job rows, not the queue, say what is still to do (core/jobs.py): a task lost with a
# killed worker is found and queued again. `run_huey` is the worker; the one host
# that also schedules (periodic tasks) runs it without --no-periodic.
QUEUE_URL = os.environ.get("VIGIL_QUEUE_URL", "").strip() or REDIS_URL
if QUEUE_URL and not QUEUE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        "VIGIL_QUEUE_URL must be a Redis URL (redis://host:6379/0), or be left unset for "
        "the queue in the data folder."
    )
HUEY = {
    "name": os.environ.get("VIGIL_QUEUE_NAME", "").strip() or "vigil",
    "results": False,  # tasks report through their job rows, never through the queue
    "immediate": False,  # huey's default follows DEBUG; `make run` runs a real worker
    "utc": True,
    "consumer": {"workers": 2, "worker_type": "thread"},
    **(
        {"huey_class": "huey.RedisHuey", "url": QUEUE_URL}
        if QUEUE_URL
        else {
            "huey_class": "vigil.core.queue.DataFolderHuey",
            "filename": str(DATA_DIR / "queue.sqlite3"),
        }
    ),
}

# --- Authentication -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Kept only so that a hash made by another hasher can still be checked and
    # upgraded to Argon2 on the next login; nothing new is hashed with it.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# As NIST SP 800-63B (rev. 4) asks: at least 15 characters (a stakeholder may log in
# with a password alone), any characters including spaces, up to 256; refused when
# it is a common password or too close to the account's own names; no rules of
# composition and no forced periodic change.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "vigil.accounts.passwords.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Login attempts allowed per account name in the window before the login form
# refuses to try more (see accounts/forms.py). Limits per client address belong to
# the reverse proxy, which sees the real address.
LOGIN_FAILURES_PER_ACCOUNT = 5
LOGIN_THROTTLE_WINDOW = 15 * 60  # seconds

# Two-factor login (accounts/two_factor.py). The code is asked again before an
# export or a publication if the last one is older than this.
SECOND_FACTOR_STEP_UP_SECONDS = 5 * 60
OTP_TOTP_ISSUER = "Vigil"
# One lockout rule for codes, Vigil's own (five wrong codes per account in the login
# window, then a wait, with a message that says so), instead of django-otp's silent
# per-device back-off on top of it.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Demo mode (`make run` sets VIGIL_DEMO_MODE=1): the demo accounts may log in without
# a second factor. Only ever with VIGIL_DEBUG: production ignores it.
DEMO_MODE = DEBUG and envbool("VIGIL_DEMO_MODE")

# Staff sessions end after VIGIL_SESSION_IDLE_MINUTES (30) without a request, and
# when the browser closes. Cookies are HttpOnly, SameSite=Lax, and Secure in
# production.
SESSION_COOKIE_AGE = int(os.environ.get("VIGIL_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_NAME = "vigil_session"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A cookie kept after the browser closes is evidence, on a seized phone, that it
# visited Vigil. So no cookie has an expiry date: the CSRF token lives for the
# browser session (and is set only by pages with a form that posts), and so does
# the language choice.
CSRF_COOKIE_AGE = None
LANGUAGE_COOKIE_AGE = None

# Reverse proxies whose X-Forwarded-For is believed (core/clients.py): addresses or
# networks, comma-separated. Only when a request comes from one of them is the
# right-most address in the header that is not a trusted proxy taken as the client;
# from anyone else the header is ignored. Empty (the default): the peer address.
TRUSTED_PROXIES = envlist("VIGIL_TRUSTED_PROXIES", [])
try:
    [ipaddress.ip_network(item, strict=False) for item in TRUSTED_PROXIES]
except ValueError as error:
    raise ImproperlyConfigured(
        "VIGIL_TRUSTED_PROXIES must be IP addresses or networks (such as 10.0.0.0/8), "
        "comma-separated."
    ) from error

# --- HTTPS and headers (production) ----------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Vigil runs behind a TLS-terminating proxy (see the README), which must set
    # X-Forwarded-Proto and must be the only way to reach the application server.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a commitment the operator makes for their whole domain with
    # the browser vendors; Vigil cannot make it for them. Everything else HSTS
    # needs is set above.
    "security.W021",
]

# --- Languages --------------------------------------------------------------------
LANGUAGE_CODE = "en"
# The six official languages of the United Nations, and Dutch.
LANGUAGES = [
    ("ar", _("Arabic")),
    ("zh-hans", _("Chinese (simplified)")),
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
    ("nl", _("Dutch")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "vigil_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = not DEBUG
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files: all served by Vigil itself, never from another host --------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"  # made at start-up (core/apps.py): WhiteNoise needs it


# --- The encrypted file store (vault/files.py) -----------------------------------------
# Empty: a folder, VIGIL_DATA_DIR/files, on this machine. For several app servers:
# an S3-compatible object store, s3://BUCKET/PREFIX with, when it is not AWS, the
# endpoint and region as query parameters
# (s3://vigil/files?endpoint=https://s3.example.org&region=eu-west-1); add
# &addressing=path for a store without bucket subdomains. The credentials are never
# in this URL: boto3 reads them from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or
# its other usual places: ~/.aws, an instance role).
def _check_endpoint(endpoint: str, *, insecure: bool) -> None:
    """An endpoint is a scheme, a host and a port: credentials in it would be quoted by
    every connection error, and a path, query or fragment is no S3 endpoint. Plain
    HTTP would carry every object and key name across the network in the clear and let
    anyone on the path answer in the store's name: refused, but on this machine's
    loopback or with &insecure=1 (a private test network)."""
    parts = urlsplit(endpoint)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        parts = urlsplit("")
    shaped = (
        parts.scheme in ("https", "http")
        and parts.hostname
        and "@" not in parts.netloc
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
    )
    if not shaped:
        raise ImproperlyConfigured(
            "The endpoint of VIGIL_STORAGE_URL must be https://HOST[:PORT], with no "
            "credentials, path or parameters (credentials go in AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY)."
        )
    loopback = parts.hostname in ("localhost", "::1") or parts.hostname.startswith("127.")
    if parts.scheme == "http" and not (loopback or insecure):
        raise ImproperlyConfigured(
            "The endpoint of VIGIL_STORAGE_URL must use https: plain http would carry "
            "every file's name and sealed content in the clear. Add &insecure=1 only on "
            "a private test network."
        )


def file_store(url: str) -> dict:
    """The STORAGES entry for the file store named by VIGIL_STORAGE_URL."""
    if not url:
        return {"BACKEND": "vigil.vault.stores.LocalStore"}
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    unknown = set(query) - {"endpoint", "region", "addressing", "insecure"}
    if parts.scheme != "s3" or not parts.hostname or "@" in parts.netloc or unknown:
        raise ImproperlyConfigured(
            "VIGIL_STORAGE_URL must be s3://BUCKET/PREFIX, with only endpoint=, region= "
            "and addressing= as parameters and no credentials (those go in "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or be left empty for the "
            "folder in the data directory."
        )
    if "endpoint" in query:
        _check_endpoint(query["endpoint"][-1], insecure=query.get("insecure", [""])[-1] == "1")
    options = {"bucket_name": parts.hostname, "location": parts.path.strip("/")}
    for name, option in [
        ("endpoint", "endpoint_url"),
        ("region", "region_name"),
        ("addressing", "addressing_style"),
    ]:
        if name in query:
            options[option] = query[name][-1]
    return {"BACKEND": "vigil.vault.stores.ObjectStore", "OPTIONS": options}


STORAGE_URL = os.environ.get("VIGIL_STORAGE_URL", "").strip()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "vigil.core.storage.StaticStorage"},
    "vault": file_store(STORAGE_URL),
}

# --- Metrics (monitoring/exposition.py) -----------------------------------------------
# /metrics answers only a request with "Authorization: Bearer <this token>"; unset,
# /metrics does not exist. Counts only, never a name, a path or a receipt.
METRICS_TOKEN = os.environ.get("VIGIL_METRICS_TOKEN", "").strip()
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured(
        "VIGIL_METRICS_TOKEN is shorter than 32 characters. Set it to a long random "
        "value (for example the output of: python -c 'import secrets; "
        "print(secrets.token_urlsafe(32))'), or leave it unset to turn /metrics off."
    )

# --- Logging: what happened, never who or what was said -----------------------------
# VIGIL_LOG_FORMAT=json writes one JSON object per line (time, level, logger,
# message, request id) for a log shipper; the default is plain text. Both withhold
# credentials and exception messages alike (core/logs.py).
LOG_FORMAT = os.environ.get("VIGIL_LOG_FORMAT", "").strip().lower() or "plain"
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("VIGIL_LOG_FORMAT must be plain (the default) or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            # Tracebacks without exception messages, which may quote a value.
            "()": "vigil.core.logs.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "vigil.core.logs.JsonFormatter"},
    },
    "filters": {"request_id": {"()": "vigil.core.metrics.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Django's own "django" logger would also mail ADMINS a report of every server
        # error, with the request's form fields and headers (names, tokens): it goes
        # to the console like everything else, and nothing is ever mailed.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # Django logs a failed request with its path only; the request object it
        # attaches is not formatted by the handler above.
        "django.request": {"level": "WARNING"},
        "django.security": {"level": "WARNING"},
        # Chart drawing chatters at INFO (font caches, axis units); labels stay out of logs.
        "matplotlib": {"level": "WARNING"},
    },
}

# Keys for encryption at rest (identity fields, narratives, files): 32 random bytes each,
# in URL-safe base64 (the format of a Fernet key, which the earlier format used),
# newest first, comma-separated. The newest encrypts; every key listed decrypts, so
# a key is rotated by putting a new one first and running `rotate_keys`. Keep them
# outside the database and its backups. Make one with:
#   python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'


class _DevelopmentKey(Sequence[str]):
    """The one key of a development machine, kept in a file beside its database so
    that the demo data stays readable between runs: made the first time it is used
    (the apps' start-up uses it), read back ever after. A list of one key to its
    readers, as the keys from the environment are."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key = ""

    def _read(self) -> str:
        if not self._key:
            if not self.path.exists():
                self._make()
            self._key = self.path.read_text().strip()
        return self._key

    def _make(self) -> None:
        # Written whole under another name, then linked into place: a second process
        # starting at the same moment reads either no file or the whole key, and the
        # first key made is the one kept.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        draft = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        try:
            os.link(draft, self.path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()

    def __getitem__(self, index):
        return [self._read()][index]

    def __len__(self) -> int:
        return 1

    def __repr__(self) -> str:
        return f"<the development key in {self.path.name}>"


def _keys(variable: str, development_file: str) -> Sequence[str]:
    """The keys in `variable`; on a development machine only, a key kept in a file
    beside its database, made on first use. Never in production: the key would sit
    next to what it protects."""
    keys = envlist(variable, [])
    if keys:
        return keys
    if not DEBUG:
        raise ImproperlyConfigured(
            f"{variable} is empty. Set it to one or more keys (see the README), "
            "or set VIGIL_DEBUG=1 on a development machine."
        )
    return _DevelopmentKey(DATA_DIR / development_file)


ENCRYPTION_KEYS = _keys("VIGIL_ENCRYPTION_KEYS", "development-encryption.key")

# Keys of the audit trail (core/audit.py): every entry's hash is an HMAC-SHA256 under
# the newest, so that someone who can write to the database but lacks the key cannot
# rewrite the trail and still have it verify. Each is 32 random bytes in URL-safe
# base64; newest first, comma-separated. Older keys only verify the entries made with
# them: keep every key ever used, as secret as the newest (docs/audit-trail.md). Not
# the encryption keys, which rotate for reasons of their own. Keep them outside the
# database and its backups. Make one with:
#   python -c 'import secrets; print(secrets.token_urlsafe(32))'
AUDIT_KEYS = _keys("VIGIL_AUDIT_KEY", "development-audit.key")
for _audit_key in envlist("VIGIL_AUDIT_KEY", []):  # a development key is made well-formed
    try:
        _audit_key_bytes = base64.b64decode(
            _audit_key + "=" * (-len(_audit_key) % 4), altchars=b"-_", validate=True
        )
    except (binascii.Error, ValueError):
        _audit_key_bytes = b""
    if len(_audit_key_bytes) != 32:
        raise ImproperlyConfigured(
            "VIGIL_AUDIT_KEY holds a value that is not a key (32 random bytes in URL-safe "
            "base64; the README shows how to make one)."
        )
# Where heads of the audit trail are anchored: `anchor_audit`, every `backup` and every
# successful `verify_audit` append a line; `verify_audit` reads them back. Put it on
# other storage than the database's, or copy the file off regularly.
AUDIT_ANCHOR_DIR = Path(
    os.environ.get("VIGIL_AUDIT_ANCHOR_DIR") or DATA_DIR / "audit-anchors"
).resolve()

# The largest evidence file accepted, in bytes.
EVIDENCE_MAX_BYTES = 25 * 1024 * 1024


def _at_least(variable: str, default: int, minimum: int, why: str) -> int:
    """A whole number from `variable`, refused below `minimum` with `why`."""
    try:
        value = int(os.environ.get(variable) or default)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ImproperlyConfigured(
            f"{variable} must be a whole number of at least {minimum} ({default} if unset): " + why
        )
    return value


# Public statistics hide a count below this, and enough others that no published
# number narrows it to fewer than this many values (stats/suppression.py). At least
# 3: below that (1 hid nothing) a published count could point at one person.
STATS_SMALL_COUNT_MINIMUM = 3
STATS_SMALL_COUNT = _at_least(
    "VIGIL_STATS_SMALL_COUNT", 5, STATS_SMALL_COUNT_MINIMUM,
    "a lower value would publish counts small enough to point at a person.",
)  # fmt: skip
# SDG 16.10.1 counts an act as verified on at least this many independent, reliable
# sources: two is the methodology's minimum; a desk may ask for more, never fewer.
SDG_MIN_SOURCES_MINIMUM = 2
SDG_MIN_SOURCES = _at_least(
    "VIGIL_SDG_MIN_SOURCES", 2, SDG_MIN_SOURCES_MINIMUM,
    "the SDG 16.10.1 methodology verifies a case on two independent, reliable sources at least.",
)  # fmt: skip
# What a reporter may attach to one report or message.
INTAKE_MAX_FILES = int(os.environ.get("VIGIL_INTAKE_MAX_FILES") or 5)
# Reports closed without becoming a case are deleted, files and all, this many days
# after closing (`manage.py purge_expired`, run daily).
INTAKE_RETENTION_DAYS = int(os.environ.get("VIGIL_INTAKE_RETENTION_DAYS") or 90)
INTAKE_MAX_FILE_BYTES = int(os.environ.get("VIGIL_INTAKE_MAX_FILE_MB") or 20) * 1024 * 1024
# Reports from a client over its hourly limit are still taken, but held apart for
# triage as a suspected flood (docs/intake.md). At most this many held reports wait
# for triage at once; past it, an over-limit report is refused with the form as typed.
INTAKE_HELD_MAX = int(os.environ.get("VIGIL_INTAKE_HELD_MAX") or 1000)
# The largest request accepted at all, files included, refused before it is read
# (core/middleware.py): by default room for a report's files, or four evidence files,
# and the form around them. The reverse proxy should refuse the same.
REQUEST_MAX_BYTES = (
    int(os.environ.get("VIGIL_REQUEST_MAX_MB") or 0) * 1024 * 1024
    or max(INTAKE_MAX_FILES * INTAKE_MAX_FILE_BYTES, 4 * EVIDENCE_MAX_BYTES) + 10 * 1024 * 1024
)

# Demo accounts (`manage.py loaddemo`): one password for all, for a demo only.
DEMO_PASSWORD = os.environ.get("VIGIL_DEMO_PASSWORD", "vigil-demo")
