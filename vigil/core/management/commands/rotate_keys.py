"""Re-encrypt every encrypted value and stored file under the newest key."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vigil.core import audit
from vigil.core.progress import ProgressBar
from vigil.vault import rotation


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field and stored file under the newest key in "
        "VIGIL_ENCRYPTION_KEYS. Values already under it are skipped, so an interrupted "
        "run is finished by running it again."
    )

    def handle(self, *args: object, **options: object) -> None:
        bar = ProgressBar(rotation.work(), stream=self.stderr, label=_("values and files"))
        outcome = rotation.rotate(advance=bar.advance)
        bar.finish()
        left = rotation.leftover()
        audit.record(actor=None, action="core.keys_rotated")
        self.stdout.write(
            _(
                "Re-encrypted %(values)s values and %(files)s files under the newest key; "
                "%(current)s already were."
            )
            % {"values": outcome.values, "files": outcome.files, "current": outcome.current}
        )
        if not left:
            self.stdout.write(_("Nothing is left under an older key."))
        if left and not outcome.unreadable:
            raise CommandError(
                _(
                    "%(count)s values or files are still under an older key: written "
                    "during the rotation by a process still using the old keys. Restart "
                    "every process with the new keys and run rotate_keys again; keep the "
                    "old key until it says nothing is left."
                )
                % {"count": left}
            )
        if outcome.unreadable:
            raise CommandError(
                _(
                    "%(count)s values or files open with none of the configured keys and "
                    "were left as they are: %(where)s. Add the key they were written "
                    "with to VIGIL_ENCRYPTION_KEYS and run rotate_keys again."
                )
                % {"count": len(outcome.unreadable), "where": ", ".join(outcome.unreadable)}
            )
