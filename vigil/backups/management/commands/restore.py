"""Bring back a backup into an empty installation (see backups/restore.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from vigil.backups import restore
from vigil.backups.archive import BackupError
from vigil.core.progress import ProgressBar

LISTED = 20  # unreadable places named in the summary; the rest are counted


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into this installation: a new database, "
        "migrated by the same version of Vigil and nothing else done, with an empty file "
        "store, and the same VIGIL_ENCRYPTION_KEYS and VIGIL_SECRET_KEY. Stop the web "
        "server first. Either everything is restored, or nothing changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="the backup file")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace everything in this installation with the backup: every record "
            "here is deleted, and the file store is moved aside to files-replaced-<time>. "
            "Without it, restore refuses an installation that holds any record or file.",
        )

    def handle(self, *args: object, archive: Path, replace: bool, **options: object) -> None:
        bar: list[ProgressBar] = []

        def start(total: int) -> None:
            bar.append(ProgressBar(total, stream=self.stderr, label=_("records and files")))

        try:
            restored = restore.restore(
                archive,
                replace=replace,
                start=start,
                advance=lambda n: bar[0].advance(n) if bar else None,
            )
        except BackupError as error:
            raise CommandError(
                _("Nothing was restored. %(reason)s") % {"reason": error}
                if not isinstance(error, restore.StoreNotMoved)
                else str(error)
            ) from None
        if bar:
            bar[0].finish()
        self.stdout.write(
            _(
                "Restored %(rows)s records and %(files)s files from the backup made at "
                "%(made_at)s (SHA-256 %(sha256)s). Everyone signs in again."
            )
            % {
                "rows": restored.rows,
                "files": restored.files,
                "made_at": restored.made_at,
                "sha256": restored.sha256,
            }
        )
        if restored.moved_aside:
            self.stdout.write(
                _("The file store that was here is now %(path)s; delete it when satisfied.")
                % {"path": restored.moved_aside}
            )
        if restored.not_anchored:
            self.stderr.write(
                _("Warning: the audit trail's head was not anchored. %(reason)s")
                % {"reason": restored.not_anchored}
            )
        if restored.unreadable:
            places = restored.unreadable
            listed = ", ".join(places[:LISTED]) + (" ..." if len(places) > LISTED else "")
            self.stderr.write(
                _(
                    "Warning: %(count)s values or files open with none of the configured "
                    "keys: %(where)s. They were restored as they are, and read again once the "
                    "key they were sealed with is added to VIGIL_ENCRYPTION_KEYS."
                )
                % {"count": len(places), "where": listed}
            )
