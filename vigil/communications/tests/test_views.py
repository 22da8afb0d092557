"""The communications desk and the public record, through HTTP."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from conftest import make_user
from vigil.cases.tests import factories as make
from vigil.communications import services
from vigil.communications.models import Communication, CountryVisit, Status
from vigil.communications.tests.helpers import draft, move, sent
from vigil.core.models import AuditEntry
from vigil.core.vocabularies import Role

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


def login(client, user):
    client.force_login(user)
    return client


def addressee_data(rows):
    data = {"to-TOTAL_FORMS": "3", "to-INITIAL_FORMS": "0", "to-MIN_NUM_FORMS": "0"}
    data["to-MAX_NUM_FORMS"] = "10"
    for i in range(3):
        row = rows[i] if i < len(rows) else {}
        for key in ("kind", "country", "name", "sector"):
            data[f"to-{i}-{key}"] = row.get(key, "")
    return data


@pytest.mark.slow  # about 3 s
def test_an_officer_drafts_from_a_case_with_the_case_and_its_country_filled_in(client, alice, case):
    page = login(client, alice).get(reverse("communications:create") + f"?case={case.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{case.reference}"' in html
    assert '<option value="COL" selected>' in html
    data = {
        "kind": "UA",
        "summary": "Death threats against the committee.",
        "body": "Two members were threatened.",
        "case_references": case.reference,
        "themes": ["environment", "protection"],
        **addressee_data([
            {"kind": "state", "country": "COL"},
            {"kind": "business", "name": "Minera", "country": "CAN", "sector": "extractives"},
        ]),
    }  # fmt: skip
    response = client.post(reverse("communications:create"), data)
    communication = Communication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("communications:detail", args=[communication.pk])
    assert list(communication.cases.all()) == [case]
    assert [a.kind for a in communication.addressees.all()] == ["state", "business"]
    assert {t.value for t in communication.themes} == {"environment", "protection"}


def test_a_draft_that_fails_validation_comes_back_filled_in(client, alice, case):
    data = {
        "kind": "UA",
        "summary": "Death threats against the committee.",
        "body": "Two members were threatened, in detail.",
        "case_references": "VGL-2099-99999",
        "joint": "on",
        **addressee_data([{"kind": "business", "country": "CAN"}]),
    }
    page = login(client, alice).post(reverse("communications:create"), data)
    html = page.content.decode()
    assert page.status_code == 200
    assert "No case of yours has the reference VGL-2099-99999." in html
    assert "Name the company or other actor." in html
    assert "Name the other mandates of a joint letter." in html
    assert "Two members were threatened, in detail." in html  # nothing typed is lost
    assert not Communication.objects.exists()


def test_a_case_of_another_country_cannot_be_named_or_opened(client, alice, bob):
    kenyan = make.case(bob, country="KEN")
    page = login(client, alice).get(reverse("communications:create") + f"?case={kenyan.pk}")
    assert page.status_code == 404
    letter = services.communication_create(
        actor=bob, kind="AL", summary="Kenya", addressees=[{"kind": "state", "country": "KEN"}]
    )
    assert client.get(reverse("communications:detail", args=[letter.pk])).status_code == 404
    listed = client.get(reverse("communications:list")).content.decode()
    assert f"Draft {letter.pk}" not in listed and "0 communications" in listed


def test_analysts_and_stakeholders_see_no_communication(client, dave, sam, alice, case):
    letter = draft(alice, case)
    for user in (dave, sam):
        login(client, user)
        assert client.get(reverse("communications:list")).status_code == 404
        assert client.get(reverse("communications:detail", args=[letter.pk])).status_code == 404


def test_only_the_coordinator_is_offered_approval_and_an_officer_posting_it_is_refused(
    client, alice, carol, case
):
    letter = draft(alice, case)
    move(alice, letter, Status.SUBMITTED)
    url = reverse("communications:detail", args=[letter.pk])
    officer_page = login(client, alice).get(url).content.decode()
    assert 'value="approved"' not in officer_page
    client.post(reverse("communications:move", args=[letter.pk]), {"to": "approved", "version": 2})
    assert Communication.objects.get().status == Status.SUBMITTED
    coordinator_page = login(client, carol).get(url).content.decode()
    assert 'value="approved"' in coordinator_page
    client.post(reverse("communications:move", args=[letter.pk]), {"to": "approved", "version": 2})
    assert Communication.objects.get().status == Status.APPROVED


def test_a_step_that_makes_no_sense_is_refused_with_a_message(client, alice, case):
    letter = draft(alice, case)
    login(client, alice)
    response = client.post(
        reverse("communications:move", args=[letter.pk]), {"to": "closed", "version": 1},
        follow=True,
    )  # fmt: skip
    assert "A communication that is Draft cannot become Closed." in response.content.decode()
    assert Communication.objects.get().status == Status.DRAFT


def test_letters_download_as_pdf_and_docx_without_names_in_file_names_and_are_audited(
    client, alice, carol, case
):
    letter = sent(alice, carol, case, date(2026, 2, 2))
    addressee = letter.addressees.get()
    login(client, alice)
    pdf = client.get(reverse("communications:letter", args=[letter.pk, addressee.pk, "pdf"]))
    docx = client.get(reverse("communications:letter", args=[letter.pk, addressee.pk, "docx"]))
    assert pdf["Content-Disposition"] == 'attachment; filename="UA-COL-1-2026-1.pdf"'
    assert docx["Content-Disposition"].endswith('filename="UA-COL-1-2026-1.docx"')
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    for text in (" ".join(pdf_text.split()), docx_text):
        assert "Marta Quispe" in text and "Rosa Tupac" in text  # both consented to the State
    assert AuditEntry.objects.filter(action="communications.letter_downloaded").count() == 2


def test_a_reply_with_its_file_is_logged_and_the_file_downloads_as_an_attachment(
    client, alice, carol, case
):
    letter = sent(alice, carol, case, timezone.localdate() - timedelta(days=10))
    login(client, alice)
    upload = io.BytesIO(PNG)
    upload.name = "reply of the mission.png"
    response = client.post(
        reverse("communications:reply_log", args=[letter.pk]),
        {
            "received_on": timezone.localdate().isoformat(),
            "sender": "Permanent Mission of Colombia",
            "kind": "partial",
            "assessment": "Answers the first question only.",
            "files": [upload],
        },
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Status.REPLIED
    reply_file = letter.replies.get().files.get()
    download = client.get(reverse("communications:reply_file", args=[reply_file.pk]))
    assert download.content == PNG
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    assert AuditEntry.objects.filter(action="communications.reply_file_downloaded").exists()


def test_a_reply_file_whose_content_lies_about_its_type_is_refused_and_nothing_is_logged(
    client, alice, carol, case
):
    letter = sent(alice, carol, case, timezone.localdate() - timedelta(days=10))
    upload = io.BytesIO(b"MZ\x90\x00 not really a PDF")
    upload.name = "reply.pdf"
    page = login(client, alice).post(
        reverse("communications:reply_log", args=[letter.pk]),
        {
            "received_on": timezone.localdate().isoformat(),
            "sender": "Permanent Mission of Colombia",
            "kind": "substantive",
            "files": [upload],
        },
    )
    assert page.status_code == 200
    assert "reply.pdf was not accepted" in page.content.decode()
    assert "Permanent Mission of Colombia" in page.content.decode()
    assert not letter.replies.exists()


def test_the_dashboard_lists_letters_past_their_deadline_without_a_reply(
    client, alice, bob, carol, case
):
    late = sent(alice, carol, case, timezone.localdate() - timedelta(days=90))
    answered = sent(alice, carol, case, timezone.localdate() - timedelta(days=90))
    services.reply_log(
        actor=alice, communication=answered, received_on=timezone.localdate(),
        sender="Mission", kind="acknowledgement",
    )  # fmt: skip
    sent(alice, carol, case, timezone.localdate() - timedelta(days=5))  # not yet due
    html = login(client, alice).get(reverse("core:dashboard")).content.decode()
    assert late.reference in html
    assert answered.reference not in html
    assert "UA COL 3/" not in html
    kenya = login(client, bob).get(reverse("core:dashboard")).content.decode()
    assert late.reference not in kenya  # not Bob's country


def test_publishing_waits_for_the_confidentiality_date_then_shows_the_letter_publicly(
    client, alice, carol, case
):
    recent = sent(alice, carol, case, timezone.localdate() - timedelta(days=30))
    login(client, carol)
    page = client.get(reverse("communications:detail", args=[recent.pk])).content.decode()
    assert reverse("communications:publish", args=[recent.pk]) not in page
    client.post(reverse("communications:publish", args=[recent.pk]), {"version": recent.version})
    assert Communication.objects.get(pk=recent.pk).published_on is None

    old = sent(alice, carol, case, timezone.localdate() - timedelta(days=61))
    # An officer may not publish, even once the date has passed.
    login(client, alice).post(
        reverse("communications:publish", args=[old.pk]), {"version": old.version}
    )
    assert Communication.objects.get(pk=old.pk).published_on is None
    login(client, carol).post(
        reverse("communications:publish", args=[old.pk]), {"version": old.version}
    )
    assert Communication.objects.get(pk=old.pk).published_on == timezone.localdate()

    client.logout()
    listing = client.get(reverse("published:list")).content.decode()
    assert old.reference in listing
    assert recent.reference not in listing
    detail = client.get(reverse("published:detail", args=[old.pk])).content.decode()
    assert "Marta Quispe" in detail  # consented to publication
    assert "Rosa" not in detail and "Tupac" not in detail  # did not
    assert "No reply has been received" in detail
    assert client.get(reverse("published:detail", args=[recent.pk])).status_code == 404


@pytest.mark.slow  # about 5 s
def test_the_public_search_filters_and_finds_words_without_putting_them_in_the_url(
    client, alice, carol, case
):
    old = timezone.localdate() - timedelta(days=100)
    river = sent(alice, carol, case, old, summary="Threats over the river dam.")
    law = sent(
        alice, carol, case, old, kind="OL", summary="The foreign agents bill.",
        themes=["foreign_agents"],
        addressees=[{"kind": "business", "name": "Hidro SA", "country": "ESP"}],
    )  # fmt: skip
    for letter in (river, law):
        services.communication_publish(actor=carol, communication=letter, version=letter.version)

    def found(response):
        html = response.content.decode()
        return {c.reference for c in (river, law) if c.reference in html}

    response = client.post(reverse("published:list"), {"text": "dam", "kind": ""})
    assert response.status_code == 302
    assert "dam" not in response["Location"]
    assert found(client.get(response["Location"])) == {river.reference}
    # Names without consent to publish are not searchable either.
    response = client.post(reverse("published:list"), {"text": "Tupac"})
    assert found(client.get(response["Location"])) == set()
    assert found(client.get(reverse("published:list") + "?kind=OL")) == {law.reference}
    assert found(client.get(reverse("published:list") + "?theme=foreign_agents")) == {law.reference}
    assert found(client.get(reverse("published:list") + "?addressee=state")) == {river.reference}
    assert found(client.get(reverse("published:list") + "?country=ESP")) == {law.reference}
    assert found(client.get(reverse("published:list") + f"?year={old.year}")) == {
        river.reference,
        law.reference,
    }


def test_a_follow_up_letter_is_drafted_from_a_letter_and_sending_it_marks_the_first(
    client, alice, carol, case
):
    first = sent(alice, carol, case, timezone.localdate() - timedelta(days=70))
    move(carol, first, Status.NO_REPLY)
    response = login(client, alice).post(reverse("communications:follow_up", args=[first.pk]))
    follow_up = Communication.objects.get(follow_up_to=first)
    assert response["Location"] == reverse("communications:edit", args=[follow_up.pk])
    assert list(follow_up.cases.all()) == [case]
    assert follow_up.summary.startswith(f"Follow-up to {first.reference}")
    move(alice, follow_up, Status.SUBMITTED)
    move(carol, follow_up, Status.APPROVED)
    move(carol, follow_up, Status.SENT)
    assert Communication.objects.get(pk=first.pk).status == Status.FOLLOW_UP


def test_no_reply_can_only_be_recorded_after_the_deadline(alice, carol, case):
    letter = sent(alice, carol, case, timezone.localdate() - timedelta(days=10))
    with pytest.raises(Exception, match="not yet overdue"):
        move(carol, letter, Status.NO_REPLY)


def test_the_communications_report_downloads_for_a_coordinator_only(
    client, alice, carol, dave, case
):
    sent(alice, carol, case, date(2026, 2, 2))
    data = {"sent_from": "2026-01-01", "sent_to": "2026-06-30", "format": "docx"}
    assert login(client, alice).post(reverse("reports:communications"), data).status_code == 404
    assert login(client, dave).post(reverse("reports:communications"), data).status_code == 404
    response = login(client, carol).post(reverse("reports:communications"), data)
    assert response["Content-Disposition"].endswith('"communications-2026-01-01-2026-06-30.docx"')
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "UA COL 1/2026" in text
    assert "Marta Quispe" in text and "Rosa" not in text  # consent to publish


def test_country_visits_are_recorded_and_changed_within_the_officers_countries(client, alice):
    login(client, alice)
    data = {"country": "COL", "requested_on": "2025-01-10", "status": "requested"}
    assert client.post(reverse("communications:visit_create"), data).status_code == 302
    visit = CountryVisit.objects.get()
    refused = client.post(reverse("communications:visit_create"), {**data, "country": "KEN"})
    assert "This country is not among yours." in refused.content.decode()
    bad = {
        **data, "status": "done", "starts_on": "2025-03-01", "ends_on": "2025-02-01",
        "version": visit.version,
    }  # fmt: skip
    page = client.post(reverse("communications:visit_edit", args=[visit.pk]), bad)
    assert "The visit ends before it starts." in page.content.decode()
    good = {**bad, "ends_on": "2025-03-10", "report_symbol": "A/HRC/61/47/Add.1"}
    assert (
        client.post(reverse("communications:visit_edit", args=[visit.pk]), good).status_code == 302
    )
    visit.refresh_from_db()
    assert (visit.status, visit.report_symbol) == ("done", "A/HRC/61/47/Add.1")
    assert "A/HRC/61/47/Add.1" in client.get(reverse("communications:visit_list")).content.decode()


def test_withdrawing_consent_to_publish_takes_the_name_out_of_the_public_search(
    client, alice, carol, case
):
    from vigil.cases import services as case_services

    letter = sent(alice, carol, case, timezone.localdate() - timedelta(days=70))
    services.communication_publish(actor=carol, communication=letter, version=letter.version)

    def found(words):
        response = client.post(reverse("published:list"), {"text": words})
        return letter.reference in client.get(response["Location"]).content.decode()

    assert found("Quispe")  # Marta consented to publication
    marta = next(d for d in case.defenders.all() if d.name == "Marta Quispe")
    case_services.defender_update(
        actor=alice, defender=marta, version=marta.version, consent_publish=False
    )
    assert not found("Quispe")
    assert found("committee")


def test_a_letter_follows_its_countries_so_covering_its_state_alone_opens_nothing(
    client, alice, bob, carol
):
    kenyan_case = make.case(bob, country="KEN", title="Nairobi land case")
    letter = services.communication_create(
        actor=carol, kind="AL", summary="Letter to Colombia about a Kenyan case.",
        addressees=[{"kind": "state", "country": "COL"}], cases=[kenyan_case],
    )  # fmt: skip
    # Alice covers the State addressed, not the case; Bob the case, not the State.
    for officer in (alice, bob):
        page = login(client, officer).get(reverse("communications:detail", args=[letter.pk]))
        assert page.status_code == 404, officer.username
    both = make_user("fiona", Role.CASE_OFFICER, ["COL", "KEN"])
    page = login(client, both).get(reverse("communications:detail", args=[letter.pk]))
    assert page.status_code == 200 and "Nairobi land case" in page.content.decode()


def test_an_officer_cannot_draft_a_letter_they_could_not_open(client, alice, case):
    data = {
        "kind": "UA", "summary": "Threats.", "case_references": case.reference,
        **addressee_data([{"kind": "state", "country": "KEN"}]),
    }  # fmt: skip
    page = login(client, alice).post(reverse("communications:create"), data)
    assert page.status_code == 200
    assert "This country is not among yours." in page.content.decode()
    assert not Communication.objects.exists()


def test_reply_senders_and_mandates_on_the_public_page_withhold_names_too(
    client, alice, carol, case
):
    letter = sent(
        alice, carol, case, timezone.localdate() - timedelta(days=70), joint=True,
        other_mandates="Rosa Tupac's own special rapporteur",
    )  # fmt: skip
    services.reply_log(
        actor=alice, communication=letter, received_on=timezone.localdate(),
        sender="Lawyer of Rosa Tupac", kind="partial",
    )  # fmt: skip
    letter = Communication.objects.get(pk=letter.pk)
    services.communication_publish(actor=carol, communication=letter, version=letter.version)
    page = client.get(reverse("published:detail", args=[letter.pk])).content.decode()
    assert "Tupac" not in page and "Rosa" not in page
    assert "Lawyer of [a human rights defender from Colombia]" in page


def test_publication_asks_for_the_code_again_when_it_is_old(client, alice, carol, case):
    import time

    from django.conf import settings

    from conftest import totp_code
    from vigil.accounts.two_factor import VERIFIED_AT

    old = sent(alice, carol, case, timezone.localdate() - timedelta(days=61))
    detail = reverse("communications:detail", args=[old.pk])
    login(client, carol)
    session = client.session
    session[VERIFIED_AT] = time.time() - settings.SECOND_FACTOR_STEP_UP_SECONDS - 1
    session.save()
    asked = client.post(
        reverse("communications:publish", args=[old.pk]),
        {"version": old.version},
        HTTP_REFERER=f"http://testserver{detail}",
    )
    assert asked["Location"].startswith(reverse("accounts:two_factor_confirm"))
    assert Communication.objects.get(pk=old.pk).published_on is None
    back = client.post(asked["Location"], {"code": totp_code(carol)})
    assert back["Location"] == f"http://testserver{detail}"  # to press Publish again
    client.post(reverse("communications:publish", args=[old.pk]), {"version": old.version})
    assert Communication.objects.get(pk=old.pk).published_on == timezone.localdate()


@pytest.mark.slow  # about 4 s
def test_a_letter_is_written_in_french_whatever_the_officers_language(client, alice, carol, case):
    from django.utils import translation

    letter = sent(alice, carol, case, date(2026, 2, 2))
    addressee = letter.addressees.get()
    login(client, alice)
    url = reverse("communications:letter", args=[letter.pk, addressee.pk, "pdf"])
    # The officer's screen is in Dutch; the letter is asked for in French.
    detail = client.get(
        reverse("communications:detail", args=[letter.pk]), HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    assert '<option value="fr" lang="fr">français</option>' in detail
    pdf = client.get(url, {"language": "fr"}, HTTP_ACCEPT_LANGUAGE="nl")
    docx = client.get(url.replace(".pdf", ".docx"), {"language": "fr"}, HTTP_ACCEPT_LANGUAGE="nl")
    pdf_text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    with translation.override("fr"):
        french = [
            translation.gettext("Excellency,"),
            translation.gettext("Please accept the assurances of my highest consideration."),
            translation.gettext("The persons concerned"),
        ]
    assert french[0] != "Excellency,"  # the French catalog has them
    for text in (pdf_text, docx_text):
        for phrase in french:
            assert " ".join(phrase.split()) in text
        assert "Excellentie" not in text and "Excellency" not in text
        assert "Marta Quispe" in text  # consent travels with the letter, in any language
    # A language letters are not written in falls back to English, never to Dutch.
    other = client.get(url.replace(".pdf", ".docx"), {"language": "nl"}, HTTP_ACCEPT_LANGUAGE="nl")
    assert "Excellency," in "\n".join(
        p.text for p in Document(io.BytesIO(other.content)).paragraphs
    )
