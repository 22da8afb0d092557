"""Verify the audit trail's keyed hash chain and its anchors, then anchor its head."""

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from vigil.core import audit

HASH_PATTERN = re.compile(r"^[0-9a-f]{64}$")


class Command(BaseCommand):
    help = (
        "Check every link of the audit trail under the keys in VIGIL_AUDIT_KEY, and every "
        "anchor written outside the database: each anchored entry must still be there "
        "with its hash, and the trail must reach the last anchor. Exits 0 when all holds "
        "(and, with --expect, the chain still contains the head hash recorded earlier), "
        "then appends the verified head to the anchor file; otherwise says what is wrong "
        "in one line and exits 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect",
            metavar="HASH",
            help="a head hash recorded earlier outside the database; it must still be "
            "part of the chain",
        )
        parser.add_argument(
            "--anchors",
            metavar="FILE",
            type=Path,
            help="check the anchors in FILE (a copy kept elsewhere) instead of the anchor "
            "file of this installation",
        )

    def handle(
        self,
        *args: object,
        expect: str | None = None,
        anchors: Path | None = None,
        **options: object,
    ) -> None:
        if expect is not None:
            expect = expect.strip().lower()
            if not HASH_PATTERN.match(expect):
                raise CommandError(_("--expect takes a SHA-256 hash: 64 hexadecimal characters."))
        if anchors is not None and not anchors.is_file():
            raise CommandError(_("There is no anchor file %(path)s.") % {"path": anchors})

        try:
            in_force, set_aside = audit.anchors_in_force(audit.read_anchors(anchors))
        except audit.AnchorError as error:
            raise CommandError(str(error)) from None
        result = audit.verify(expect=expect, anchors=in_force)
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
        if result.missing_anchor is not None:
            missing = result.missing_anchor
            raise CommandError(
                _(
                    "Audit trail cut short: it ends at sequence %(count)s, but line %(line)s "
                    "of the anchor file (written %(time)s) anchors entry %(seq)s. Entries "
                    "were deleted from its end."
                )
                % {
                    "count": result.count,
                    "line": missing.line,
                    "time": missing.at,
                    "seq": missing.seq,
                }
            )
        self.stdout.write(
            _("Verified %(count)s audit entries. Head: %(head)s")
            % {"count": result.count, "head": result.head_hash}
        )
        self.stdout.write(
            _("%(checked)s anchors checked against the trail.")
            % {"checked": result.anchors_checked}
            if in_force
            else _(
                "No anchor yet: from now on this command, anchor_audit and every backup "
                "anchor the head."
            )
        )
        if set_aside:
            self.stdout.write(
                _("%(count)s anchors of entries replaced by a restore were set aside.")
                % {"count": set_aside}
            )
        if result.plain:
            self.stdout.write(
                _(
                    "%(count)s entries from before the trail was keyed are plain SHA-256, "
                    "covered by the keyed entries after them."
                )
                % {"count": result.plain}
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
        if result.head is not None:
            try:
                anchor = audit.write_anchor(entry=result.head, by="verify_audit")
            except audit.AnchorError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                _("Anchored entry %(seq)s in %(path)s.")
                % {"seq": anchor.seq, "path": audit.anchor_path()}
            )
