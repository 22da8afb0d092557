"""The public library page: languages side by side, and what links to each paragraph."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from vigil.cases import services as case_services
from vigil.cases.tests import factories as make
from vigil.communications import services as communication_services
from vigil.communications.tests.helpers import sent
from vigil.library import parsing, services
from vigil.library.models import Paragraph
from vigil.library.tests.test_parsing import FRENCH, PLAIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolution():
    english = PLAIN.split("80th plenary")[0] + "80th plenary meeting\n"
    return services.resolution_import(parsing.parse(english + "\n" + FRENCH))


def test_the_page_shows_the_languages_side_by_side_with_their_status(client, resolution):
    html = client.get(reverse("library:detail", args=[resolution.pk])).content.decode()
    assert "A/RES/70/161" in html
    assert "English: Official" in html and "French: Official" in html
    assert "<em>Calls upon</em> all States" in html
    assert "<em>Demande</em> à tous les États" in html
    listing = client.get(reverse("library:list")).content.decode()
    assert "A/RES/70/161" in listing


def test_the_visitor_s_language_comes_first(client, resolution):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    html = client.get(reverse("library:detail", args=[resolution.pk])).content.decode()
    assert html.index("Engels") < html.index("Frans")  # no Dutch version: the official order


def test_linked_records_show_publicly_only_when_public_and_cases_only_as_a_count(
    client, alice, carol, resolution
):
    case = make.case(alice)
    paragraph = Paragraph.objects.get(resolution=resolution, kind="operative", number=2)
    case_services.case_update(actor=alice, case=case, version=case.version, paragraphs=[paragraph])
    published = sent(alice, carol, case, timezone.localdate() - timedelta(days=70))
    confidential = sent(alice, carol, case, timezone.localdate() - timedelta(days=5))
    for letter in (published, confidential):
        letter.paragraphs.add(paragraph)
    communication_services.communication_publish(
        actor=carol, communication=published, version=published.version
    )
    url = reverse("library:detail", args=[resolution.pk])
    public = client.get(url).content.decode()
    assert published.reference in public
    assert confidential.reference not in public
    # One unverified case: not counted, and not told apart from none.
    assert "1 case" not in public and "verified case" not in public
    assert case.reference not in public
    client.force_login(alice)
    assert case.reference in client.get(url).content.decode()


def test_the_public_counts_verified_cases_from_the_threshold_and_staff_only_their_own(
    client, alice, bob, carol, dave, resolution
):
    from datetime import date

    from vigil.cases.vocabularies import ViolationType
    from vigil.stats.tests.builders import verified

    paragraph = Paragraph.objects.get(resolution=resolution, kind="operative", number=2)
    victim = make.defender(carol, name="Victim")
    cases = []
    for n, country in enumerate(["COL", "COL", "KEN", "KEN", "KEN", "KEN"]):
        case = make.case(carol, country=country, title=f"Case {n}")
        case_services.case_update(
            actor=carol, case=case, version=case.version, paragraphs=[paragraph]
        )
        verify = n < 5  # the sixth is linked but not verified
        verified(carol, victim, ViolationType.THREATS, date(2025, 1, 1), country, case=case,
                 verify=verify)  # fmt: skip
        cases.append(case)
    url = reverse("library:detail", args=[resolution.pk])
    public = client.get(url).content.decode()
    assert "5 verified cases" in public
    assert not any(case.reference in public for case in cases)
    client.force_login(dave)  # an analyst opens no case: the public count
    assert "5 verified cases" in client.get(url).content.decode()
    client.force_login(alice)  # an officer for Colombia: her two cases, no count
    page = client.get(url).content.decode()
    assert [c.reference in page for c in cases] == [True, True, False, False, False, False]
    assert "verified case" not in page
    # One fewer verified case: below the threshold, the count is not told.
    from vigil.cases.models import Act

    act = Act.objects.filter(incident__cases=cases[0]).get()
    case_services.act_set_verification(
        actor=carol, act=act, version=act.version, verification="under_review",
        independent_sources=0,
    )  # fmt: skip
    client.logout()
    assert "verified case" not in client.get(url).content.decode()


def test_a_case_is_linked_to_paragraphs_from_its_own_form_and_the_link_is_audited(
    client, alice, resolution
):
    from vigil.core.models import AuditEntry

    case = make.case(alice)
    paragraph = Paragraph.objects.get(resolution=resolution, kind="operative", number=3)
    client.force_login(alice)
    form = client.get(reverse("cases:case_edit", args=[case.pk])).content.decode()
    assert "A/RES/70/161 3. Further encourages" in form
    client.post(
        reverse("cases:case_edit", args=[case.pk]),
        {
            "version": case.version, "title": case.title, "country": "COL", "priority": "normal",
            "risk": "medium", "status": "new", "officers": [alice.pk],
            "paragraphs": [paragraph.pk],
        },
    )  # fmt: skip
    assert list(case.paragraphs.all()) == [paragraph]
    assert AuditEntry.objects.filter(action="cases.paragraphs_linked").exists()
