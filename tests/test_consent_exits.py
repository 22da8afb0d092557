"""Consent, enforced in one place and tested from every exit: letters, publications,
public statistics, reports, exports and the API never carry a name whose owner did
not consent to that use.

One Colombian case, two defenders attacked in reprisal for speaking to the Special
Rapporteur: Ximena Quillacollo ("La Quilla") consented to nothing, Marta Quispe to
everything. Both names are written everywhere an officer would write them (the case's
title, the incident's title and narrative, the letter's summary and facts, a reply's
sender), so that every exit has a name to leak. Each exit is then read back as its
reader gets it: Ximena must never be there, Marta only where her consent allows.
"""

import io
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from vigil.api import tokens
from vigil.cases import services as case_services
from vigil.cases.models import Act, Case, Defender
from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import ViolationType
from vigil.communications import services as communications
from vigil.communications.models import Communication
from vigil.communications.tests.helpers import sent
from vigil.core.models import AuditEntry
from vigil.reports import registry as reports
from vigil.stats.exports import PUBLIC_TABLES

pytestmark = pytest.mark.django_db

# Her name, each part of it, and her other name ("La Quilla"): none may leave.
XIMENA = ("Ximena", "Quillacollo", "Quilla")
MARTA = "Marta Quispe"
DESCRIBED = "a woman human rights defender from Colombia"


def leaked(text: str) -> list[str]:
    """The parts of Ximena's names found in `text`, whatever their case."""
    return [part for part in XIMENA if part.casefold() in text.casefold()]


def names_anyone(text: str) -> bool:
    return bool(leaked(text)) or any(p.casefold() in text.casefold() for p in ("Marta", "Quispe"))


def pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return " ".join(" ".join(parts).split())


def html_text(content: bytes) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", content.decode()).split())


def xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


@dataclass
class Record:
    case: Case
    ximena: Defender
    marta: Defender
    acts: list[Act]
    letter: Communication
    start: date  # a period holding the acts, the letter and its reply
    end: date


@pytest.fixture
def record(client, alice, carol) -> Record:
    today = timezone.localdate()
    sent_on = today - timedelta(days=70)  # past the 60 days of confidentiality
    happened = sent_on - timedelta(days=20)
    case = make.case(alice, title="Ximena Quillacollo and Marta Quispe: river committee")
    # No consent recorded: all three are off until they are.
    ximena = make.defender(
        alice, name="Ximena Quillacollo", aliases="La Quilla", sex_gender="woman"
    )
    marta = make.defender(
        alice, name=MARTA, sex_gender="woman",
        consent_share_state=True, consent_share_business=True, consent_publish=True,
    )  # fmt: skip
    for defender in (ximena, marta):
        case_services.case_add_defender(actor=alice, case=case, defender=defender)
    incident = make.incident(
        alice, case=case, start_date=happened,
        title="Threats against Ximena Quillacollo and Marta Quispe",
        narrative="Ximena Quillacollo (La Quilla) and Marta Quispe were threatened by the "
        "police after they spoke to the Special Rapporteur.",
    )  # fmt: skip
    # Both acts are reprisals, so that the reprisals report has a row for each: one it
    # must name, one it must describe.
    acts = [
        make.act(
            alice, incident=incident, victim=victim, violation=ViolationType.THREATS,
            reprisal=True, reprisal_body="special_procedures",
            perpetrators=[{"category": "police"}],
        )  # fmt: skip
        for victim in (ximena, marta)
    ]  # fmt: skip
    make.source(alice, incident=incident, acts=acts)
    for act in acts:
        act.refresh_from_db()
        case_services.act_set_verification(
            actor=alice, act=act, version=act.version, verification="verified",
            independent_sources=1,
        )  # fmt: skip
    letter = sent(
        alice, carol, case, sent_on,
        summary="Threats against Ximena Quillacollo and Marta Quispe of the river committee.",
        body="Ximena Quillacollo, known as La Quilla, and Marta Quispe received death threats "
        "after they met the Special Rapporteur.",
    )  # fmt: skip
    communications.reply_log(
        actor=alice, communication=Communication.objects.get(pk=letter.pk),
        received_on=sent_on + timedelta(days=10), sender="Lawyer of Ximena Quillacollo",
        kind="partial",
    )  # fmt: skip
    # Published by the coordinator at the desk, as it is done.
    client.force_login(carol)
    letter = Communication.objects.get(pk=letter.pk)
    client.post(reverse("communications:publish", args=[letter.pk]), {"version": letter.version})
    client.logout()
    letter = Communication.objects.get(pk=letter.pk)
    assert letter.published_on == today
    return Record(
        case=case, ximena=ximena, marta=marta, acts=acts, letter=letter,
        start=happened - timedelta(days=30), end=today,
    )  # fmt: skip


def test_the_letter_to_the_state_names_only_who_consented_to_the_state(client, alice, record):
    addressee = record.letter.addressees.get()
    assert addressee.kind == "state" and addressee.country == "COL"
    client.force_login(alice)
    texts = {}
    for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
        url = reverse("communications:letter", args=[record.letter.pk, addressee.pk, fmt])
        response = client.get(url)
        assert response.status_code == 200
        texts[fmt] = read(response.content)
    for fmt, text in texts.items():
        assert not leaked(text), fmt
        assert MARTA in text, fmt  # she consented to the State
        assert DESCRIBED in text, fmt  # Ximena, without her name
        assert "death threats" in text, fmt  # the facts are there, her name replaced


@pytest.mark.slow  # about 1 s
def test_the_public_record_and_its_search_never_carry_the_name(client, record):
    listing = client.get(reverse("published:list"))
    detail = client.get(reverse("published:detail", args=[record.letter.pk]))
    assert listing.status_code == detail.status_code == 200
    for where, response in (("list", listing), ("detail", detail)):
        html = response.content.decode()
        assert record.letter.reference in html, where
        assert not leaked(html), where
        assert MARTA in html, where  # she consented to publication
    assert "Lawyer of [a woman human rights defender from Colombia]" in detail.content.decode()

    def found(words: str) -> bool:
        response = client.post(reverse("published:list"), {"text": words})
        return record.letter.reference in client.get(response["Location"]).content.decode()

    assert found("Quispe")  # the search works, and finds a consented name
    for part in ("Ximena", "Quillacollo", "Quilla"):
        assert not found(part)


def test_public_statistics_and_their_exports_name_nobody(client, record):
    # The record's acts are this year's, on one source: the public statistics count
    # neither (a year is published once it ends, and 16.10.1 verifies on two sources;
    # docs/statistics.md). Whatever they count, the pages must name nobody.
    year = record.acts[0].incident.start_date.year
    page = client.get(reverse("public_stats:page") + f"?year={year}")
    assert page.status_code == 200
    assert not names_anyone(page.content.decode())
    for name in PUBLIC_TABLES:
        for fmt in ("csv", "xlsx"):
            url = reverse("public_stats:export", args=[name, fmt]) + f"?year={year}"
            response = client.get(url)
            assert response.status_code == 200, (name, fmt)
            text = (
                response.content.decode("utf-8-sig")
                if fmt == "csv"
                else xlsx_text(response.content)
            )
            assert "Total" in text, (name, fmt)  # read back, not an empty file
            assert not names_anyone(text), (name, fmt)


# Reports that may name a person, and only under the consent to publish
# (docs/statistics.md); every other kind is counts, references and public information.
# The two are built from the desk only by those who may see identities (reprisals) or
# approve letters (communications), but both are written to be published (reprisals.py,
# reports/communications.py), so the consent that governs them is consent to publish.
NAMING_REPORTS = {"reprisals", "communications"}


@pytest.mark.slow  # about 3 s
def test_every_report_names_only_who_consented_to_publication(record):
    kinds = reports.names()
    assert set(kinds) >= {"sdg16101", "annual", "assessment", "reprisals", "communications",
                          "compilation"}  # fmt: skip
    naming = set()
    for kind in kinds:
        content = reports.build(kind, start=record.start, end=record.end, fmt="html").content
        assert not leaked(content.decode()), kind
        text = html_text(content)
        if MARTA in text:
            naming.add(kind)
        if kind in NAMING_REPORTS:
            assert DESCRIBED in text, kind  # Ximena is there, without her name
    # Every kind is built for every country, and may be published; a new kind that
    # names anyone must be added above, after checking it follows consent.
    assert naming == NAMING_REPORTS
    pdf = reports.build("reprisals", start=record.start, end=record.end, fmt="pdf").content
    text = pdf_text(pdf)
    assert MARTA in text and DESCRIBED in text and not leaked(text)
    assert record.letter.reference in text  # the published letter, listed against the acts


def test_record_exports_carry_names_only_as_identities_to_staff_who_may_see_them(
    client, alice, dave, record, tmp_path
):
    def read(path):
        content = path.read_bytes()
        return xlsx_text(content) if path.suffix == ".xlsx" else content.decode("utf-8-sig")

    # The command, as the analyst: nothing of the case files at all, even when asking
    # for identities (an analyst's role never sees them).
    for flags in ([], ["--identities"]):
        for ext in ("csv", "json", "xlsx"):
            path = tmp_path / f"dave-{len(flags)}.{ext}"
            call_command("export_records", str(path), "--as", "dave", *flags, stdout=io.StringIO())
            assert not names_anyone(read(path)), (flags, ext)
        data = json.loads((tmp_path / f"dave-{len(flags)}.json").read_text())
        assert data["defenders"] == [] and data["incidents"] == []
    client.force_login(dave)
    assert client.get(reverse("exchange:export", args=["json"])).status_code == 404

    # The officer, without asking for identities: the records, de-identified.
    client.force_login(alice)
    for ext in ("csv", "json", "xlsx"):
        response = client.get(reverse("exchange:export", args=[ext]))
        assert response.status_code == 200, ext
        text = (
            xlsx_text(response.content) if ext == "xlsx" else response.content.decode("utf-8-sig")
        )
        assert "vigil-defender-" in text, ext  # the defenders are exported
        assert not names_anyone(text), ext
    plain = json.loads(client.get(reverse("exchange:export", args=["json"])).content)
    assert len(plain["defenders"]) == 2 and all("name" not in d for d in plain["defenders"])
    path = tmp_path / "alice.csv"
    call_command("export_records", str(path), "--as", "alice", stdout=io.StringIO())
    assert "vigil-defender-" in read(path) and not names_anyone(read(path))

    # The officer, asking for identities. The three consents govern who a name is given
    # to outside the desk: the State, a company, the public (Defender.consent_*,
    # docs/threat-model.md "The consent a person gave"). An identity export is neither:
    # it is casework for staff whose role may see identities (docs/import-export.md),
    # audited as holding them, and its rows carry the consents, so that a desk importing
    # the file is bound by them too. So both names are in it, each with its consents.
    named = json.loads(
        client.get(reverse("exchange:export", args=["json"]) + "?identities=1").content
    )
    by_name = {d["name"]: d for d in named["defenders"]}
    assert set(by_name) == {"Ximena Quillacollo", MARTA}
    assert by_name["Ximena Quillacollo"]["aliases"] == "La Quilla"
    for consent in ("consent_share_state", "consent_share_business", "consent_publish"):
        assert by_name["Ximena Quillacollo"][consent] == "false", consent
        assert by_name[MARTA][consent] == "true", consent
    path = tmp_path / "alice-named.csv"
    call_command("export_records", str(path), "--as", "alice", "--identities", stdout=io.StringIO())
    assert "Ximena Quillacollo" in read(path)
    exports = AuditEntry.objects.filter(action="exchange.exported", actor_id=alice.pk)
    assert sum(1 for e in exports if "identities" in e.fields) == 2  # the download, the command
    assert sum(1 for e in exports if "identities" not in e.fields) == 5


def bearer(user, scopes):
    _token, plaintext = tokens.issue(actor=None, user=user, name="test", scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_the_api_gives_names_only_under_read_identities(client, alice, record):
    headers = bearer(alice, ["read:cases", "read:stats"])
    incident = record.acts[0].incident
    year = incident.start_date.year
    urls = [
        "/api/v1/cases", f"/api/v1/cases/{record.case.pk}",
        "/api/v1/defenders", f"/api/v1/defenders/{record.ximena.pk}",
        f"/api/v1/defenders/{record.marta.pk}",
        "/api/v1/incidents", f"/api/v1/incidents/{incident.pk}",
        "/api/v1/acts", *[f"/api/v1/acts/{act.pk}" for act in record.acts],
        "/api/v1/sources",
        "/api/v1/statistics/breakdowns/country", f"/api/v1/statistics/sdg16101?year={year}",
    ]  # fmt: skip
    for url in urls:
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        assert not names_anyone(response.content.decode()), url
    defenders = client.get("/api/v1/defenders", **headers).json()["items"]
    assert {d["id"] for d in defenders} == {record.ximena.pk, record.marta.pk}
    assert all(d["name"] is None and d["aliases"] is None for d in defenders)
    assert not AuditEntry.objects.filter(action="api.identities_read").exists()

    # A letter's summary names people: it is an identity field.
    letters = bearer(alice, ["read:communications"])
    body = client.get(f"/api/v1/communications/{record.letter.pk}", **letters).json()
    assert body["reference"] == record.letter.reference and body["summary"] is None

    # With read:identities the officer sees the names, as at the desk: internal, and
    # each record read that way is audited.
    named = bearer(alice, ["read:cases", "read:identities"])
    defenders = client.get("/api/v1/defenders", **named).json()["items"]
    assert {d["name"] for d in defenders} == {"Ximena Quillacollo", MARTA}
    reads = AuditEntry.objects.filter(action="api.identities_read", object_type="cases.defender")
    assert {e.object_id for e in reads} == {str(record.ximena.pk), str(record.marta.pk)}


def test_the_api_s_communications_carry_no_name_without_read_identities(client, alice, record):
    letters = bearer(alice, ["read:communications"])
    for url in ("/api/v1/communications", f"/api/v1/communications/{record.letter.pk}"):
        response = client.get(url, **letters)
        assert response.status_code == 200, url
        assert record.letter.reference in response.content.decode(), url
        assert not leaked(response.content.decode()), url
