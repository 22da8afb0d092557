"""The layout of an exchange file: four kinds of record (defenders, incidents, acts,
sources), each row carrying its own `external_id` and naming the rows it links to by
theirs. docs/import-export.md shows it with an example; this module is its source.

- JSON: {"defenders": [{...}], "incidents": [...], "acts": [...], "sources": [...]}
- XLSX: one sheet per kind, named as above, a header row then one row per record.
- CSV: one file, a `record` column saying the kind of each row (defender, incident,
  act, source) and the other columns of every kind (empty where they do not apply).

Lists (victim categories, perpetrators, a source's acts) are separated by `;`.
Booleans are true/false (also yes/no, 1/0). Dates are YYYY-MM-DD.
"""

from dataclasses import dataclass
from typing import Any

from django.db import models

from vigil.cases.models import FOCUS_GROUP_FIELDS, VICTIM_CATEGORY_FIELDS
from vigil.cases.vocabularies import (
    AgeGroup,
    DefenderKind,
    FocusGroup,
    PerpetratorCategory,
    Reliability,
    ReprisalBody,
    RightAffected,
    SexGender,
    SourceType,
    Verification,
    ViolationType,
)
from vigil.core.vocabularies import DatePrecision
from vigil.stats.sdg16101.categories import VictimCategory


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text, choice, choices, date, bool, int, country, ref, refs
    required: bool = False
    choices: type[models.TextChoices] | None = None
    ref: str = ""  # the kind of record a ref or refs column links to
    identity: bool = False  # a name, contact, narrative or place
    default: Any = ""


KINDS = ["defenders", "incidents", "acts", "sources"]
SINGULAR = {"defenders": "defender", "incidents": "incident", "acts": "act", "sources": "source"}
PLURAL = {v: k for k, v in SINGULAR.items()}

LAYOUT: dict[str, list[Column]] = {
    "defenders": [
        Column("external_id", required=True),
        Column("kind", "choice", True, DefenderKind),
        Column("name", required=True, identity=True),
        Column("aliases", identity=True),
        Column("contact", identity=True),
        Column("affiliations", identity=True),
        Column("country", "country", True),
        Column("sex_gender", "choice", choices=SexGender, default=SexGender.UNKNOWN.value),
        Column("age_group", "choice", choices=AgeGroup, default=AgeGroup.UNKNOWN.value),
        Column("occupation"),
        Column("victim_categories", "choices", choices=VictimCategory, default=["hrd"]),
        Column("focus_groups", "choices", choices=FocusGroup, default=[]),
        Column("consent_share_state", "bool", default=False),
        Column("consent_share_business", "bool", default=False),
        Column("consent_publish", "bool", default=False),
    ],
    "incidents": [
        Column("external_id", required=True),
        Column("title", required=True, identity=True),
        Column("narrative", required=True, identity=True),
        Column("start_date", "date", True),
        Column("start_precision", "choice", choices=DatePrecision, default=DatePrecision.DAY.value),
        Column("end_date", "date", default=None),
        Column("end_precision", "choice", choices=DatePrecision, default=DatePrecision.DAY.value),
        Column("country", "country", True),
        Column("subdivision"),
        Column("place", identity=True),
        Column("online", "bool", default=False),
    ],
    "acts": [
        Column("external_id", required=True),
        Column("incident", "ref", True, ref="incidents"),
        Column("victim", "ref", True, ref="defenders"),
        Column("violation", "choice", True, ViolationType),
        Column("rights_affected", "choices", choices=RightAffected, default=[]),
        Column("perpetrators", "choices", choices=PerpetratorCategory, default=[]),
        Column("reprisal", "bool", default=False),
        Column("reprisal_body", "choice", choices=ReprisalBody),
        Column("detention_start", "date", default=None),
        Column("detention_end", "date", default=None),
        Column("detention_place", identity=True),
        Column("charges", identity=True),
        Column("laws_invoked"),
        Column("verification", "choice", choices=Verification, default=Verification.REPORTED.value),
        Column("independent_sources", "int", default=0),
    ],
    "sources": [
        Column("external_id", required=True),
        Column("incident", "ref", True, ref="incidents"),
        Column("name", required=True, identity=True),
        Column("kind", "choice", True, SourceType),
        Column("reported_on", "date", default=None),
        Column("language"),
        Column("public", "bool", default=False),
        Column("reliability", "choice", choices=Reliability, default=Reliability.UNKNOWN.value),
        Column("acts", "refs", ref="acts", default=[]),
    ],
}  # fmt: skip


def csv_header() -> list[str]:
    """The columns of a CSV exchange file: `record`, then every kind's columns once."""
    names = ["record"]
    for kind in KINDS:
        names += [c.name for c in LAYOUT[kind] if c.name not in names]
    return [*names, "url"]


def model_values(kind: str, record: Any) -> dict[str, Any]:
    """A record's values in the layout's terms (lists as lists, dates as dates)."""
    values: dict[str, Any] = {}
    for column in LAYOUT[kind]:
        name = column.name
        if name == "external_id":
            continue
        if kind == "defenders" and name == "victim_categories":
            values[name] = sorted(
                c.value for c, f in VICTIM_CATEGORY_FIELDS.items() if getattr(record, f)
            )
        elif kind == "defenders" and name == "focus_groups":
            values[name] = sorted(
                g.value for g, f in FOCUS_GROUP_FIELDS.items() if getattr(record, f)
            )
        elif kind == "acts" and name == "perpetrators":
            values[name] = sorted(p.category for p in record.perpetrators.all())
        elif kind == "acts" and name == "rights_affected":
            values[name] = sorted(record.rights_affected or [])
        elif column.kind == "ref":
            values[name] = getattr(record, f"{name}_id")
        elif kind == "sources" and name == "acts":
            values[name] = sorted(a.pk for a in record.acts.all())
        else:
            values[name] = getattr(record, name)
    return values
