"""The public home page and the language switcher, through HTTP."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_it_explains_what_vigil_is(client):
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Protecting human rights defenders</h1>" in content
    assert '<html lang="en" dir="ltr">' in content
    assert 'href="/desk/login/"' in content


def test_it_offers_every_language_by_its_own_name(client):
    content = client.get("/").content.decode()
    assert '<option value="en" lang="en" selected>English</option>' in content
    assert '<option value="nl" lang="nl">Nederlands</option>' in content
    assert '<label for="language-select">Language</label>' in content


def test_switching_language_works_without_javascript_and_sticks(client):
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    content = client.get("/").content.decode()
    assert '<html lang="nl" dir="ltr">' in content
    assert "<h1>Bescherming van mensenrechtenverdedigers</h1>" in content
    assert "Protecting human rights defenders" not in content


def test_the_browser_language_is_honoured_on_a_first_visit(client):
    content = client.get("/", HTTP_ACCEPT_LANGUAGE="nl-NL,nl;q=0.9").content.decode()
    assert '<html lang="nl"' in content
    assert "Protecting human rights defenders" not in content


def test_an_unknown_language_falls_back_to_english(client):
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert '<html lang="en"' in client.get("/").content.decode()


def test_the_switcher_refuses_to_redirect_to_another_host(client):
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_public_pages_load_nothing_from_another_host(client):
    content = client.get("/").content.decode()
    assert "http://" not in content and "https://" not in content
    assert "<script" not in content  # the public side works without JavaScript


def test_a_missing_page_gets_a_helpful_translated_404(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 404
    assert b"Page not found" not in response.content
    assert b'<html lang="nl"' in response.content
