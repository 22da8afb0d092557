"""Anchor the audit trail's head outside the database (run it daily)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vigil.core import audit


class Command(BaseCommand):
    help = (
        "Append the audit trail's newest entry (its sequence number, id and keyed hash) "
        "to the anchor file in VIGIL_AUDIT_ANCHOR_DIR, which verify_audit reads back: a "
        "trail rewritten or cut short before that entry is then found. The task queue's "
        "scheduler runs it daily; keep the anchor file on other storage or copy it off."
    )

    def handle(self, *args: object, **options: object) -> None:
        try:
            anchor = audit.anchor_head(by="anchor_audit")
        except audit.AnchorError as error:
            raise CommandError(str(error)) from None
        if anchor is None:
            self.stdout.write(_("The audit trail is empty: nothing to anchor."))
            return
        self.stdout.write(
            _("Anchored audit entry %(seq)s in %(path)s. Head: %(hash)s")
            % {"seq": anchor.seq, "path": audit.anchor_path(), "hash": anchor.entry_hash}
        )
