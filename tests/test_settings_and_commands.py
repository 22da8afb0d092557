"""Start-up rules and commands, run as an operator runs them: in a real process."""

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, manage_env, run_manage

STRONG_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"  # 56 characters, varied
FERNET_KEY = "mXkO8fN3v0y0mEw0uW6r2m7yq1WlK1x0dE3Xj2l8p5E="  # a well-formed test key


def manage(*args: str, env: dict[str, str], data_dir: Path) -> subprocess.CompletedProcess:
    return run_manage(*args, env=manage_env(data_dir, **env))


def test_it_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage("check", env={}, data_dir=tmp_path)
    assert result.returncode != 0
    assert "VIGIL_SECRET_KEY is empty" in result.stderr


@pytest.mark.parametrize("key", ["vigil-development-key-not-for-production", "short-key", "   "])
def test_it_refuses_to_start_on_a_default_or_weak_key(tmp_path, key):
    result = manage("check", env={"VIGIL_SECRET_KEY": key}, data_dir=tmp_path)
    assert result.returncode != 0
    assert "VIGIL_SECRET_KEY" in result.stderr


def test_it_refuses_to_start_without_encryption_keys(tmp_path):
    result = manage("check", env={"VIGIL_SECRET_KEY": STRONG_KEY}, data_dir=tmp_path)
    assert result.returncode != 0
    assert "VIGIL_ENCRYPTION_KEYS is empty" in result.stderr


@pytest.mark.slow  # a real process
def test_debug_mode_starts_with_the_development_key(tmp_path):
    result = manage("check", env={"VIGIL_DEBUG": "1"}, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


DEVELOPMENT_KEYS = ("development-encryption.key", "development-audit.key")


@pytest.mark.parametrize(
    "env",
    [
        {"VIGIL_DEBUG": "1", "VIGIL_AUDIT_KEY": ""},
        {"VIGIL_SECRET_KEY": STRONG_KEY, "VIGIL_ENCRYPTION_KEYS": FERNET_KEY},
    ],
    ids=["development", "production"],
)
def test_reading_the_settings_makes_no_folder_and_no_key_file(tmp_path, env):
    # A linter, an editor or a test that only reads the settings leaves nothing on
    # disk: no data folder, and no development key beside a database never made.
    data_dir = tmp_path / "fresh"
    result = subprocess.run(
        [sys.executable, "-c", "import vigil.settings"],
        cwd=ROOT,
        env=manage_env(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert not data_dir.exists()


@pytest.mark.slow  # two real processes
def test_a_development_machine_makes_its_folder_and_keys_at_start_up_then_keeps_them(tmp_path):
    data_dir = tmp_path / "fresh"
    env = {"VIGIL_DEBUG": "1", "VIGIL_AUDIT_KEY": ""}
    assert manage("check", env=env, data_dir=data_dir).returncode == 0
    keys = {name: (data_dir / name).read_text() for name in DEVELOPMENT_KEYS}
    for name in DEVELOPMENT_KEYS:
        assert ((data_dir / name).stat().st_mode & 0o777) == 0o600
    assert manage("check", env=env, data_dir=data_dir).returncode == 0
    assert {name: (data_dir / name).read_text() for name in DEVELOPMENT_KEYS} == keys


@pytest.mark.slow  # a real process
def test_the_deployment_check_prints_no_warnings(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "VIGIL_SECRET_KEY": STRONG_KEY,
            "VIGIL_ENCRYPTION_KEYS": FERNET_KEY,
            "VIGIL_ALLOWED_HOSTS": "vigil.example.org",
        },
        data_dir=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


def demo_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        one = lambda sql: connection.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "accounts": one("SELECT count(*) FROM accounts_user"),
            "incidents": one("SELECT count(*) FROM cases_incident"),
            "countries": one("SELECT count(DISTINCT country) FROM cases_incident"),
            "first_year": int(one("SELECT min(strftime('%Y', start_date)) FROM cases_incident")),
            "last_year": int(one("SELECT max(strftime('%Y', start_date)) FROM cases_incident")),
            "violations": one("SELECT count(DISTINCT violation) FROM cases_act"),
            "verification_states": one("SELECT count(DISTINCT verification) FROM cases_act"),
            "perpetrator_types": one("SELECT count(DISTINCT category) FROM cases_perpetrator"),
            "journalists": one("SELECT count(*) FROM cases_defender WHERE is_journalist"),
            "trade_unionists": one("SELECT count(*) FROM cases_defender WHERE is_trade_unionist"),
            "women": one("SELECT count(*) FROM cases_defender WHERE sex_gender = 'woman'"),
            "officer_countries": one(
                "SELECT count(DISTINCT country) FROM cases_case "
                "WHERE country IN ('COL', 'GTM', 'PHL', 'KEN')"
            ),
            "sources": one("SELECT count(*) FROM cases_source"),
            "cases": one("SELECT count(*) FROM cases_case"),
        }


def assert_demo_fills_every_screen(counts: dict[str, int]) -> None:
    assert counts["accounts"] == 5
    assert counts["incidents"] >= 500
    assert counts["countries"] >= 30
    assert (counts["first_year"], counts["last_year"]) == (2018, 2026)
    assert counts["violations"] >= 18  # nearly every violation type occurs
    assert counts["verification_states"] == 5
    assert counts["perpetrator_types"] == 11
    assert min(counts["journalists"], counts["trade_unionists"], counts["women"]) >= 20
    assert counts["officer_countries"] == 4  # the demo officer has cases to work on
    assert counts["sources"] >= counts["incidents"]
    assert counts["cases"] >= 200


@pytest.mark.slow  # the whole demo, in real processes
def test_the_embedded_database_runs_in_wal_mode_and_takes_the_demo_data_once(tmp_path):
    env = {"VIGIL_DEBUG": "1"}
    assert manage("migrate", "--no-input", env=env, data_dir=tmp_path).returncode == 0
    database = tmp_path / "vigil.sqlite3"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    first = manage("loaddemo", env=env, data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Demo data 'accounts': loaded." in first.stdout
    assert "Demo data 'cases': loaded." in first.stdout
    counts = demo_counts(database)
    assert_demo_fills_every_screen(counts)
    second = manage("loaddemo", env=env, data_dir=tmp_path)
    assert "Demo data 'accounts': already loaded." in second.stdout
    assert "Demo data 'cases': already loaded." in second.stdout
    assert demo_counts(database) == counts  # nothing added twice

    verified = manage("verify_audit", env=env, data_dir=tmp_path)
    assert verified.returncode == 0
    head = re.search(r"Verified (\d+) audit entries\. Head: ([0-9a-f]{64})", verified.stdout)
    assert head, verified.stdout
    assert int(head.group(1)) > counts["incidents"]  # every record was audited

    # Tamper with the file the way an intruder with the disk would, then verify.
    with sqlite3.connect(database) as connection:
        connection.execute("DROP TRIGGER core_auditentry_append_only")
        connection.execute("UPDATE core_auditentry SET actor_name = 'someone' WHERE seq = 2")
    broken = manage("verify_audit", "--expect", head.group(2), env=env, data_dir=tmp_path)
    assert broken.returncode == 1
    assert "CommandError: Audit trail broken at entry id" in broken.stderr
    assert "(sequence 2," in broken.stderr


QUEUE_OF = (
    "import json, vigil.settings as s; "
    "print(json.dumps({k: s.HUEY.get(k) for k in ('huey_class', 'url', 'filename', 'name')}))"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"huey_class": "vigil.core.queue.DataFolderHuey", "url": None, "name": "vigil"}),
        (
            {"VIGIL_REDIS_URL": "redis://127.0.0.1:6379/0"},
            {"huey_class": "huey.RedisHuey", "url": "redis://127.0.0.1:6379/0", "name": "vigil"},
        ),
        (
            {
                "VIGIL_REDIS_URL": "redis://127.0.0.1:6379/0",
                "VIGIL_QUEUE_URL": "redis://127.0.0.1:6379/1",
                "VIGIL_QUEUE_NAME": "second",
            },
            {"huey_class": "huey.RedisHuey", "url": "redis://127.0.0.1:6379/1", "name": "second"},
        ),
    ],
    ids=["embedded", "redis", "own-queue-url"],
)
def test_the_task_queue_is_a_file_in_the_data_folder_unless_redis_is_named(tmp_path, env, expected):
    result = subprocess.run(
        [sys.executable, "-c", QUEUE_OF], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=manage_env(tmp_path, **{"VIGIL_DEBUG": "1", "VIGIL_REDIS_URL": "", **env}),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    import json

    queue = json.loads(result.stdout)
    filename = queue.pop("filename")
    assert queue == expected
    assert filename == (None if expected["url"] else str(tmp_path / "queue.sqlite3"))


def test_a_queue_url_that_is_not_redis_is_refused(tmp_path):
    result = manage(
        "check", env={"VIGIL_DEBUG": "1", "VIGIL_QUEUE_URL": "amqp://x"}, data_dir=tmp_path
    )
    assert result.returncode != 0
    assert "VIGIL_QUEUE_URL must be a Redis URL" in result.stderr


def test_a_storage_url_with_credentials_in_it_is_refused_without_repeating_them(tmp_path):
    result = manage(
        "check",
        env={"VIGIL_DEBUG": "1", "VIGIL_STORAGE_URL": "s3://AKIAEXAMPLE:hunter2pass@vigil/files"},
        data_dir=tmp_path,
    )
    assert result.returncode != 0
    assert "VIGIL_STORAGE_URL must be s3://BUCKET/PREFIX" in result.stderr
    assert "hunter2pass" not in result.stderr + result.stdout
