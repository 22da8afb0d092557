"""Import records from an exchange file (layout.py) without ever failing silently.

Every row is read and checked before anything is written: its columns, its links to
other rows (in the file, or imported before), the importer's countries, and
duplicates. Each problem is reported by kind, row, column and reason. By default a
file with any bad row imports nothing; with `skip_invalid`, the good rows are
imported, and a row that links to a rejected one is rejected too.

Rows are matched to records by their external id (`ExternalRef`): a row seen before
updates its record when something differs, and changes nothing otherwise, so
importing the same file twice changes nothing. Everything is written in one
transaction. New records are made in batches (`_create_batch`): each checked as the
case services check one (`full_clean` and their own rules), then written in bulk
(core/bulk.py), sealed, indexed and audited one entry per record, as the services do;
a test holds the two ways to the same result. Updates go through the services.

An external id means a record only within the importer's need-to-know (`Scope`): the
ids of records they may not open are, to them, ids nobody has used. A row under such
an id makes a record of their own, and a link to one is "no valid ... with external
id ...", word for word what an unused id gets, so that an import can neither reach
nor overwrite a record of another country, nor tell whether an id exists there.
Changing a record's country needs both countries: the record is found only within
the importer's countries, and the country written is checked like any other.
"""

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigil.cases import access, services
from vigil.cases.models import (
    FOCUS_GROUP_FIELDS,
    VICTIM_CATEGORY_FIELDS,
    Act,
    Defender,
    Incident,
    Source,
)
from vigil.cases.vocabularies import Verification
from vigil.core import spreadsheets
from vigil.core.permissions import Perm, country_scope, has_perm, in_scope
from vigil.core.vocabularies import COUNTRIES
from vigil.exchange.layout import KINDS, LAYOUT, PLURAL, SINGULAR, Column, model_values
from vigil.exchange.models import ExternalRef
from vigil.stats import exports

MODELS = {"defenders": Defender, "incidents": Incident, "acts": Act, "sources": Source}
TRUE, FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n", ""}


# The kinds of record as a person reads them (the file's own words stay English).
LABELS = {
    "defenders": gettext_lazy("defender"),
    "incidents": gettext_lazy("incident"),
    "acts": gettext_lazy("act"),
    "sources": gettext_lazy("source"),
}


class FileError(Exception):
    """The file as a whole cannot be read (format, encoding, structure)."""


@dataclass
class Problem:
    kind: str
    row: int  # as the person counts: the first data row is 1 (CSV/XLSX: line - 1)
    column: str
    reason: str

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])

    def __str__(self) -> str:
        return _("%(kind)s row %(row)s, column %(column)s: %(reason)s") % {
            "kind": self.label, "row": self.row, "column": self.column or "-",
            "reason": self.reason,
        }  # fmt: skip


@dataclass
class Row:
    kind: str
    number: int
    raw: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def external_id(self) -> str:
        return _text(self.raw.get("external_id"))


@dataclass
class Scope:
    """The external ids an importer may use: those of the records they may open."""

    ids: dict[str, dict[str, int]]  # kind -> external id -> record
    several: dict[str, set[str]]  # kind -> ids naming more than one record they may open
    # An act's victim may live in a country the importer does not cover: the act's row
    # may name that victim (it is the link the act has, kept as it is), no other row.
    kept_victims: dict[int, set[str]]  # act -> the external ids of its current victim

    def find(self, kind: str, external_id: str) -> int | None:
        return self.ids[kind].get(external_id)


@dataclass
class Report:
    rows: dict[str, list[Row]]
    scope: Scope | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    imported: bool = False

    @property
    def problems(self) -> list[Problem]:
        return [p for kind in KINDS for row in self.rows[kind] for p in row.problems]

    @property
    def rejected(self) -> list[Row]:
        return [row for kind in KINDS for row in self.rows[kind] if row.problems]

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


# --- Reading ----------------------------------------------------------------------------


def read(path: Path) -> dict[str, list[dict[str, Any]]]:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_json(path.read_bytes())
    if suffix == ".xlsx":
        return read_xlsx(path.read_bytes())
    if suffix == ".csv":
        return read_csv(path.read_bytes())
    raise FileError(_("Give a .csv, .json or .xlsx file."))


def read_json(content: bytes) -> dict[str, list[dict[str, Any]]]:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FileError(_("The file is not JSON: %(error)s") % {"error": error}) from None
    if not isinstance(data, dict) or not set(data) <= set(KINDS):
        raise FileError(
            _("The JSON must be an object with the lists: %(kinds)s") % {"kinds": ", ".join(KINDS)}
        )
    rows = {kind: data.get(kind) or [] for kind in KINDS}
    if not all(isinstance(r, list) and all(isinstance(x, dict) for x in r) for r in rows.values()):
        raise FileError(_("Each list must hold objects, one per record."))
    return rows


def read_csv(content: bytes) -> dict[str, list[dict[str, Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError(_("The CSV file is not UTF-8 text.")) from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "record" not in reader.fieldnames:
        raise FileError(_("The CSV file needs a header row with a record column."))
    rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    for line in reader:
        kind = PLURAL.get((line.get("record") or "").strip())
        if kind is None:
            raise FileError(
                _("Line %(line)s: the record column must say defender, incident, act or source.")
                % {"line": reader.line_num}
            )
        # A cell Vigil quoted against formulas (core/spreadsheets.py) reads as it was.
        cells = {k: spreadsheets.restore(v) for k, v in line.items() if k and k != "record"}
        rows[kind].append(cells)
    return rows


def read_xlsx(content: bytes) -> dict[str, list[dict[str, Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds
        raise FileError(_("The file is not an Excel workbook (.xlsx).")) from error
    rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    for sheet in workbook.worksheets:
        if sheet.title not in KINDS:
            raise FileError(
                _("Sheet %(name)s is not one of: %(kinds)s")
                % {"name": sheet.title, "kinds": ", ".join(KINDS)}
            )
        lines = sheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(lines, [])]
        for line in lines:
            if all(v is None or v == "" for v in line):
                continue
            rows[sheet.title].append(
                {h: spreadsheets.restore(v) for h, v in zip(header, line, strict=False) if h}
            )
    return rows


# --- Checking ---------------------------------------------------------------------------


def _text(raw: Any) -> str:
    """A cell as text, as every check reads it (an id is the same string wherever
    it is read: its own row, a link to it, the lookup of the ids a file names). A
    list of values (JSON) is read as the values joined by semicolons."""
    if raw is None:
        return ""
    if isinstance(raw, list | tuple):
        return ";".join(_text(value) for value in raw)
    return (raw.isoformat() if isinstance(raw, date) else str(raw)).strip()


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | date)


def _clean(column: Column, raw: Any) -> Any:
    """The value of one cell, or ValueError with the reason."""
    if isinstance(raw, dict) or (
        isinstance(raw, list | tuple)
        and (column.kind not in {"choices", "refs"} or not all(_scalar(v) for v in raw))
    ):
        raise ValueError(_("not a single value"))
    text = _text(raw)
    if "\x00" in text:
        raise ValueError(_("contains a NUL character, which cannot be stored"))
    if text == "":
        if column.required:
            raise ValueError(_("required"))
        return list(column.default) if isinstance(column.default, list) else column.default
    if column.kind == "text" or column.kind == "country":
        if column.kind == "country" and text.upper() not in COUNTRIES:
            raise ValueError(
                _("not an ISO 3166-1 alpha-3 country code: %(value)s") % {"value": text}
            )
        return text.upper() if column.kind == "country" else text
    if column.kind == "choice":
        if text not in column.choices.values:
            raise ValueError(
                _("%(value)s is not one of: %(choices)s")
                % {"value": text, "choices": ", ".join(column.choices.values)}
            )
        return text
    if column.kind == "choices":
        values = sorted({v.strip() for v in text.split(";") if v.strip()})
        wrong = [v for v in values if v not in column.choices.values]
        if wrong:
            raise ValueError(
                _("%(value)s is not one of: %(choices)s")
                % {"value": ", ".join(wrong), "choices": ", ".join(column.choices.values)}
            )
        return values
    if column.kind == "date":
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            raise ValueError(_("not a date (YYYY-MM-DD): %(value)s") % {"value": text}) from None
    if column.kind == "bool":
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise ValueError(_("not true or false: %(value)s") % {"value": text})
    if column.kind == "int":
        try:
            return int(float(text))
        except (ValueError, OverflowError):
            raise ValueError(_("not a whole number: %(value)s") % {"value": text}) from None
    if column.kind == "refs":
        return sorted({v.strip() for v in text.split(";") if v.strip()})
    return text  # ref: checked once every row is read


def _reachable(user: Any) -> dict[str, Any]:
    """The records of each kind `user` may open, by the desk's own access rules."""
    return {
        "defenders": access.defenders_for_user(user),
        "incidents": access.incidents_for_user(user),
        "acts": access.acts_for_user(user),
        "sources": access.sources_for_user(user),
    }


def _named(raw: dict[str, list[dict[str, Any]]]) -> dict[str, set[str]]:
    """The external ids of each kind that the file names: its rows' own, and those
    its links point to."""
    named: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for kind in KINDS:
        links = [c for c in LAYOUT[kind] if c.kind in {"ref", "refs"}]
        for cells in raw[kind]:
            named[kind].add(_text(cells.get("external_id")))
            for column in links:
                text = _text(cells.get(column.name))
                if column.kind == "refs":
                    named[column.ref].update(v.strip() for v in text.split(";"))
                else:
                    named[column.ref].add(text)
    for kind, found in named.items():
        # An empty id names nothing, and one holding NUL can never have been stored
        # (its row is refused by `_clean`): neither is looked up.
        named[kind] = {i for i in found if i and "\x00" not in i}
    return named


def scope_of(user: Any, raw: dict[str, list[dict[str, Any]]] | None = None) -> Scope:
    """The external ids `user` may use; the ids of records they may not open are left
    out, exactly as ids that were never used. With `raw`, only the ids that file
    names are looked up, so an import's time and memory follow the size of its file,
    not of the database."""
    named = _named(raw) if raw is not None else None
    ids: dict[str, dict[str, int]] = {}
    several: dict[str, set[str]] = {}
    for kind, records in _reachable(user).items():
        pairs: list[tuple[str, int]] = []
        if named is None:
            refs = ExternalRef.objects.filter(kind=kind, object_id__in=records.values("pk"))
            pairs = list(refs.values_list("external_id", "object_id"))
        else:
            wanted = sorted(named[kind])
            for start in range(0, len(wanted), LOOKUP):
                refs = ExternalRef.objects.filter(
                    kind=kind, external_id__in=wanted[start : start + LOOKUP]
                ).values_list("external_id", "object_id")
                found = list(refs)
                # Only the records they may open, by the desk's own access rules.
                allowed = set(
                    records.filter(pk__in={o for _e, o in found}).values_list("pk", flat=True)
                )
                pairs.extend((e, o) for e, o in found if o in allowed)
        found_ids: dict[str, int] = {}
        twice: set[str] = set()
        for external_id, object_id in pairs:
            if found_ids.setdefault(external_id, object_id) != object_id:
                twice.add(external_id)
        for external_id in twice:
            del found_ids[external_id]
        ids[kind], several[kind] = found_ids, twice
    victims = dict(Act.objects.filter(pk__in=ids["acts"].values()).values_list("pk", "victim_id"))
    names: dict[int, set[str]] = {}
    for external_id, object_id in ExternalRef.objects.filter(
        kind="defenders", object_id__in=set(victims.values())
    ).values_list("external_id", "object_id"):
        names.setdefault(object_id, set()).add(external_id)
    kept = {act: names.get(victim, set()) for act, victim in victims.items()}
    return Scope(ids=ids, several=several, kept_victims=kept)


LOOKUP = 5000  # external ids looked up per query
ID_LENGTH = ExternalRef._meta.get_field("external_id").max_length


def check(user: Any, raw: dict[str, list[dict[str, Any]]]) -> Report:
    report = Report(rows={kind: [] for kind in KINDS}, scope=scope_of(user, raw))
    # Someone who covers only some countries may not open every record, so an id of
    # Vigil's own form may name one they cannot see (see _vigils_own).
    partial = country_scope(user) is not None
    for kind in KINDS:
        columns = {c.name: c for c in LAYOUT[kind]}
        seen: dict[str, int] = {}
        for number, cells in enumerate(raw[kind], start=1):
            row = Row(kind, number, cells)
            report.rows[kind].append(row)
            # A CSV row has every kind's columns: only a filled one of another kind is wrong.
            unknown = sorted(
                k for k in set(cells) - set(columns) - {"url"} if cells[k] not in (None, "")
            )
            for name in unknown:
                row.problems.append(
                    Problem(kind, number, name, _("not a column of this kind of record"))
                )
            for name, column in columns.items():
                try:
                    row.values[name] = _clean(column, cells.get(name))
                except ValueError as error:
                    row.problems.append(Problem(kind, number, name, str(error)))
            if len(row.external_id) > ID_LENGTH:
                row.problems.append(
                    Problem(
                        kind, number, "external_id",
                        _("longer than %(length)s characters") % {"length": ID_LENGTH},
                    )
                )  # fmt: skip
            if row.external_id:
                if row.external_id in seen:
                    row.problems.append(
                        Problem(
                            kind,
                            number,
                            "external_id",
                            _("the same as row %(row)s") % {"row": seen[row.external_id]},
                        )
                    )
                seen.setdefault(row.external_id, number)
                if row.external_id in report.scope.several[kind]:
                    row.problems.append(Problem(kind, number, "external_id", _ambiguous()))
                elif (
                    partial
                    and _vigils_own(row.external_id)
                    and report.scope.find(kind, row.external_id) is None
                ):
                    row.problems.append(
                        Problem(
                            kind,
                            number,
                            "external_id",
                            _(
                                "ids beginning with 'vigil-' are the names this desk gives "
                                "its records: a new record needs an id of your own"
                            ),
                        )
                    )
            country = row.values.get("country")
            if country and not in_scope(user, country):
                row.problems.append(
                    Problem(kind, number, "country", _("outside the countries you work on"))
                )
    _check_links(report)
    return report


def _check_links(report: Report) -> None:
    """Links name rows of the file or records imported before; a row linking to a
    rejected row is rejected too, until nothing changes."""
    scope = report.scope
    assert scope is not None
    known = {kind: set(scope.ids[kind]) for kind in KINDS}
    changed = True
    while changed:
        changed = False
        good = {
            kind: {r.external_id for r in report.rows[kind] if not r.problems} | known[kind]
            for kind in KINDS
        }
        for kind in KINDS:
            for row in report.rows[kind]:
                if row.problems:
                    continue
                for column in LAYOUT[kind]:
                    if column.kind == "ref":
                        targets = [row.values.get(column.name)]
                    elif column.kind == "refs":
                        targets = row.values.get(column.name) or []
                    else:
                        continue
                    kept: set[str] = set()
                    if kind == "acts" and column.name == "victim":
                        act = scope.find("acts", row.external_id)
                        kept = scope.kept_victims.get(act, set()) if act else set()
                    several = [t for t in targets if t in scope.several[column.ref]]
                    missing = [
                        t
                        for t in targets
                        if t and t not in good[column.ref] and t not in kept and t not in several
                    ]
                    if several:
                        row.problems.append(Problem(kind, row.number, column.name, _ambiguous()))
                        changed = True
                    if missing:
                        row.problems.append(
                            Problem(
                                kind,
                                row.number,
                                column.name,
                                _("no valid %(kind)s with external id %(ids)s")
                                % {"kind": LABELS[column.ref], "ids": ", ".join(missing)},
                            )
                        )
                        changed = True


VIGILS_OWN = re.compile(r"vigil-[a-z]+-\d+")


def _vigils_own(external_id: str) -> bool:
    """Whether `external_id` has the form of the ids the exporter gives records
    (`vigil-incident-229`). For an importer who covers only some countries, such an
    id may name only a record they may open: a new record under it could take the
    name of a record of another desk (the ids are sequential, so all of them can be
    guessed), and that desk's next export would name two records alike and no longer
    import back. Refused for a new record whether or not a record of that name
    exists, so nothing can be probed. Someone who covers every country sees every
    record, so their import of another installation's export keeps its ids."""
    return bool(VIGILS_OWN.fullmatch(external_id.strip().lower()))


def _ambiguous() -> str:
    return _(
        "this external id names more than one of the records you may open: give each its own id"
    )


# --- Writing ----------------------------------------------------------------------------


def run(
    user: Any, raw: dict[str, list[dict[str, Any]]], *, skip_invalid: bool = False,
    progress: Callable[[int], Any] | None = None,
) -> Report:  # fmt: skip
    """Check every row, then write the good ones (all or nothing unless `skip_invalid`)."""
    if not has_perm(user, Perm.DOCUMENT_CASES):
        raise PermissionError(_("Only those who document cases import records."))
    report = check(user, raw)
    if report.problems and not skip_invalid:
        return report
    bar = progress(report.total) if progress else None
    try:
        with transaction.atomic():
            _write_all(user, report, skip_invalid, bar)
    except _Abandoned:
        report.created = report.updated = report.unchanged = 0
        return report
    if bar:
        bar.finish()
    report.imported = True
    return report


class _Abandoned(Exception):
    """A row failed the records' own checks while writing: nothing stays written."""


# New records are written in batches of this many rows: each batch validated as the
# services validate one record, then written in bulk (core/bulk.py), indexed and
# audited (one entry per record, as the services write them).
BATCH = 2000


def _write_all(user: Any, report: Report, skip_invalid: bool, bar: Any) -> None:
    assert report.scope is not None
    ids: dict[str, dict[str, int]] = {kind: dict(report.scope.ids[kind]) for kind in KINDS}
    verify: list[tuple[Act, Row]] = []
    for kind in KINDS:
        rows = report.rows[kind]
        # Rows of one kind never link to each other, so new records and updates can
        # be written apart: the new ones in bulk, the updates one by one.
        new = [r for r in rows if not r.problems and ids[kind].get(r.external_id) is None]
        for start in range(0, len(new), BATCH):
            batch = new[start : start + BATCH]
            _create_batch(user, report, kind, batch, ids, verify, skip_invalid)
            if bar:
                bar.advance(len(batch))
        fresh = {id(r) for r in new}
        for row in rows:
            if id(row) in fresh:
                continue
            if not row.problems:
                try:
                    with transaction.atomic():  # a savepoint: a failed row leaves nothing
                        _write(user, report, kind, row, ids, verify)
                except ValidationError as error:
                    for name, messages in _messages(error).items():
                        row.problems.append(Problem(kind, row.number, name, " ".join(messages)))
                except KeyError:  # it links to a row rejected while writing
                    row.problems.append(Problem(kind, row.number, "", _("links to a rejected row")))
                if row.problems and not skip_invalid:
                    raise _Abandoned
            if bar:
                bar.advance()
    _verify_new(user, [(a, r) for a, r in verify if getattr(a, "_imported", False)], skip_invalid)
    for act, row in verify:
        if getattr(act, "_imported", False):
            continue
        wanted = row.values["verification"]
        sources = row.values["independent_sources"]
        act.refresh_from_db()
        if act.verification == wanted and act.independent_sources == sources:
            continue
        try:
            with transaction.atomic():
                services.act_set_verification(
                    actor=user, act=act, version=act.version, verification=wanted,
                    independent_sources=sources,
                )  # fmt: skip
        except ValidationError as error:
            for messages in _messages(error).values():
                row.problems.append(Problem("acts", row.number, "verification", " ".join(messages)))
            if not skip_invalid:
                raise _Abandoned from None


def _verify_new(user: Any, pairs: list[tuple[Act, Row]], skip_invalid: bool) -> None:
    """Set the verification of acts this import made (`act_set_verification`'s rules
    and writes, in bulk): once their sources are linked."""
    from collections import Counter

    from vigil.cases.models import CaseEvent
    from vigil.core import audit

    for start in range(0, len(pairs), BATCH):
        batch = pairs[start : start + BATCH]
        linked = Counter(
            Source.acts.through.objects.filter(act_id__in=[a.pk for a, _r in batch]).values_list(
                "act_id", flat=True
            )
        )
        ready: list[tuple[Act, list[str]]] = []
        for act, row in batch:
            wanted, sources = row.values["verification"], row.values["independent_sources"]
            try:
                services.check_verification(
                    verification=wanted, independent_sources=sources, linked=linked[act.pk]
                )
            except ValidationError as error:
                for messages in _messages(error).values():
                    row.problems.append(
                        Problem("acts", row.number, "verification", " ".join(messages))
                    )
                if not skip_invalid:
                    raise _Abandoned from None
                continue
            changes = services.verification_changes(
                actor=user, verification=wanted, independent_sources=sources
            )
            changed = sorted(n for n, v in changes.items() if getattr(act, n) != v)
            if not changed:
                continue
            before = {name: getattr(act, name) for name in changed}
            for name in changed:
                setattr(act, name, changes[name])
            try:
                act.full_clean(exclude=_LINKS)  # as `_update` checks the changed act
            except ValidationError as error:
                for name, value in before.items():
                    setattr(act, name, value)
                for messages in _messages(error).values():
                    row.problems.append(
                        Problem("acts", row.number, "verification", " ".join(messages))
                    )
                if not skip_invalid:
                    raise _Abandoned from None
                continue
            act.version += 1
            act.updated_at = timezone.now()
            ready.append((act, changed))
        Act.objects.bulk_update(
            [act for act, _changed in ready],
            ["verification", "independent_sources", "verified_by", "verified_at", "version",
             "updated_at"],
            batch_size=500,
        )  # fmt: skip
        audit.record_many(
            actor=user,
            action="cases.act_verification",
            entries=[("cases.act", act.pk, changed) for act, changed in ready],
        )
        _timeline(
            user,
            CaseEvent.Kind.ACT_VERIFIED,
            [(act.incident_id, act.verification) for act, _changed in ready],
        )


def _timeline(user: Any, kind: str, entries: list[tuple[int, str]]) -> None:
    """An event of `kind` on the timeline of every case of each entry's incident
    (incident id, detail), as the services write one."""
    from vigil.cases.models import Case, CaseEvent
    from vigil.core import bulk

    cases: dict[int, list[int]] = {}
    for incident, case in Case.incidents.through.objects.filter(
        incident_id__in={incident for incident, _detail in entries}
    ).values_list("incident_id", "case_id"):
        cases.setdefault(incident, []).append(case)
    bulk.insert(
        CaseEvent,
        [
            CaseEvent(case_id=case, actor=user, kind=kind, detail=detail)
            for incident, detail in entries
            for case in cases.get(incident, [])
        ],
    )


# The links a new record's own checks leave out: each names a record found in the
# importer's scope or made by this import (the ids map), so it exists.
_LINKS = ["created_by", "incident", "victim", "verified_by"]


def _create_batch(
    user: Any, report: Report, kind: str, rows: list[Row], ids: dict[str, dict[str, int]],
    verify: list, skip_invalid: bool,
) -> None:  # fmt: skip
    """Make the records of `rows` (new to the importer) as the services would make
    them one by one: the same checks (`full_clean` and each service's own rules),
    the same name and word hashes, the same audit entries and case timeline events,
    written in bulk."""
    from vigil.cases.models import CaseEvent, DefenderName, Perpetrator
    from vigil.cases.services import NAME_INDEX
    from vigil.core import audit, bulk
    from vigil.vault import index, search
    from vigil.vault.models import SearchEntry

    model = MODELS[kind]
    made: list[tuple[Row, Any, list[str], list[Any]]] = []  # row, record, audited, extra
    incident_of: dict[int, int] = {}
    if kind == "sources":
        linked = {ids["acts"][a] for r in rows for a in r.values["acts"] if a in ids["acts"]}
        incident_of = dict(Act.objects.filter(pk__in=linked).values_list("pk", "incident_id"))
    for row in rows:
        try:
            fields, extra = _new_fields(kind, row.values, ids)
        except KeyError:  # it links to a row rejected while writing
            row.problems.append(Problem(kind, row.number, "", _("links to a rejected row")))
        else:
            record = model(created_by=user, **fields)
            try:
                _check_new(kind, record, extra, incident_of)
            except ValidationError as error:
                for name, messages in _messages(error).items():
                    row.problems.append(Problem(kind, row.number, name, " ".join(messages)))
            else:
                audited = [k for k in fields if k not in {"incident", "incident_id", "victim_id"}]
                made.append((row, record, audited, extra))
        if row.problems and not skip_invalid:
            raise _Abandoned
    if not made:
        return
    records = [record for _row, record, _audited, _extra in made]
    bulk.insert(model, records)
    label = model._meta.label_lower
    audit.record_many(
        actor=user,
        action=f"cases.{SINGULAR[kind]}_created",
        entries=[(label, record.pk, audited) for _row, record, audited, _extra in made],
    )
    if kind == "defenders":
        bulk.rows(
            DefenderName,
            ["defender", "digest"],
            [
                (record.pk, digest)
                for record in records
                for digest in {
                    index.blind_index(name, purpose=NAME_INDEX)
                    for name in [record.name, *record.alias_list()]
                    if name.strip()
                }
            ],
        )
    if kind == "incidents":
        bulk.rows(
            SearchEntry,
            ["kind", "object_id", "tokens"],
            search.new_entries(
                kind="cases.incident",
                entries=[(r.pk, [r.title, r.narrative, r.place]) for r in records],
            ),
        )
    if kind == "acts":
        perpetrators = [p for _r, record, _a, extra in made for p in extra]
        for _row, record, _audited, extra in made:
            for perpetrator in extra:
                perpetrator.act_id = record.pk
        bulk.insert(Perpetrator, perpetrators)
        audit.record_many(
            actor=user,
            action="cases.perpetrator_added",
            entries=[("cases.perpetrator", p.pk, ["category"]) for p in perpetrators],
        )
    if kind == "sources":
        bulk.rows(
            Source.acts.through,
            ["source", "act"],
            [(record.pk, act) for _r, record, _a, extra in made for act in extra],
        )
    if kind in {"acts", "sources"}:
        # The timeline of each case the incident belongs to, as the services write it.
        if kind == "acts":
            _timeline(
                user, CaseEvent.Kind.ACT_ADDED, [(r.incident_id, r.violation) for r in records]
            )
        else:
            _timeline(
                user, CaseEvent.Kind.SOURCE_ADDED, [(r.incident_id, f"#{r.pk}") for r in records]
            )
    now = timezone.now()
    bulk.rows(
        ExternalRef,
        ["kind", "external_id", "object_id", "created_at"],
        [(kind, row.external_id, r.pk, now) for row, r, _a, _e in made],
    )
    for row, record, _audited, _extra in made:
        ids[kind][row.external_id] = record.pk
        report.created += 1
        if kind == "acts" and row.values["verification"] != Verification.REPORTED:
            record._imported = True  # made by this import: verified in bulk (_verify_new)
            verify.append((record, row))


def _new_fields(
    kind: str, values: dict[str, Any], ids: dict[str, dict[str, int]]
) -> tuple[dict[str, Any], list[Any]]:
    """A new record's model fields from a row's values, links resolved by id (a
    KeyError for a link to a row rejected while writing), and what the service
    makes beside it: an act's perpetrators, a source's acts."""
    from vigil.cases.models import Perpetrator

    fields = {k: v for k, v in values.items() if k != "external_id"}
    extra: list[Any] = []
    if kind == "defenders":
        categories = set(fields.pop("victim_categories"))
        groups = set(fields.pop("focus_groups"))
        fields.update({f: c.value in categories for c, f in VICTIM_CATEGORY_FIELDS.items()})
        fields.update({f: g.value in groups for g, f in FOCUS_GROUP_FIELDS.items()})
    if kind == "acts":
        fields["incident_id"] = ids["incidents"][fields.pop("incident")]
        fields["victim_id"] = ids["defenders"][fields.pop("victim")]
        fields.pop("verification")
        fields.pop("independent_sources")
        extra = [Perpetrator(category=c) for c in fields.pop("perpetrators")]
    if kind == "sources":
        fields["incident_id"] = ids["incidents"][fields.pop("incident")]
        extra = [ids["acts"][a] for a in fields.pop("acts")]
    return fields, extra


def _check_new(kind: str, record: Any, extra: list[Any], incident_of: dict[int, int]) -> None:
    """The checks the services make before they write a new record (one by one:
    `full_clean`, and a source's acts must be of its incident)."""
    record.full_clean(exclude=_LINKS)
    if kind == "acts":
        for perpetrator in extra:
            perpetrator.created_by = record.created_by
            perpetrator.full_clean(exclude=["act", "created_by"])
    if kind == "sources" and any(incident_of.get(a) != record.incident_id for a in extra):
        raise ValidationError(_("A source can only support acts of its own incident."))


def _messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "message_dict"):
        return {("" if name == "__all__" else name): m for name, m in error.message_dict.items()}
    return {"": error.messages}


def _fields(kind: str, values: dict[str, Any], ids: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Model fields from a row's values (links resolved to records)."""
    fields = {k: v for k, v in values.items() if k != "external_id"}
    if kind == "defenders":
        categories = set(fields.pop("victim_categories"))
        groups = set(fields.pop("focus_groups"))
        fields.update({f: c.value in categories for c, f in VICTIM_CATEGORY_FIELDS.items()})
        fields.update({f: g.value in groups for g, f in FOCUS_GROUP_FIELDS.items()})
    if kind == "acts":
        fields["incident"] = Incident.objects.get(pk=ids["incidents"][fields.pop("incident")])
        # None only for an existing act's own victim outside the importer's countries,
        # which an update keeps as it is (an update never changes an act's victim).
        victim = ids["defenders"].get(fields.pop("victim"))
        fields["victim"] = Defender.objects.get(pk=victim) if victim else None
        fields.pop("verification")
        fields.pop("independent_sources")
    if kind == "sources":
        fields["incident"] = Incident.objects.get(pk=ids["incidents"][fields.pop("incident")])
        fields["acts"] = list(
            Act.objects.filter(pk__in=[ids["acts"][a] for a in fields.pop("acts")])
        )
    return fields


def _write(
    user: Any, report: Report, kind: str, row: Row, ids: dict[str, dict[str, int]], verify: list
) -> None:
    fields = _fields(kind, row.values, ids)
    existing_pk = ids[kind].get(row.external_id)
    if existing_pk is None:
        if kind == "acts":
            perpetrators = [{"category": c} for c in fields.pop("perpetrators")]
            record = services.act_create(actor=user, perpetrators=perpetrators, **fields)
        else:
            create = {
                "defenders": services.defender_create,
                "incidents": services.incident_create,
                "sources": services.source_create,
            }[kind]
            record = create(actor=user, **fields)
        ExternalRef.objects.create(kind=kind, external_id=row.external_id, object_id=record.pk)
        ids[kind][row.external_id] = record.pk
        report.created += 1
    else:
        record = MODELS[kind].objects.get(pk=existing_pk)
        if _update(user, kind, record, row, ids):
            report.updated += 1
        else:
            report.unchanged += 1
    if kind == "acts" and row.values["verification"] != Verification.REPORTED:
        verify.append((record, row))


def _update(user: Any, kind: str, record: Any, row: Row, ids: dict[str, dict[str, int]]) -> bool:
    """Change the record where the row differs from it; False when nothing does."""
    current = model_values(kind, record)
    wanted = dict(row.values)
    for column in LAYOUT[kind]:
        if column.kind == "ref":
            # A link the importer may not open is the record's own (checked): kept.
            wanted[column.name] = ids[column.ref].get(wanted[column.name], current[column.name])
        if column.kind == "refs":
            wanted[column.name] = sorted(ids[column.ref][v] for v in wanted[column.name])
    wanted.pop("external_id")
    if kind == "acts":
        wanted.pop("verification")
        wanted.pop("independent_sources")
        current.pop("verification")
        current.pop("independent_sources")
    changed = {k: v for k, v in wanted.items() if current.get(k) != v}
    if not changed:
        return False
    fields = _fields(kind, row.values, ids)
    changes = {
        k: v
        for k, v in fields.items()
        if k in changed or (kind == "defenders" and k.startswith(("is_", "focus_")))
    }
    if kind == "acts":
        if "perpetrators" in changes:
            changes["perpetrators"] = [{"category": c} for c in changes["perpetrators"]]
        changes.pop("incident", None)
        changes.pop("victim", None)
        services.act_update(actor=user, act=record, version=record.version, **changes)
    elif kind == "defenders":
        services.defender_update(actor=user, defender=record, version=record.version, **changes)
    elif kind == "incidents":
        services.incident_update(actor=user, incident=record, version=record.version, **changes)
    else:
        changes.pop("incident", None)
        services.source_update(actor=user, source=record, version=record.version, **changes)
    return True


def write_rejected(report: Report, path: Path) -> None:
    """The rejected rows, in the CSV layout, each with its reasons, beside the input."""
    from vigil.exchange.layout import csv_header

    header = [*csv_header()[:-1], "problems"]
    rows = []
    for row in report.rejected:
        cells = {k: ("" if v is None else v) for k, v in row.raw.items()}
        problems = "; ".join(f"{p.column}: {p.reason}" for p in row.problems)
        line = {**cells, "record": SINGULAR[row.kind], "problems": problems}
        rows.append([line.get(name, "") for name in header])
    path.write_bytes(exports.csv_bytes(header, rows))
