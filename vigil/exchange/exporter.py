"""Export the records a user may see, in the exchange layout (layout.py), each row
with a link back to its record. Identity fields only for a user allowed to see them
(and only when asked for); without them the file cannot be imported again, since a
defender's name and an incident's title are required there.

A record imported under an external id is exported under it; any other under
`vigil-<kind>-<id>`, which is then remembered, so that a file exported, imported
elsewhere and exported again names every record the same way.

The files are written by Vigil's one CSV and XLSX writer (stats/exports.py), which
keeps every cell someone typed from running as a formula.
"""

import json
import re
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from vigil.cases import access
from vigil.core import audit
from vigil.core.permissions import Perm, has_perm
from vigil.exchange.layout import KINDS, LAYOUT, SINGULAR, csv_header, model_values
from vigil.exchange.models import ExternalRef
from vigil.stats import exports


def _records(user: Any) -> dict[str, QuerySet]:
    acts, sources = access.acts_for_user(user), access.sources_for_user(user)
    return {
        "defenders": access.defenders_for_user(user).order_by("pk"),
        "incidents": access.incidents_for_user(user).prefetch_related("cases").order_by("pk"),
        "acts": acts.prefetch_related("perpetrators").order_by("pk"),
        "sources": sources.prefetch_related("acts").order_by("pk"),
    }


def _external_ids(kind: str, pks: list[int]) -> dict[int, str]:
    known = dict(
        ExternalRef.objects.filter(kind=kind, object_id__in=pks).values_list(
            "object_id", "external_id"
        )
    )
    new = [
        ExternalRef(kind=kind, external_id=f"vigil-{SINGULAR[kind]}-{pk}", object_id=pk)
        for pk in pks
        if pk not in known
    ]
    ExternalRef.objects.bulk_create(new, ignore_conflicts=True)
    known.update({ref.object_id: ref.external_id for ref in new})
    return known


def _links(user: Any, records: dict[str, list[Any]]) -> dict[str, dict[int, str]]:
    """Each record's place in the desk: a defender's own page; an incident, act or
    source the case file its incident belongs to (or the incident's own page). Only
    a case the user may open: an incident may also be in another country's case."""
    from vigil.cases.models import Case

    incident_ids = {r.pk for r in records["incidents"]}
    incident_ids |= {r.incident_id for kind in ("acts", "sources") for r in records[kind]}
    case_of: dict[int, int] = {}
    for incident_id, case_id in (
        Case.incidents.through.objects.filter(
            incident_id__in=incident_ids, case__in=access.cases_for_user(user).values("pk")
        )
        .order_by("case_id")
        .values_list("incident_id", "case_id")
    ):
        case_of.setdefault(incident_id, case_id)

    def case_url(incident_id: int) -> str:
        case_id = case_of.get(incident_id)
        if case_id:
            return reverse("cases:case_detail", args=[case_id])
        return reverse("cases:incident_edit", args=[incident_id])  # an incident of no case

    return {
        "defenders": {
            r.pk: reverse("cases:defender_edit", args=[r.pk]) for r in records["defenders"]
        },
        "incidents": {r.pk: case_url(r.pk) for r in records["incidents"]},
        "acts": {r.pk: case_url(r.incident_id) for r in records["acts"]},
        "sources": {r.pk: case_url(r.incident_id) for r in records["sources"]},
    }


def rows(user: Any, *, identities: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Every record `user` may see, as rows of the layout (values as text)."""
    named = identities and has_perm(user, Perm.VIEW_IDENTITIES)
    records = {kind: list(qs) for kind, qs in _records(user).items()}
    ids = {kind: _external_ids(kind, [r.pk for r in records[kind]]) for kind in KINDS}
    links = _links(user, records)
    out: dict[str, list[dict[str, Any]]] = {}
    for kind in KINDS:
        out[kind] = []
        for record in records[kind]:
            values = model_values(kind, record)
            row: dict[str, Any] = {"external_id": ids[kind][record.pk]}
            for column in LAYOUT[kind]:
                if column.name == "external_id":
                    continue
                if column.identity and not named:
                    continue
                value = values[column.name]
                if column.kind == "ref":
                    value = _ref(ids, column.ref, value)
                elif column.kind == "refs":
                    value = ";".join(sorted(_ref(ids, column.ref, v) for v in value))
                row[column.name] = _text(value)
            row["url"] = links[kind][record.pk]
            out[kind].append(row)
    audit.record(
        actor=user, action="exchange.exported", object_type="records",
        fields=[f"{k}:{len(v)}" for k, v in out.items()] + (["identities"] if named else []),
    )  # fmt: skip
    return out


def _ref(ids: dict[str, dict[int, str]], kind: str, pk: int) -> str:
    """The external id of a linked record, which may be outside the user's scope (a
    victim from another country): named all the same, though not exported."""
    if pk not in ids[kind]:
        ids[kind].update(_external_ids(kind, [pk]))
    return ids[kind][pk]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def as_json(data: dict[str, list[dict[str, Any]]]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def _typed(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    """The row with its whole-number columns as numbers, so that a spreadsheet reads
    them as numbers (and a sign is never taken for a formula)."""
    numbers = {c.name for c in LAYOUT[kind] if c.kind == "int"}
    return {
        name: int(value) if name in numbers and re.fullmatch(r"-?\d+", str(value)) else value
        for name, value in row.items()
    }


def as_csv(data: dict[str, list[dict[str, Any]]]) -> bytes:
    """The CSV layout, every record kind in one file, its kind in the first column."""
    header = csv_header()
    rows = []
    for kind in KINDS:
        for row in data[kind]:
            typed = {"record": SINGULAR[kind], **_typed(kind, row)}
            rows.append([typed.get(name, "") for name in header])
    return exports.csv_bytes(header, rows)


def as_xlsx(data: dict[str, list[dict[str, Any]]]) -> bytes:
    """The XLSX layout: a sheet per record kind."""
    sheets = []
    for kind in KINDS:
        header = [c.name for c in LAYOUT[kind]] + ["url"]
        typed = [_typed(kind, row) for row in data[kind]]
        sheets.append(exports.Sheet(kind, header, [[t.get(n, "") for n in header] for t in typed]))
    return exports.xlsx_bytes(sheets)
