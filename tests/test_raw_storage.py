"""What a State that seizes the server reads: the demo data is loaded into a real
installation (a process of its own), then the raw SQLite file, a `pg_dump` of the
PostgreSQL database and the file store are searched for the demo defenders' names,
aliases and phone numbers and for an uploaded file's text. None may be there.

The values looked for are written by the installation into a file of the test's own
and compared here; a failure says how many were found, never which."""

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import manage_env, run_manage

pytestmark = pytest.mark.slow  # a real installation loads the whole demo

# Run inside the installation: the values to look for, and a file uploaded the way
# an officer uploads one. Fictional people (Faker), but still never printed.
COLLECT = """
import json, secrets
from vigil.accounts.models import User
from vigil.cases import services
from vigil.cases.models import Defender, Incident, Source
plain = ("CANARY-" + secrets.token_hex(8) + " the witness statement, in full").encode()
officer = User.objects.get(username="coordinator")
incident = Incident.objects.first()
services.evidence_add(actor=officer, incident=incident, content=plain, filename="statement.txt")
values = []
for d in Defender.objects.all():
    values += [d.name, d.contact, *d.alias_list()]
values += [s.name for s in Source.objects.all()]
# Whole names (two words or more) and phone numbers: a one-word alias may be any
# staff member's first name, which is kept in the clear.
values = [v for v in values if v and len(v) >= 6 and (" " in v.strip() or v[-4:].isdigit())]
json.dump({"values": values, "file": plain.decode(),
           "defenders": Defender.objects.count()}, open(OUT, "w"))
"""


def load_demo_and_collect(env: dict[str, str], out: Path) -> dict:
    for args in (["migrate", "--no-input"], ["loaddemo"]):
        result = run_manage(*args, env=env)
        assert result.returncode == 0, result.stderr[-2000:]
    result = run_manage("shell", "-c", f"OUT = {str(out)!r}\n{COLLECT}", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    secrets = json.loads(out.read_text())
    assert secrets["defenders"] >= 20 and len(secrets["values"]) >= 30
    return secrets


def found_in(blob: bytes, values: list[str]) -> str:
    """How many of `values` are in `blob`, as a sentence that names none of them."""
    count = sum(1 for value in values if value.encode() in blob)
    return f"{count} of {len(values)} found"


def store_bytes(data_dir: Path) -> bytes:
    files = [p for p in (data_dir / "files").rglob("*") if p.is_file()]
    assert files, "the upload is in the store"
    return b"".join(p.read_bytes() for p in files)


def test_the_sqlite_file_and_the_file_store_hold_no_name_phone_or_file_text(tmp_path):
    env = manage_env(tmp_path, VIGIL_DEBUG="1")
    secrets = load_demo_and_collect(env, tmp_path / "secrets.json")
    database = b"".join(
        p.read_bytes()
        for p in tmp_path.glob("vigil.sqlite3*")  # with -wal and -shm
    )
    assert len(database) > 100_000
    # The search is able to find what it looks for: the staff accounts' e-mail
    # addresses are stored in the clear, and are found.
    assert b"coordinator@vigil.example" in database
    assert found_in(database, secrets["values"]).startswith("0 of ")
    assert found_in(database, [secrets["file"]]).startswith("0 of ")
    store = store_bytes(tmp_path)
    assert found_in(store, [secrets["file"], *secrets["values"]]).startswith("0 of ")


@pytest.mark.skipif(
    shutil.which("pg_dump") is None, reason="pg_dump is not installed on this machine"
)
def test_a_pg_dump_holds_no_name_or_phone(tmp_path):
    name = f"vigil_raw_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    try:
        env = manage_env(
            tmp_path, VIGIL_DEBUG="1", DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}"
        )
        secrets = load_demo_and_collect(env, tmp_path / "secrets.json")
        dump = subprocess.run(
            ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--no-owner", name],
            check=True,
            capture_output=True,
        ).stdout
        assert b"coordinator@vigil.example" in dump  # the search finds what is there
        assert found_in(dump, secrets["values"]).startswith("0 of ")
        assert found_in(dump, [secrets["file"]]).startswith("0 of ")
        assert found_in(store_bytes(tmp_path), [secrets["file"]]).startswith("0 of ")
    finally:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name],
            check=False,
        )
