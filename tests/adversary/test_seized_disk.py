"""A State seizes the server without the keys: what do the database, the file
store and the cache still tell it?

Each test plays one attack on the raw storage (SQL, files on disk, the cache's own
values), never through Vigil's code. Failures give counts and ids, never values.
"""

import base64
import struct
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from vigil.cases import services as case_services
from vigil.cases.tests import factories as make
from vigil.communications import services as communication_services
from vigil.communications.models import Status
from vigil.communications.tests.helpers import draft, move
from vigil.vault import files, index, rotation
from vigil.vault.models import SearchEntry, WrappedKey

pytestmark = pytest.mark.django_db(transaction=True)


def raw_values() -> list[tuple[str, str]]:
    """Every value of every encrypted column, as stored ("table.column", value)."""
    quote = connection.ops.quote_name
    found = []
    for model, columns in rotation.encrypted_columns():
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)}"  # noqa: S608
            )
            for row in cursor.fetchall():
                found += [(f"{table}.{c}", v) for c, v in zip(columns, row, strict=True) if v]
    return found


def every_text_cell() -> bytes:
    """Every text cell of every Vigil table, as stored, joined: what a dump shows."""
    quote = connection.ops.quote_name
    cells = []
    tables = [t for t in connection.introspection.table_names() if "fts" not in t]
    for table in tables:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608
            for row in cursor.fetchall():
                cells += [str(v) for v in row if isinstance(v, str)]
    return "\n".join(cells).encode()


def times_inside(blob: bytes, since: int, until: int) -> int:
    """How many of the first 24 bytes' 4- and 8-byte big-endian integers are a Unix
    time in [since, until]: where a format would put a time (Fernet: bytes 1-8)."""
    hits = 0
    for start in range(0, min(len(blob), 24)):
        for size, shape in ((8, ">Q"), (4, ">I")):
            chunk = blob[start : start + size]
            if len(chunk) == size and since <= struct.unpack(shape, chunk)[0] <= until:
                hits += 1
    return hits


def test_a_seized_disk_does_not_tell_when_a_report_arrived_or_a_file_was_added(
    client, alice, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    since = int(time.time()) - 5
    incident = make.incident(alice, narrative="The collective's office was searched at night.")
    victim = make.defender(alice, name="Lucía Campos", contact="+57 300 555 0142")
    make.act(alice, incident=incident, victim=victim)
    case_services.evidence_add(
        actor=alice, incident=incident, content=b"%PDF-1.4 statement", filename="statement.pdf"
    )
    until = int(time.time()) + 5

    values = raw_values()
    assert len(values) >= 6
    dated = [
        name
        for name, value in values
        if times_inside(base64.urlsafe_b64decode(value), since, until)
    ]
    assert dated == [], f"{len(dated)} stored values carry the time they were written"
    stored = [(tmp_path / "files" / n[:2] / n).read_bytes() for n in files.names()]
    assert stored
    dated_files = [
        1 for token in stored if times_inside(base64.urlsafe_b64decode(token), since, until)
    ]
    assert dated_files == [], f"{len(dated_files)} stored files carry the time they were written"


def test_published_letters_do_not_decode_the_words_of_confidential_records(alice, carol):
    """The known-plaintext attack on the search index: a published letter's words
    and its stored hashes are both public knowledge to whoever holds the database;
    under one shared key, each of those hashes found in a confidential record's
    entry says which word (a name, a place) the confidential text holds."""
    case = make.case(alice, title="River committee")
    marta = make.defender(
        alice, name="Marta Quispe", consent_share_state=True, consent_publish=True
    )
    case_services.case_add_defender(actor=alice, case=case, defender=marta)
    make.incident(
        alice, case=case, title="Threats against Marta Quispe of the river committee",
        narrative="Marta Quispe received death threats from the river committee's opponents.",
    )  # fmt: skip
    letter = draft(alice, case)
    move(alice, letter, Status.SUBMITTED)
    move(carol, letter, Status.APPROVED)
    letter = move(carol, letter, Status.SENT, on=timezone.localdate() - timedelta(days=70))
    communication_services.communication_publish(
        actor=carol, communication=letter, version=letter.version
    )

    public = set(SearchEntry.objects.get(kind="communications.published").tokens.split())
    confidential = set()
    for entry in SearchEntry.objects.exclude(kind="communications.published"):
        confidential |= set(entry.tokens.split())
    assert len(public) > 10 and len(confidential) > 10
    decoded = public & confidential
    assert not decoded, f"{len(decoded)} confidential word hashes are decoded by a public letter"


def test_an_upgraded_database_keeps_no_retired_encryption_key(alice, settings):
    """Before v2 an upgraded database's index key was the then-newest encryption
    key itself, kept (wrapped) in the database: after that key was rotated out and
    removed, anyone with the database and the new key still had the old one, and
    with it every old backup."""
    old_key = settings.ENCRYPTION_KEYS[0]
    WrappedKey.objects.all().delete()
    WrappedKey.objects.create(
        purpose="blind index", key=base64.urlsafe_b64encode(old_key.encode()).decode()
    )
    from vigil.vault import encryption

    encryption.reset_caches()
    make.defender(alice, name="Rosa Tupac")  # indexed under the old key

    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # what an upgrade runs

    stored = [row.key for row in WrappedKey.objects.all()]
    kept = [
        v for v in stored if v in (old_key, base64.urlsafe_b64encode(old_key.encode()).decode())
    ]
    assert len(kept) == 0, "the retired key is still in the database"
    assert WrappedKey.objects.filter(purpose="blind index").count() == 0
    # Names indexed before the upgrade are still found after it.
    from vigil.cases.models import DefenderName
    from vigil.cases.services import NAME_INDEX

    digest = index.blind_index("rosa tupac", purpose=NAME_INDEX)
    assert DefenderName.objects.filter(digest=digest).count() == 1
    assert not index.needs_rebuild()


def test_free_text_that_can_single_out_a_person_is_not_stored_in_the_clear(
    client, alice, carol, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    occupation = "Ombudsman of the Cauca river basin council"
    laws = "Article 4137 of the Public Order Law"
    sender = "Lawyer of Lucía Campos"
    content = b"%PDF-1.4 the photo of the checkpoint"
    case = make.case(alice, title="River committee")
    victim = make.defender(alice, name="Lucía Campos", occupation=occupation)
    case_services.case_add_defender(actor=alice, case=case, defender=victim)
    incident = make.incident(alice, case=case)
    make.act(alice, incident=incident, victim=victim, laws_invoked=laws)
    evidence = case_services.evidence_add(
        actor=alice, incident=incident, content=content, filename="photo.pdf"
    )
    letter = draft(alice, case)
    move(alice, letter, Status.SUBMITTED)
    move(carol, letter, Status.APPROVED)
    letter = move(carol, letter, Status.SENT, on=timezone.localdate() - timedelta(days=3))
    communication_services.reply_log(
        actor=alice, communication=letter, received_on=timezone.localdate(), sender=sender,
        kind="substantive", assessment="", uploads=[],
    )  # fmt: skip

    import hashlib

    dump = every_text_cell()
    assert b"river committee" in dump.lower() or len(dump) > 1000  # the dump reads text
    plain_digest = hashlib.sha256(content).hexdigest()
    leaks = [
        what
        for what, value in (
            ("occupation", occupation),
            ("laws invoked", laws),
            ("reply sender", sender),
            ("file SHA-256", plain_digest),
            ("file SHA-256 prefix", plain_digest[:12]),
        )  # fmt: skip
        if value.encode() in dump
    ]
    assert leaks == [], f"stored in the clear: {', '.join(leaks)}"
    assert evidence.sha256 == plain_digest  # staff still have it, for chain of custody


def test_a_name_searched_at_the_desk_is_not_kept_readable_in_the_cache(client, alice):
    client.force_login(alice)
    name = "Lucía Campos Quintero"
    response = client.post(reverse("cases:case_list"), {"text": name})
    assert response.status_code == 302
    kept = [
        value
        for key in list(cache._cache.keys())  # the local memory cache's own store
        if "posted-search" in key
        for value in [cache._cache[key]]
    ]
    assert kept, "the search was kept for its results page"
    readable = [1 for value in kept if name.encode() in value or b"Campos" in value]
    assert readable == [], "the searched name sits in the cache in the clear"
    # ... and the results page still finds by it.
    assert client.get(response["Location"]).status_code == 200


MOVED_NAME = "Leyla Example"


def test_a_database_writer_cannot_read_a_name_by_moving_its_ciphertext_into_a_public_field(
    client, alice, carol
):
    """Someone who can write to the database but holds no key (a managed PostgreSQL's
    operator, a State that seized the database server but not the application's keys)
    copies the sealed name of a defender into the summary of a published letter; the
    public site decrypts it for them. AES-GCM authenticates the value, not its place:
    nothing bound a sealed value to its table and column (associated data). Found by
    the outside review of this work."""
    case = make.case(alice, title="River committee")
    letter = draft(alice, case, summary="About the raid.", body="The office was raided.")
    move(alice, letter, Status.SUBMITTED)
    move(carol, letter, Status.APPROVED)
    letter = move(carol, letter, Status.SENT, on=timezone.localdate() - timedelta(days=70))
    communication_services.communication_publish(
        actor=carol, communication=letter, version=letter.version
    )
    secret = make.defender(carol, country="AZE", name=MOVED_NAME)

    with connection.cursor() as cursor:  # no key used: ciphertext moved as it is
        cursor.execute("SELECT name FROM cases_defender WHERE id = %s", [secret.pk])
        sealed = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE communications_communication SET summary = %s WHERE id = %s",
            [sealed, letter.pk],
        )
    client.raise_request_exception = False  # the page fails as it would for the public
    response = client.get(reverse("published:detail", args=[letter.pk]))
    assert response.status_code == 500  # the moved value does not open in its new place
    page = response.content.decode()
    decrypted = MOVED_NAME in page
    assert not decrypted, f"the public page of letter #{letter.pk} decrypts defender #{secret.pk}"
