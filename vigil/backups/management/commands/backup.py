"""Write one encrypted archive of the database and the file store (see backups/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from vigil.backups import backup
from vigil.backups.archive import BackupError
from vigil.core.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Write one encrypted archive of the database and the file store, sealed with the "
        "newest key in VIGIL_ENCRYPTION_KEYS. Restore it with `restore`, which needs that "
        "key (and the others the data was sealed with) and VIGIL_SECRET_KEY."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "destination",
            type=Path,
            help="a new file to write, or a folder to write vigil-<time>.backup in; "
            "an existing file is never overwritten",
        )

    def handle(self, *args: object, destination: Path, **options: object) -> None:
        bar: list[ProgressBar] = []

        def start(total: int) -> None:
            bar.append(ProgressBar(total, stream=self.stderr, label=_("records and files")))

        try:
            made = backup.make(
                destination, start=start, advance=lambda n: bar[0].advance(n) if bar else None
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        if bar:
            bar[0].finish()
        self.stdout.write(
            _(
                "Backed up %(rows)s records and %(files)s files to %(path)s (%(size)s). "
                "SHA-256: %(sha256)s"
            )
            % {
                "rows": made.rows,
                "files": made.files,
                "path": made.path,
                "size": filesizeformat(made.size),
                "sha256": made.sha256,
            }
        )
        if made.not_anchored:
            self.stderr.write(
                _("Warning: the audit trail's head was not anchored. %(reason)s")
                % {"reason": made.not_anchored}
            )
        if made.vanished:
            self.stdout.write(
                _("%(count)s files were deleted while the backup ran, and are not in it.")
                % {"count": made.vanished}
            )
