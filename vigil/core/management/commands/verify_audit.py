"""Verify the audit trail's hash chain (and, with --expect, a head recorded earlier)."""

import re

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from vigil.core import audit

HASH_PATTERN = re.compile(r"^[0-9a-f]{64}$")


class Command(BaseCommand):
    help = (
        "Check every link of the audit trail. Exits 0 when the chain is intact (and, "
        "with --expect, still contains the head hash recorded earlier); otherwise "
        "names the first bad entry and exits 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect",
            metavar="HASH",
            help="a head hash recorded earlier outside the database; it must still be "
            "part of the chain",
        )

    def handle(self, *args: object, expect: str | None = None, **options: object) -> None:
        if expect is not None:
            expect = expect.strip().lower()
            if not HASH_PATTERN.match(expect):
                raise CommandError(_("--expect takes a SHA-256 hash: 64 hexadecimal characters."))

        result = audit.verify(expect=expect)
        if result.broken_entry is not None:
            entry = result.broken_entry
            raise CommandError(
                _(
                    "Audit trail broken at entry id %(id)s (sequence %(seq)s, %(time)s UTC, "
                    "action %(action)s): %(problem)s. %(count)s entries before it verified."
                )
                % {
                    "id": entry.pk,
                    "seq": entry.seq,
                    "time": f"{entry.at:%Y-%m-%d %H:%M:%S}",
                    "action": entry.action,
                    "problem": result.problem,
                    "count": result.count,
                }
            )
        self.stdout.write(
            _("Verified %(count)s audit entries. Head: %(head)s")
            % {"count": result.count, "head": result.head_hash}
        )
        if expect is not None:
            if result.expected_found_at is None:
                raise CommandError(
                    _(
                        "The expected head %(hash)s is not part of the chain: the trail was "
                        "rewritten or cut short after that hash was recorded."
                    )
                    % {"hash": expect}
                )
            self.stdout.write(
                _(
                    "The expected head %(hash)s is entry %(seq)s of the chain; %(added)s "
                    "entries were added after it."
                )
                % {
                    "hash": expect,
                    "seq": result.expected_found_at,
                    "added": result.count - result.expected_found_at,
                }
            )
