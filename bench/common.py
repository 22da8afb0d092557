"""What the benchmarks share: a throwaway database with Django set up on it, one
run per database, and a free port."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def postgres_available() -> bool:
    return (
        subprocess.run(
            ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False
        ).returncode
        == 0
    )


def psql(sql: str, *, check: bool = True) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=check)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ROOT = Path(__file__).resolve().parent.parent
BENCH_KEY = "mXkO8fN3v0y0mEw0uW6r2m7yq1WlK1x0dE3Xj2l8p5E="  # a throwaway Fernet key


@contextmanager
def django_on(database: str, prefix: str = "vigil_bench") -> Iterator[None]:
    """Django set up in this process on a throwaway database (SQLite in a temporary
    folder, or a new PostgreSQL database), migrated; everything removed afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="vigil-bench-"))
    os.environ.pop("VIGIL_DEBUG", None)
    os.environ.update(
        {
            "VIGIL_SECRET_KEY": "bench-" + "x" * 60,
            "VIGIL_ENCRYPTION_KEYS": BENCH_KEY,
            "VIGIL_AUDIT_KEY": "YmVuY2gtYXVkaXQta2V5LW5vdC1mb3ItcHJvZHVjdCE",
            "VIGIL_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "vigil.settings",
        }
    )
    name = f"{prefix}_{os.getpid()}"
    if database == "postgresql":
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        psql(f"CREATE DATABASE {name}")
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield
    finally:
        if "django.db" in sys.modules:  # a failed run too leaves no session open
            from django.db import connections

            connections.close_all()
        if database == "postgresql":
            psql(f"DROP DATABASE IF EXISTS {name}", check=False)
        shutil.rmtree(data_dir, ignore_errors=True)


def each_database(script: str, count: int, option: str = "--incidents") -> None:
    """Run `script` once per database, each in a process of its own (Django's settings
    are per process): SQLite, and PostgreSQL when a server answers."""
    databases = ["sqlite"]
    if postgres_available():
        databases.append("postgresql")
    else:
        print("PostgreSQL is not answering on 127.0.0.1:5432: SQLite only.")
    for database in databases:
        subprocess.run(  # noqa: S603 - our own script
            [sys.executable, script, "--database", database, option, str(count)], check=True
        )
