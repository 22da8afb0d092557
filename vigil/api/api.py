"""The API: `/api/v1/`, its OpenAPI document at `/api/v1/openapi.json` and its docs at
`/api/v1/docs`, served by Vigil itself (django-ninja's own copy of Swagger UI).

django-ninja was chosen over Django REST framework: the OpenAPI document comes from
the same typed schemas that validate and shape every answer (no second generator
to keep in step), the docs' assets ship inside the package, and it is small.
"""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from vigil.api import cases, records, writes
from vigil.api.security import TokenAuth

DESCRIPTION = """
Vigil's records over HTTP, for the desk's own tools and partners' systems.

**Tokens.** An administrator makes a token for a user, with scopes (`read:cases`,
`read:identities`, `read:communications`, `read:measures`,
`read:activities`, `read:stats`, `read:library`, `write:cases`). Send it as
`Authorization: Bearer vgl_...`. A token can never do more than its user at the
desk: the same roles and countries apply, and what the user may not see is a 404.

**Identities.** Names, contacts, affiliations, titles, narratives, places,
detention places, charges, source names, letter summaries and reply senders are
`null` unless the token has `read:identities` and the user's role may see
identities; each record returned with them is written to the audit trail.

**Pages.** Lists return `items` and `next_cursor`; pass the cursor back as
`cursor` for the next page, until it is `null`. `ordering` is one of
`-updated_at` (the default), `updated_at`, `-id`, `id`; `limit` is 1 to 200.

Searching by words or names is not offered: it would put them in a URL.
"""

api = NinjaAPI(
    title="Vigil API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", cases.router)
api.add_router("", records.router)
assert writes  # its operations join the cases router


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: Exception) -> HttpResponse:
    from django.utils.translation import gettext as _

    response = api.create_response(
        request, {"detail": _("Send a valid API token: Authorization: Bearer vgl_...")},
        status=401,
    )  # fmt: skip
    response["WWW-Authenticate"] = "Bearer"
    return response
