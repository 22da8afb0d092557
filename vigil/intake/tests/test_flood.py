"""Reports over a client's hourly limit are held apart, and the pool is bounded."""

import re

import pytest
from django.urls import reverse

from vigil.intake import views
from vigil.intake.models import Submission, SubmissionStatus

pytestmark = pytest.mark.django_db


def send(client, what: str):
    page = client.get(reverse("intake:submit")).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    data = {"form_token": token, "what_happened": what, "country": "COL"}
    return client.post(reverse("intake:submit"), data)


@pytest.fixture
def low_limit(monkeypatch, settings):
    monkeypatch.setattr(
        views, "submission_throttle", views.Throttle(scope="submission", limit=2, window=3600)
    )
    settings.INTAKE_HELD_MAX = 2


def test_it_holds_apart_what_comes_over_the_limit(client, low_limit):
    statuses = [send(client, f"report {n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 200]
    held = Submission.objects.filter(held_as_flood=True)
    assert sorted(s.what_happened for s in held) == ["report 2", "report 3"]


def test_it_refuses_with_the_form_as_typed_once_the_held_pool_is_full(client, low_limit):
    for n in range(4):
        send(client, f"report {n}")
    response = send(client, "They came at night.")
    assert response.status_code == 429
    assert "They came at night." in response.content.decode()
    assert "Too many reports are arriving at once" in response.content.decode()
    assert Submission.objects.count() == 4


def test_closing_held_reports_makes_room_again(client, low_limit):
    for n in range(4):
        send(client, f"report {n}")
    Submission.objects.filter(held_as_flood=True).update(status=SubmissionStatus.CLOSED)
    assert send(client, "They came at night.").status_code == 200
    assert Submission.objects.filter(held_as_flood=True, status="received").count() == 1
