"""Key the audit trail: each entry names the audit key its hash is an HMAC under.

Entries written before this migration keep their plain SHA-256 (`key_id` NULL): the
table is append-only, and rewriting their hashes would destroy what they prove. A
trail that holds any is sealed here by appending one keyed entry,
`core.audit_chain_keyed`, whose HMAC covers the hash of the last plain entry: from
then on, changing any plain entry breaks a link that only the key can mend. Every
later entry is keyed, and `verify_audit` refuses a plain entry after a keyed one and
a trail whose newest entry is plain, so a trail rewritten without the key (as plain
SHA-256) no longer verifies.

The column is nullable with no default so that SQLite adds it in place: a default
makes Django rebuild the table, which would drop the append-only trigger of
migration 0002. Going back drops the column (SQLite rebuilds the table then), so the
trigger is made again.

Data migrations never import app code: the canonical content and the key id are
computed here exactly as `vigil.core.audit` computes them (its tests check that an
upgraded trail verifies).
"""

import base64
import hashlib
import hmac
import json
from datetime import UTC

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

KEY_ID_LABEL = b"vigil audit key id v1"

SQLITE_TRIGGER = """
    CREATE TRIGGER IF NOT EXISTS core_auditentry_append_only
    BEFORE UPDATE ON core_auditentry
    BEGIN
        SELECT RAISE(ABORT, 'the audit trail is append-only');
    END
"""


def _raw(text):
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def seal_the_plain_entries(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    head = AuditEntry.objects.order_by("-seq").first()
    if head is None:
        return  # a new installation: its first entry will be keyed
    raw = _raw(settings.AUDIT_KEYS[0])
    key_id = hmac.new(raw, KEY_ID_LABEL, hashlib.sha256).hexdigest()[:8]
    at = timezone.now()
    content = {
        "v": 2,
        "key": key_id,
        "seq": head.seq + 1,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": None,
        "actor": "system",
        "action": "core.audit_chain_keyed",
        "object_type": "",
        "object_id": "",
        "fields": [],
        "prev": head.entry_hash,
    }
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    AuditEntry.objects.create(
        seq=head.seq + 1,
        at=at,
        actor_id=None,
        actor_name="system",
        action="core.audit_chain_keyed",
        object_type="",
        object_id="",
        fields=[],
        prev_hash=head.entry_hash,
        entry_hash=hmac.new(raw, canonical, hashlib.sha256).hexdigest(),
        key_id=key_id,
    )


def remake_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_wrapped_index_key"),
    ]

    operations = [
        # Runs last when going back, after the column's removal rebuilt the table.
        migrations.RunPython(migrations.RunPython.noop, remake_sqlite_trigger),
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=16,
                null=True,
                verbose_name="audit key id",
            ),
        ),
        migrations.RunPython(seal_the_plain_entries, migrations.RunPython.noop),
    ]
