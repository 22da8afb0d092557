"""The public side of intake through HTTP: submit, receipt, follow-up."""

import logging
import re

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from vigil.intake import passphrases, services
from vigil.intake.models import Submission, SubmissionMessage, SubmissionStatus

pytestmark = pytest.mark.django_db

CLIENT_ADDRESS = "203.0.113.77"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) VigilTestBrowser/91.7"


def form_token(client) -> str:
    page = client.get(reverse("submission:submit")).content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def submit(client, **fields):
    data = {
        "form_token": form_token(client),
        "what_happened": "They broke into our office.",
        "country": "COL",
        **fields,
    }
    return client.post(
        reverse("submission:submit"), data, REMOTE_ADDR=CLIENT_ADDRESS, HTTP_USER_AGENT=USER_AGENT
    )


def code_on(response) -> str:
    words = re.findall(r"<span>([a-z-]+)</span>", response.content.decode())
    assert len(words) == 7, response.content.decode()[:1500]
    return " ".join(words)


def test_the_form_needs_only_what_happened_and_the_country(client):
    page = client.get(reverse("submission:submit"))
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "no-referrer"  # nothing follows a link out
    assert b"<script" not in page.content
    response = submit(client)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert client.get("/")["Referrer-Policy"] == "same-origin"  # elsewhere, Django's own
    code = code_on(response)
    submission = Submission.objects.get()
    assert submission.what_happened == "They broke into our office."
    assert submission.status == SubmissionStatus.RECEIVED
    assert submission.receipt_digest == passphrases.digest(code)


def test_a_form_missing_what_is_required_comes_back_filled_in(client):
    response = submit(
        client,
        what_happened="",
        country="",
        where="Near the river",
        perpetrators="Two men on a motorbike",
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "This field is required." in content
    assert 'value="Near the river"' in content
    assert "Two men on a motorbike" in content
    assert not Submission.objects.exists()


def test_the_receipt_code_is_seven_words_from_the_large_list_and_only_its_hash_is_kept(client):
    code = code_on(submit(client))
    words = code.split()
    assert len(words) == 7 and set(words) <= set(passphrases.word_list())
    submission = Submission.objects.get()
    stored = " ".join(str(getattr(submission, f.attname)) for f in Submission._meta.concrete_fields)
    assert code not in stored and words[0] not in stored


def test_sending_the_same_form_twice_makes_one_report_with_one_code(client):
    token = form_token(client)
    data = {"form_token": token, "what_happened": "Threats by phone.", "country": "KEN"}
    first = client.post(reverse("submission:submit"), data)
    second = client.post(reverse("submission:submit"), data)
    assert Submission.objects.count() == 1
    assert code_on(first) == code_on(second)


def test_the_code_opens_the_report_with_its_status_and_messages(client, alice):
    code = code_on(submit(client))
    submission = Submission.objects.get()
    services.desk_message(actor=alice, submission=submission, text="Are you safe now?")
    response = client.post(
        reverse("submission:follow_up"), {"code": code.upper().replace(" ", "  ")}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Received" in page and "Are you safe now?" in page
    client.post(reverse("submission:report"), {"text": "Yes, we moved to another town."})
    reply = SubmissionMessage.objects.get(from_desk=False)
    assert reply.text == "Yes, we moved to another town."


@pytest.mark.slow  # about 1 s
def test_a_wrong_code_gets_the_same_answer_every_time_and_guessing_is_throttled(client):
    submit(client)
    answers = set()
    for attempt in range(10):
        response = client.post(
            reverse("submission:follow_up"),
            {"code": f"wrong code number {attempt}"},
            REMOTE_ADDR=CLIENT_ADDRESS,
        )
        assert response.status_code == 200
        answers.add(re.search(r'role="alert".*?</div>', response.content.decode(), re.S).group(0))
    assert len(answers) == 1
    # Past ten, codes whose first word is not in the list share one allowance of two.
    statuses = [
        client.post(
            reverse("submission:follow_up"), {"code": f"one more {n}"}, REMOTE_ADDR=CLIENT_ADDRESS
        ).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    response = client.post(
        reverse("submission:follow_up"), {"code": "one more"}, REMOTE_ADDR=CLIENT_ADDRESS
    )
    assert b"Too many attempts" in response.content


def test_the_follow_up_page_needs_the_code_first(client):
    assert client.get(reverse("submission:report"))["Location"] == reverse("submission:follow_up")
    client.cookies["vigil_report"] = "1"  # unsigned: refused
    assert client.get(reverse("submission:report"))["Location"] == reverse("submission:follow_up")


def test_leaving_forgets_the_report_on_this_device(client):
    code = code_on(submit(client))
    client.post(reverse("submission:follow_up"), {"code": code})
    assert client.get(reverse("submission:report")).status_code == 200
    client.post(reverse("submission:leave"))
    assert client.get(reverse("submission:report")).status_code == 302


def test_no_address_or_browser_is_kept_anywhere(client, caplog):
    caplog.set_level(logging.DEBUG)
    code = code_on(submit(client, targeted="Ana", urgent="on"))
    client.post(
        reverse("submission:follow_up"),
        {"code": code},
        REMOTE_ADDR=CLIENT_ADDRESS,
        HTTP_USER_AGENT=USER_AGENT,
    )
    client.post(
        reverse("submission:report"),
        {"text": "More details"},
        REMOTE_ADDR=CLIENT_ADDRESS,
        HTTP_USER_AGENT=USER_AGENT,
    )
    everything = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            everything.extend(str(row) for row in cursor.fetchall())
    stored = "\n".join(everything)
    logged = caplog.text
    for identifier in (CLIENT_ADDRESS, USER_AGENT, "VigilTestBrowser"):
        assert identifier not in stored
        assert identifier not in logged
    # The audit trail has the day of the report, not the time.
    from vigil.core.models import AuditEntry

    received = AuditEntry.objects.get(action="intake.submission_received")
    assert (received.at.hour, received.at.minute, received.at.second) == (0, 0, 0)
    assert received.actor_name == "anonymous"


def test_the_form_works_in_dutch(client):
    client.cookies["vigil_language"] = "nl"
    page = client.get(reverse("submission:submit")).content.decode()
    assert '<html lang="nl"' in page
    assert "Report a threat or attack" not in page
    code_on(submit(client))
    assert Submission.objects.get().language == "nl"


def test_a_report_over_the_connections_hourly_limit_is_taken_and_held_apart(client):
    from vigil.intake.public_views import submission_throttle

    for _ in range(submission_throttle.limit):
        submission_throttle.hit(CLIENT_ADDRESS)
    response = submit(client, where="Near the river")
    assert response.status_code == 200
    code = code_on(response)  # the same receipt as any other report
    submission = Submission.objects.get()
    assert submission.held_as_flood
    assert submission.receipt_digest == passphrases.digest(code)
