"""Read UN resolution text into the legal library:
`import_resolution FILE [--status nl=machine] [--dry-run --format json]`."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.library import parsing, services
from vigil.library.models import VersionStatus


def _status(text: str) -> tuple[str, str]:
    language, _, status = text.partition("=")
    if not language or status not in VersionStatus.values:
        raise CommandError(
            f"--status takes LANGUAGE=STATUS, STATUS one of {', '.join(VersionStatus.values)}: "
            f"{text}"
        )
    return language, status


class Command(BaseCommand):
    help = "Import a UN resolution (one or more language versions) into the legal library."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a text file holding the resolution")
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            metavar="LANG=STATUS",
            help="mark a language version official, unofficial or machine (repeatable); "
            "by default the UN's six languages are official and others unofficial, "
            "unless the text says it is a machine or unofficial translation",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print the structure, store nothing"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"no such file: {path}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text") from None
        statuses = dict(_status(s) for s in options["status"])
        try:
            parsed = parsing.parse(text, statuses=statuses)
        except parsing.ParseError as error:
            raise CommandError(f"{path}: {error}") from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(parsed.as_json(), ensure_ascii=False, indent=2))
        else:
            self._summary(parsed)
        for warning in parsed.warnings:
            self.stderr.write(f"warning: {warning}")
        if options["dry_run"]:
            return
        resolution = services.resolution_import(parsed)
        if options["format"] == "text":
            self.stdout.write(self.style.SUCCESS(f"Imported {resolution.symbol}."))

    def _summary(self, parsed: parsing.Parsed) -> None:
        self.stdout.write(f"{parsed.symbol}: {parsed.title}")
        for version in parsed.versions:
            self.stdout.write(
                f"  {version.language} ({version.status}): {len(version.preambular)} "
                f"preambular, {len(version.operative)} operative paragraphs, "
                f"{len(version.footnotes)} footnotes"
            )
