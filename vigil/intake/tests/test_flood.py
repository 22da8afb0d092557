"""Reports over a client's hourly limit are held apart, never refused; once the held
pool is full a held report keeps its words but not its files, which bounds what a
flood stores; the desk clears a flood in one step."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vigil.intake import public_views
from vigil.intake.models import Submission, SubmissionStatus

pytestmark = pytest.mark.django_db


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n" + b" " * 64


def send(client, what: str, *files):
    page = client.get(reverse("submission:submit")).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    data = {"form_token": token, "what_happened": what, "country": "COL"}
    if files:
        data["files"] = list(files)
    return client.post(reverse("submission:submit"), data)


@pytest.fixture
def low_limit(monkeypatch, settings):
    monkeypatch.setattr(
        public_views,
        "submission_throttle",
        public_views.Throttle(scope="submission", limit=2, window=3600),
    )
    settings.INTAKE_HELD_MAX = 2


def test_it_holds_apart_what_comes_over_the_limit(client, low_limit):
    statuses = [send(client, f"report {n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 200]
    held = Submission.objects.filter(held_as_flood=True)
    assert sorted(s.what_happened for s in held) == ["report 2", "report 3"]


def test_once_the_held_pool_is_full_a_report_is_still_taken_without_its_files(
    client, low_limit, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    for n in range(4):
        send(client, f"report {n}", SimpleUploadedFile("a.pdf", PDF))
    assert Submission.objects.filter(held_as_flood=True).count() == 2
    response = send(client, "They came at night.", SimpleUploadedFile("photo.pdf", PDF))
    assert response.status_code == 200
    assert "the files you attached could not be kept just now" in response.content.decode()
    latest = Submission.objects.latest("pk")
    assert (latest.what_happened, latest.held_as_flood) == ("They came at night.", True)
    assert latest.files.count() == 0
    # Before the pool was full, held reports kept their files.
    assert all(s.files.count() == 1 for s in Submission.objects.exclude(pk=latest.pk))


@pytest.mark.slow  # about 1 s
def test_the_desk_closes_every_held_report_in_one_step(client, low_limit, alice):
    for n in range(5):
        send(client, f"report {n}")
    client.force_login(alice)
    page = client.get(reverse("intake:queue") + "?held=1").content.decode()
    assert "Close every report held here" in page
    response = client.post(reverse("intake:queue"), {"action": "close_held"})
    assert response.status_code == 302
    assert (
        Submission.objects.filter(held_as_flood=True, status=SubmissionStatus.CLOSED).count() == 3
    )
    assert Submission.objects.filter(held_as_flood=False, status="received").count() == 2
    assert send(client, "They came at night.").status_code == 200
