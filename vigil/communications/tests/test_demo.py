"""The demo communications: every workflow state, and a public page that names
nobody who did not consent, checked against every demo defender."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from vigil.cases.models import Defender
from vigil.communications.models import (
    AddresseeKind,
    Communication,
    CountryVisit,
    Status,
    VisitStatus,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # each test loads the demo


@pytest.fixture
def demo(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr("vigil.cases.demo.INCIDENTS", 40)
    call_command("loaddemo", stdout=StringIO())


def test_the_demo_has_every_state_published_letters_with_and_without_replies_and_visits(demo):
    letters = Communication.objects.all()
    assert set(letters.values_list("status", flat=True)) == set(Status.values)
    published = letters.filter(published_on__isnull=False)
    assert published.filter(replies__isnull=False).exists()
    assert published.filter(replies__isnull=True).exists()
    assert letters.filter(addressees__kind=AddresseeKind.BUSINESS).exists()
    assert letters.filter(joint=True).exists()
    assert letters.filter(follow_up_to__isnull=False).exists()
    assert set(CountryVisit.objects.values_list("status", flat=True)) == set(VisitStatus.values)


def test_no_public_page_names_a_demo_defender_who_did_not_consent_to_publication(demo, client):
    published = list(Communication.objects.filter(published_on__isnull=False))
    pages = [client.get(reverse("published:list")).content.decode()]
    pages += [
        client.get(reverse("published:detail", args=[c.pk])).content.decode() for c in published
    ]
    text = "\n".join(pages)
    concerned = Defender.objects.filter(cases__communications__in=published).distinct()
    withheld = [d for d in concerned if not d.consent_publish]
    named = [d for d in concerned if d.consent_publish]
    assert withheld and named  # the demo shows both sides
    for defender in withheld:
        assert defender.name not in text
    assert any(defender.name in text for defender in named)
    for letter in Communication.objects.filter(published_on__isnull=True).exclude(reference=""):
        assert letter.reference not in text
