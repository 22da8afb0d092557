"""Searches whose words must not reach a URL.

A search may be a defender's name; URLs end up in browser history and in proxy
and server logs. So the search form is posted; its words are kept in the cache
under a random token for an hour, and only the token goes into the URL of the
results (`?q=PARAMETER`), with the other filters, which are codes. Tokens of the desk
are bound to the person who searched; public ones to nobody (they reveal only
words, and only to someone who already holds the token).

The words are encrypted in the cache (Redis in production, which an intruder or a
memory dump may read): they are often a defender's full name.
"""

import secrets
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, QueryDict
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from vigil.vault import encryption

TTL = 60 * 60
WHERE = "cache posted-search"
WORDS = "text"  # the form field that holds the words
PARAMETER = "q"  # the URL parameter that holds the token


def _key(scope: str, token: str) -> str:
    return f"posted-search:{scope}:{token}"


def _scope(request: HttpRequest, scope: str) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"{scope}:{user.pk}"
    return scope


def redirect_url(request: HttpRequest, viewname: str, *, scope: str, **kwargs: Any) -> str:
    """Where a posted search goes: the list, with the filters and a token for the words."""
    params = request.POST.copy()
    for name in ("csrfmiddlewaretoken", "page", PARAMETER):
        params.pop(name, None)
    text = params.pop(WORDS, [""])[0].strip()
    if text:
        token = secrets.token_urlsafe(12)
        cache.set(_key(_scope(request, scope), token), encryption.encrypt(text, where=WHERE), TTL)
        params[PARAMETER] = token
    for name in [k for k, v in params.items() if not v]:
        params.pop(name)
    query = params.urlencode()
    url = resolve_url(viewname, **kwargs)
    return url + (f"?{query}" if query else "")


def restore(request: HttpRequest, *, scope: str) -> QueryDict:
    """The GET parameters, with the words put back in place of their token."""
    data = request.GET.copy()
    token = data.get(PARAMETER)
    if token:
        sealed = cache.get(_key(_scope(request, scope), token))
        data.pop(PARAMETER)
        try:
            text = encryption.decrypt(sealed, where=WHERE) if isinstance(sealed, str) else None
        except encryption.DecryptionError:  # sealed under a key since removed
            text = None
        if text is None:
            messages.info(request, _("That search has expired. Please search again."))
        else:
            data[WORDS] = text
    return data
