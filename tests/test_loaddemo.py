from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from vigil.accounts.models import User
from vigil.core.models import AuditEntry, DemoDataset
from vigil.core.permissions import country_scope
from vigil.core.vocabularies import Role

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # each test loads a demo


@pytest.fixture(autouse=True)
def _demo_machine(settings, monkeypatch):
    settings.DEBUG = True  # what VIGIL_DEBUG=1 gives `make run`
    # A small demo here; the full one is loaded and measured, in a process of its
    # own, by test_settings_and_commands.
    monkeypatch.setattr("vigil.cases.demo.INCIDENTS", 12)


def load() -> str:
    out = StringIO()
    call_command("loaddemo", stdout=out)
    return out.getvalue()


def test_it_creates_one_account_per_role(settings):
    settings.DEMO_PASSWORD = "demo passphrase for this test"
    output = load()
    users = {u.username: u for u in User.objects.all()}
    assert set(users) == {"admin", "coordinator", "officer", "analyst", "stakeholder"}
    assert {u.role for u in users.values()} == set(Role)
    for user in users.values():
        assert user.check_password("demo passphrase for this test")
        assert user.first_name and user.last_name
    assert len(country_scope(users["officer"])) >= 2
    assert users["admin"].is_superuser and not users["coordinator"].is_staff
    assert "Password for every demo account: demo passphrase for this test" in output
    assert "officer      Case officer" in output


def test_it_loads_nothing_twice():
    load()
    counts = (User.objects.count(), AuditEntry.objects.count(), DemoDataset.objects.count())
    output = load()
    assert (User.objects.count(), AuditEntry.objects.count(), DemoDataset.objects.count()) == counts
    assert "already loaded" in output


def test_it_refuses_to_run_on_a_production_installation(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only on a development or demo machine"):
        load()
    assert not User.objects.exists()


def test_it_audits_what_it_creates():
    load()
    created = AuditEntry.objects.filter(action="accounts.user_created")
    assert created.count() == 5
    assert set(created.values_list("actor_name", flat=True)) == {"system"}


def test_it_loads_the_library_measures_and_activity_reports_with_their_links():
    from vigil.activities.models import ActivityReport, ReviewState
    from vigil.library.models import Paragraph, Resolution
    from vigil.measures.models import Measure, Review

    load()
    resolution = Resolution.objects.get(symbol="A/RES/72/247")
    assert list(resolution.versions.values_list("language", "status")) == [
        ("en", "official"), ("nl", "machine"),
    ]  # fmt: skip
    measures = Measure.objects.all()
    assert measures.values("country").distinct().count() >= 15
    assert set(measures.values_list("effect", flat=True)) == {"enabling", "restrictive", "mixed"}
    assert measures.filter(review=Review.PROPOSED).exists()
    assert set(ActivityReport.objects.values_list("state", flat=True)) == set(ReviewState.values)
    paragraph_15 = Paragraph.objects.get(resolution=resolution, kind="operative", number=15)
    assert paragraph_15.activities.filter(state=ReviewState.ACCEPTED).exists()
    assert Paragraph.objects.filter(measures__isnull=False).exists()
    assert Paragraph.objects.filter(communications__isnull=False).exists()
