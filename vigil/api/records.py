"""Communications with their replies, State measures, activity reports, the legal
library and the statistics, each read through its desk's access rules."""

from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from vigil.activities.access import reports_for_user
from vigil.api.cases import CaseFilters, Paging, listing, single
from vigil.api.errors import answers
from vigil.api.security import need
from vigil.cases.access import cases_for_user
from vigil.communications.access import communications_for_user
from vigil.measures.access import measures_for_user

router = Router()


# --- Communications ----------------------------------------------------------------------


class AddresseeOut(Schema):
    kind: str = Field(examples=["state"])
    country: str = Field(examples=["COL"])
    name: str = Field(examples=["Minera SA"])
    sector: str


class ReplyOut(Schema):
    id: int
    received_on: date
    sender: str | None = Field(
        description="Identity field: who wrote, as typed (a lawyer may write for a person).",
        examples=["Permanent Mission of Colombia"],
    )
    kind: str = Field(examples=["substantive"])
    within_deadline: bool


class CommunicationOut(Schema):
    id: int
    reference: str = Field(examples=["UA COL 1/2026"])
    kind: str = Field(examples=["UA"], description="UA, AL or OL")
    status: str = Field(examples=["sent"])
    joint: bool
    summary: str | None = Field(description="Identity field: may name people who consented.")
    sent_on: date | None
    reply_due: date | None
    confidential_until: date | None
    published_on: date | None
    themes: list[str]
    addressees: list[AddresseeOut]
    replies: list[ReplyOut]
    case_ids: list[int]
    updated_at: datetime
    url: str


class CommunicationPage(Schema):
    items: list[CommunicationOut]
    next_cursor: str | None


def _letter_links(user: Any) -> list[Prefetch]:
    """A letter's cases as `user` may see them: only those they may open."""
    return [Prefetch("cases", queryset=cases_for_user(user))]


def _communication(c: Any, named: bool) -> dict[str, Any]:
    return {
        "id": c.pk, "reference": c.reference, "kind": c.kind, "status": c.status,
        "joint": c.joint, "summary": c.summary if named else None, "sent_on": c.sent_on,
        "reply_due": c.reply_due, "confidential_until": c.confidential_until,
        "published_on": c.published_on, "themes": [t.value for t in c.themes],
        "addressees": [
            {"kind": a.kind, "country": a.country, "name": a.name, "sector": a.sector}
            for a in c.addressees.all()
        ],
        "replies": [
            {"id": r.pk, "received_on": r.received_on, "kind": r.kind,
             "sender": r.sender if named else None, "within_deadline": r.within_deadline}
            for r in c.replies.all()
        ],
        "case_ids": [case.pk for case in c.cases.all()], "updated_at": c.updated_at,
        "url": reverse("communications:detail", args=[c.pk]),
    }  # fmt: skip


@router.get(
    "/communications", response=answers(CommunicationPage), summary="List communications",
    tags=["communications"],
)  # fmt: skip
def list_communications(
    request: HttpRequest, paging: Query[Paging], status: str | None = None,
    kind: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Letters in the user's scope (an officer: letters whose countries, the first
    addressee's and those of the cases concerned, are all theirs), with their
    addressees and replies. Needs `read:communications`."""
    need(request, "read:communications")
    rows = communications_for_user(request.user).prefetch_related(
        "addressees", "replies__communication", "theme_rows", *_letter_links(request.user)
    )
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return listing(request, rows, paging, _communication, ["summary", "replies.sender"])


@router.get(
    "/communications/{communication_id}", response=answers(CommunicationOut),
    summary="Read a communication", tags=["communications"],
)  # fmt: skip
def get_communication(request: HttpRequest, communication_id: int) -> dict[str, Any]:
    need(request, "read:communications")
    from vigil.communications.access import get_communication_for_user

    communication = get_communication_for_user(request.user, communication_id)
    prefetch_related_objects([communication], *_letter_links(request.user))
    return single(request, communication, _communication, ["summary", "replies.sender"])


# --- State measures ----------------------------------------------------------------------


class MeasureOut(Schema):
    id: int
    country: str = Field(examples=["COL"])
    kind: str = Field(examples=["bill"])
    title: str = Field(examples=["Foreign funding bill"])
    citation: str
    effect: str = Field(examples=["restrictive"])
    status: str = Field(examples=["parliament"])
    review: str = Field(examples=["accepted"])
    themes: list[str]
    link: str
    updated_at: datetime


class MeasurePage(Schema):
    items: list[MeasureOut]
    next_cursor: str | None


def _measure(m: Any, named: bool) -> dict[str, Any]:
    return {
        "id": m.pk, "country": m.country, "kind": m.kind, "title": m.title,
        "citation": m.citation, "effect": m.effect, "status": m.status, "review": m.review,
        "themes": [t.value for t in m.themes], "link": m.link, "updated_at": m.updated_at,
    }  # fmt: skip


@router.get(
    "/measures", response=answers(MeasurePage), summary="List State measures", tags=["measures"]
)
def list_measures(
    request: HttpRequest, paging: Query[Paging], country: str | None = None,
    effect: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    need(request, "read:measures")
    rows = measures_for_user(request.user).prefetch_related("theme_rows")
    if country:
        rows = rows.filter(country=country)
    if effect:
        rows = rows.filter(effect=effect)
    return listing(request, rows, paging, _measure)


# --- Activity reports --------------------------------------------------------------------


class ActivityOut(Schema):
    id: int
    stakeholder: str = Field(examples=["Defensoría del Pueblo"])
    stakeholder_type: str = Field(examples=["nhri"])
    title: str
    kind: str = Field(examples=["training"])
    starts_on: date
    ends_on: date | None
    levels: list[str] = Field(examples=[["local", "national"]])
    countries: list[str] = Field(examples=[["COL"]])
    description: str
    state: str = Field(examples=["accepted"])
    updated_at: datetime


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


def _activity(r: Any, named: bool) -> dict[str, Any]:
    return {
        "id": r.pk,
        "stakeholder": r.stakeholder,
        "stakeholder_type": r.stakeholder_type,
        "title": r.title,
        "kind": r.kind,
        "starts_on": r.starts_on,
        "ends_on": r.ends_on,
        "levels": [level.value for level in r.levels],
        "countries": r.country_codes,
        "description": r.description,
        "state": r.state,
        "updated_at": r.updated_at,
    }  # fmt: skip


@router.get(
    "/activity-reports", response=answers(ActivityPage), summary="List activity reports",
    tags=["activity reports"],
)  # fmt: skip
def list_activity_reports(
    request: HttpRequest, paging: Query[Paging], state: str | None = None
) -> dict[str, Any]:
    """Reviewers read every report; a stakeholder reads their own."""
    need(request, "read:activities")
    rows = reports_for_user(request.user).prefetch_related("country_rows")
    if state:
        rows = rows.filter(state=state)
    return listing(request, rows, paging, _activity)


# --- The legal library -------------------------------------------------------------------


class ParagraphTextOut(Schema):
    language: str = Field(examples=["en"])
    status: str = Field(examples=["official"])
    text: str
    lead_verb: str = Field(examples=["Calls upon"])
    cites: list[str]


class ParagraphOut(Schema):
    id: int
    resolution: str = Field(examples=["A/RES/72/247"])
    kind: str = Field(examples=["operative"])
    position: int
    number: int | None = Field(examples=[8])
    texts: list[ParagraphTextOut]


@router.get(
    "/library/paragraphs", response=answers(list[ParagraphOut]),
    summary="List resolution paragraphs",
    tags=["library"],
)  # fmt: skip
def list_paragraphs(request: HttpRequest, resolution: str | None = None) -> list[dict[str, Any]]:
    """Every paragraph of the imported resolutions, in each language version."""
    need(request, "read:library")
    from vigil.library.models import Paragraph

    rows = Paragraph.objects.select_related("resolution").prefetch_related("texts__version")
    if resolution:
        rows = rows.filter(resolution__symbol=resolution)
    return [
        {
            "id": p.pk,
            "resolution": p.resolution.symbol,
            "kind": p.kind,
            "position": p.position,
            "number": p.number,
            "texts": [
                {
                    "language": t.version.language,
                    "status": t.version.status,
                    "text": t.text,
                    "lead_verb": t.lead_verb,
                    "cites": list(t.cites or []),
                }
                for t in p.texts.all()
            ],
        }  # fmt: skip
        for p in rows.order_by("resolution__symbol", "kind", "position")
    ]


# --- Statistics ---------------------------------------------------------------------------


class BucketOut(Schema):
    key: str = Field(examples=["killing"])
    label: str = Field(examples=["Killing"])
    acts: int
    victims: int
    cases: int


class BreakdownOut(Schema):
    name: str = Field(examples=["sdg_category"])
    buckets: list[BucketOut]


class SdgRowOut(Schema):
    key: str = Field(examples=["torture"])
    label: str
    cells: dict[str, int] = Field(examples=[{"total": 3, "sex:woman": 2, "sex:man": 1}])


class SdgOut(Schema):
    start: date
    end: date
    rows: list[SdgRowOut]


class StatsFilters(CaseFilters):
    pass


class Year(Schema):
    year: int = Field(..., ge=2000, le=2100, examples=[2025], description="A calendar year")


@router.get(
    "/statistics/breakdowns/{name}", response=answers(BreakdownOut), summary="A breakdown of acts",
    tags=["statistics"],
)  # fmt: skip
def get_breakdown(request: HttpRequest, name: str, filters: Query[StatsFilters]) -> dict[str, Any]:
    """Acts, victims and cases by `name`: year, sdg_category, violation, region, country,
    victim_category, sex, focus_group, perpetrator or flags, within the user's
    countries and the filters, as the statistics desk counts them."""
    need(request, "read:stats")
    from vigil.stats import counting, freshness

    if name not in counting.COUNTERS:
        raise HttpError(404, "no such breakdown")
    breakdown = freshness.breakdown(request.user, filters.case_filter(), name)
    return {
        "name": name,
        "buckets": [
            {"key": b.key, "label": b.label, "acts": b.acts, "victims": b.victims,
             "cases": b.cases}
            for b in breakdown.buckets
        ],
    }  # fmt: skip


@router.get(
    "/statistics/sdg16101",
    response=answers(SdgOut),
    summary="SDG indicator 16.10.1",
    tags=["statistics"],
)
def get_sdg16101(request: HttpRequest, period: Query[Year]) -> dict[str, Any]:
    """The 16.10.1 table of a calendar year, verified acts only, within the user's
    countries, by the counting rules in docs/statistics.md."""
    need(request, "read:stats")
    from vigil.stats import selectors
    from vigil.stats.sdg16101 import counting

    start, end = date(period.year, 1, 1), date(period.year, 12, 31)
    table = counting.table(start, end, selectors.acts_in_scope(request.user))
    return {
        "start": start, "end": end,
        "rows": [{"key": r.key, "label": r.label, "cells": dict(r.cells)} for r in table.rows],
    }  # fmt: skip
