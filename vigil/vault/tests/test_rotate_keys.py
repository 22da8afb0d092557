"""`rotate_keys`: after a new key is put first, every encrypted value and stored file
is re-sealed under it, the old key can then be dropped, and names and words are
still found (the blind-index key survives the rotation)."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from vigil.cases import selectors, services
from vigil.cases.models import Defender, Evidence, Incident
from vigil.cases.tests import factories as make
from vigil.core.models import AuditEntry
from vigil.vault import encryption, files, rotation
from vigil.vault.models import WrappedKey

pytestmark = pytest.mark.django_db


def raw(model, pk, column):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def opens(key: str, token: str | bytes, where: str) -> bool:
    try:
        encryption.open_with(
            key, token if isinstance(token, bytes) else token.encode(), where=where
        )
    except encryption.DecryptionError:
        return False
    return True


@pytest.fixture
def records(carol, either_store):
    # A file store of this test's own: a folder, then a prefix of a real S3 bucket.
    case = make.case(carol, title="River committee")
    defender = make.defender(
        carol, case=case, name="Marta Quispe Huamán", contact="+57 300 555 0101"
    )
    incident = make.incident(carol, case=case, narrative="Soldiers burned the seed archive.")
    make.act(carol, incident=incident, victim=defender)
    evidence = services.evidence_add(
        actor=carol, incident=incident, content=b"photo of the archive", filename="a.jpg"
    )
    return case, defender, incident, evidence


def test_rotation_reseals_everything_and_search_survives(records, carol, settings_keys):
    case, defender, incident, evidence = records

    def found():
        by_name = selectors.case_list(carol, selectors.CaseFilter(text="marta quispe huaman"))
        by_word = selectors.case_list(carol, selectors.CaseFilter(text="seed archive"))
        return list(by_name), list(by_word)

    assert found() == ([case], [case])
    old = settings.ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings_keys([new, old])

    err, out = StringIO(), StringIO()
    call_command("rotate_keys", stdout=out, stderr=err)
    assert "100%" in err.getvalue()  # the progress bar reached its end
    assert "Nothing is left under an older key" in out.getvalue()

    # Every encrypted column of every row, and every stored file, opens with the new
    # key alone and no longer with the old one.
    checked = 0
    for model, columns in rotation.encrypted_columns():
        for pk in model._base_manager.values_list("pk", flat=True):
            for column in columns:
                value = raw(model, pk, column)
                if value:
                    where = f"{model._meta.db_table}.{column}"
                    assert opens(new, value, where) and not opens(old, value, where), (
                        model,
                        column,
                    )
                    checked += 1
    assert checked >= 7  # name, contact, two titles, narrative, file name, index key
    stored = files._sealed(evidence.stored_name)
    where = f"file {evidence.stored_name}"
    assert opens(new, stored, where) and not opens(old, stored, where)
    assert WrappedKey.objects.count() == 1

    # The old key can go: everything still reads, and exact-name and word searches
    # still find the records they found before.
    settings_keys([new])
    assert Defender.objects.get(pk=defender.pk).name == "Marta Quispe Huamán"
    assert Incident.objects.get(pk=incident.pk).narrative == "Soldiers burned the seed archive."
    assert files.read(Evidence.objects.get(pk=evidence.pk).stored_name) == b"photo of the archive"
    assert found() == ([case], [case])

    # A second run (or the rest of an interrupted one) finds nothing left to do.
    out = StringIO()
    call_command("rotate_keys", stdout=out, stderr=StringIO())
    assert "Re-encrypted 0 values and 0 files" in out.getvalue()
    assert AuditEntry.objects.filter(action="core.keys_rotated").count() == 2


def test_an_interrupted_rotation_is_finished_by_running_it_again(records, settings_keys):
    old = settings.ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings_keys([new, old])
    calls = []

    def stop_after_first_table(n):
        calls.append(n)
        if len(calls) == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotation.rotate(advance=stop_after_first_table)
    first = rotation.rotate()
    assert first.values > 0
    again = rotation.rotate()
    assert again.values == 0 and again.files == 0 and again.current >= first.values


def test_what_no_key_opens_is_reported_by_place_never_by_value(records, settings_keys):
    case, defender, incident, evidence = records
    old = settings.ENCRYPTION_KEYS[0]
    settings_keys([Fernet.generate_key().decode(), old])
    with connection.cursor() as cursor:  # a contact sealed under a key since lost
        lost = Fernet(Fernet.generate_key()).encrypt(b"+57 300 555 0101").decode()
        cursor.execute("UPDATE cases_defender SET contact = %s WHERE id = %s", [lost, defender.pk])
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("rotate_keys", stdout=out, stderr=StringIO())
    message = str(caught.value)
    assert f"cases_defender #{defender.pk} contact" in message
    assert "555" not in message and "Marta" not in message + out.getvalue()
    # Everything else was rotated all the same, and the lost value left untouched.
    assert raw(Defender, defender.pk, "contact") == lost
    assert not opens(old, raw(Defender, defender.pk, "name"), "cases_defender.name")


def test_a_value_written_under_the_old_key_during_the_run_is_reported(
    records, settings_keys, monkeypatch
):
    """A process still running with the old key list writes while the rotation runs:
    the command must not say that nothing is left, or the operator drops a key that
    is still needed."""
    case, defender, incident, evidence = records
    old = settings.ENCRYPTION_KEYS[0]
    settings_keys([Fernet.generate_key().decode(), old])
    real_rotate = rotation.rotate

    def rotate_then_a_late_write(advance):
        outcome = real_rotate(advance)
        late = Fernet(old.encode()).encrypt(b"+57 300 555 0199").decode()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_defender SET contact = %s WHERE id = %s", [late, defender.pk]
            )
        return outcome

    out = StringIO()
    with monkeypatch.context() as patch:
        patch.setattr(rotation, "rotate", rotate_then_a_late_write)
        with pytest.raises(CommandError, match="1 values or files are still under an older"):
            call_command("rotate_keys", stdout=out, stderr=StringIO())
    assert "Nothing is left" not in out.getvalue()
    call_command("rotate_keys", stdout=(again := StringIO()), stderr=StringIO())
    assert "Nothing is left under an older key." in again.getvalue()
