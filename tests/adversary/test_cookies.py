"""Cookies on a reporter's device.

A phone seized at a checkpoint is searched for traces. A cookie that outlives the
browser session (a one-year `csrftoken`, say) tells that the phone visited Vigil,
long after the tab was closed. These tests walk every public page, as GET, with the
language switched, and through the POSTs of its forms, and read every Set-Cookie.
"""

import re

import pytest
from django.urls import reverse

from tests.test_routes import _target, _url, _walkable, world  # noqa: F401
from vigil.routes import Kind

pytestmark = pytest.mark.django_db

# The public side, as the reporter and the public see it.
PUBLIC_PREFIXES = ("/submit/", "/communications/", "/statistics/", "/library/")


def public_pages(world) -> list[tuple[str, str]]:  # noqa: F811
    pages = []
    for key, path, rule in _walkable():
        if rule.kind != Kind.PUBLIC or rule.post_only:
            continue
        url = _url(key, path, _target(key, world))
        if url == "/" or url.startswith(PUBLIC_PREFIXES):
            pages.append((key, url))
    return pages


def lasting(response) -> list[str]:
    """The names of cookies the response sets that would outlive the session."""
    return [
        name
        for name, morsel in response.cookies.items()
        if morsel["max-age"] not in ("", None) or morsel["expires"] not in ("", None)
        if morsel.value  # deleting a cookie (an expiry in the past) leaves nothing
    ]


def posts_a_form(response) -> bool:
    body = (
        response.content.decode(errors="replace")
        if response.get("Content-Type", "").startswith("text/html")
        else ""
    )
    return re.search(r'<form[^>]*method="post"', body, re.I) is not None


@pytest.mark.slow  # every public page, in three languages
def test_no_public_page_sets_a_cookie_that_outlives_the_browser_session(client, world):  # noqa: F811
    problems: list[str] = []
    pages = public_pages(world)
    assert len(pages) >= 8, len(pages)
    for key, url in pages:
        if key == "submission:report":
            client.post(reverse("submission:follow_up"), {"code": world.receipt_code})
        for query in ("", "?lang=fr", "?lang=ar"):
            client.cookies.clear()
            if key == "submission:report":
                client.post(reverse("submission:follow_up"), {"code": world.receipt_code})
            response = client.get(url + query)
            if lasting(response):
                problems.append(f"GET {key}{query}: {lasting(response)}")
    assert problems == [], "\n".join(problems)


def test_a_public_page_without_a_form_sets_no_cookie_at_all(client, world):  # noqa: F811
    problems: list[str] = []
    formless = 0
    for key, url in public_pages(world):
        client.cookies.clear()
        response = client.get(url)
        if posts_a_form(response):
            continue
        formless += 1
        if response.cookies:
            problems.append(f"GET {key}: sets {sorted(response.cookies)}")
    assert formless >= 4, formless  # the home page, letters, the library, exports
    assert problems == [], "\n".join(problems)


@pytest.mark.slow  # about 1 s
def test_the_public_forms_set_no_lasting_cookie_when_posted(client, world):  # noqa: F811
    page = client.get(reverse("submission:submit"))
    token = re.search(r'name="form_token" value="([^"]+)"', page.content.decode()).group(1)
    posts = [
        (
            reverse("submission:submit"),
            {"form_token": token, "what_happened": "x", "country": "COL"},
        ),
        (reverse("submission:follow_up"), {"code": "wrong code"}),
        (reverse("submission:follow_up"), {"code": world.receipt_code}),
        (reverse("submission:report"), {"text": "We are safe."}),
        (reverse("submission:leave"), {}),
        (reverse("published:list"), {"q": "river"}),
        (reverse("set_language"), {"language": "fr", "next": "/"}),
    ]
    problems = []
    seen = set()
    for url, data in posts:
        response = client.post(url, data)
        seen.update(response.cookies)
        if lasting(response):
            problems.append(f"POST {url}: {lasting(response)}")
    assert {"vigil_report", "vigil_language"} <= seen  # the cookies these forms set
    assert problems == [], "\n".join(problems)
    # With the session cookie gone the reporter is forgotten: the cookie held it all.
    client.cookies.clear()
    assert client.get(reverse("submission:report")).status_code == 302
