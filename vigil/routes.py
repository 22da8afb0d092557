"""Every route of Vigil and who may use it: the need-to-know table, as data.

One entry per URL pattern (by its `namespace:name`, or by its path when it has no
name) and one per operation of the API (method and path, as in its OpenAPI
document). Each entry says which audiences may use the route (anonymous visitors
and each role of `Role`), which records of theirs it reaches (the country rule),
and, when the route walker cannot open it, why.

`core/permissions.py` decides what each role may do; this table states, route by
route, what that comes to, and `tests/test_routes.py` proves it: it compares
the table with the URLconf and the OpenAPI document, then opens every route as a
visitor and as each role and checks each answer against the entry. A route missing
from the table fails that test, so no new page ships without a decision here.
docs/permissions.md ("Every route") is generated from this module:
`.venv/bin/python -m vigil.routes` rewrites that section.

How a refusal looks depends on the kind of route (`Kind`): at the desk, a visitor is
sent to the login page and a signed-in person gets 404, the same answer as for a
record that does not exist; the API answers 401 without a token, 403 when the
token's user's role can never hold the scope the operation needs (the same for
every record), and 404 for a record outside the user's reach.
"""

import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from vigil.core.vocabularies import Role

ANONYMOUS = "anonymous"
STAKEHOLDER = Role.STAKEHOLDER.value
CASE_OFFICER = Role.CASE_OFFICER.value
COORDINATOR = Role.COORDINATOR.value
ANALYST = Role.ANALYST.value
ADMINISTRATOR = Role.ADMINISTRATOR.value
# The columns of the table, in this order.
AUDIENCES = (ANONYMOUS, STAKEHOLDER, CASE_OFFICER, COORDINATOR, ANALYST, ADMINISTRATOR)
HEADINGS = {
    ANONYMOUS: "anonymous",
    STAKEHOLDER: "stakeholder",
    CASE_OFFICER: "case officer",
    COORDINATOR: "coordinator",
    ANALYST: "analyst",
    ADMINISTRATOR: "administrator",
}


class Kind(StrEnum):
    """Where a route lives, which fixes how a refusal looks."""

    PUBLIC = "public"  # the public side: no one is refused
    DESK = "desk"  # a visitor: to the login page; a signed-in person: 404
    API = "api"  # no token: 401; a role that can never hold the scope: 403; a record: 404
    ADMIN = "admin"  # Django's admin: to the admin's login, which refuses the signed-in (403)


class Countries(StrEnum):
    """Which records the route reaches for those who may use it."""

    NONE = "n/a"
    OWN = "own countries"
    LETTER = "letter's countries"
    ALL = "all countries"
    OWN_RECORDS = "own records"
    OWN_OR_PROPOSED = "own countries; stakeholder: own"
    ALL_OR_OWN = "all countries; stakeholder: own"
    PUBLISHED = "published only"


COUNTRY_RULES: dict[Countries, str] = {
    Countries.NONE: "nothing bound to a country: public text, aggregates with small "
    "numbers hidden, or the person's own account",
    Countries.OWN: "the records of the user's countries (`country_scope`): a case officer "
    "the countries assigned to them, a coordinator or an analyst every country",
    Countries.LETTER: "a letter follows its countries, its first addressee's (the one in "
    "its reference) and those of the cases it concerns: a case officer must cover all "
    "of them; coordinators every letter",
    Countries.ALL: "every record of its kind, whatever the country",
    Countries.OWN_RECORDS: "only what the user asked for or submitted (a report build, an "
    "import, a stakeholder's own report)",
    Countries.OWN_OR_PROPOSED: "staff: the measures of their countries; a stakeholder: the "
    "measures they proposed",
    Countries.ALL_OR_OWN: "reviewers: every activity report; a stakeholder: their own",
    Countries.PUBLISHED: "published communications only",
}


@dataclass(frozen=True)
class Rule:
    """Who may use one route, and how much of it they see."""

    kind: Kind
    who: frozenset[str]
    countries: Countries = Countries.NONE
    post_only: bool = False  # a GET answers 405 to those who may use it
    scope: str = ""  # API: the token scope the operation needs
    note: str = ""
    unwalked: str = ""  # why the route walker cannot open it; empty when it does


def _audiences(*names: str) -> frozenset[str]:
    unknown = set(names) - set(AUDIENCES)
    if unknown:
        raise ValueError(f"not an audience: {sorted(unknown)}")
    return frozenset(names)


NOBODY = _audiences()
EVERYONE = _audiences(*AUDIENCES)
SIGNED_IN = _audiences(STAKEHOLDER, CASE_OFFICER, COORDINATOR, ANALYST, ADMINISTRATOR)
CASEWORK = _audiences(CASE_OFFICER, COORDINATOR)  # document_cases, triage, letters
COORDINATORS = _audiences(COORDINATOR)
STATISTICS = _audiences(CASE_OFFICER, COORDINATOR, ANALYST)  # view_statistics
REPORT_BUILDERS = _audiences(COORDINATOR, ANALYST)  # build_reports
STAKEHOLDERS = _audiences(STAKEHOLDER)
MEASURES = _audiences(STAKEHOLDER, CASE_OFFICER, COORDINATOR)  # manage or propose
ACTIVITIES = _audiences(STAKEHOLDER, CASE_OFFICER, COORDINATOR)  # submit or review
ADMINISTRATORS = _audiences(ADMINISTRATOR)
LIBRARY_READERS = SIGNED_IN  # read:library needs no permission


def public(countries: Countries = Countries.NONE, **extra: str | bool) -> Rule:
    return Rule(Kind.PUBLIC, EVERYONE, countries, **extra)  # type: ignore[arg-type]


def desk(who: frozenset[str], countries: Countries, **extra: str | bool) -> Rule:
    return Rule(Kind.DESK, who, countries, **extra)  # type: ignore[arg-type]


def admin(who: frozenset[str], **extra: str | bool) -> Rule:
    return Rule(Kind.ADMIN, who, Countries.NONE, **extra)  # type: ignore[arg-type]


def api(scope: str, who: frozenset[str], countries: Countries, **extra: str | bool) -> Rule:
    return Rule(Kind.API, who, countries, scope=scope, **extra)  # type: ignore[arg-type]


SHADOWED = "shadowed: its address reaches the entry of the same path above"

ROUTES: dict[str, Rule] = {
    # --- The public side ---------------------------------------------------------------
    "public:home": public(),
    "published:list": public(Countries.PUBLISHED),
    "published:detail": public(Countries.PUBLISHED),
    "library:list": public(),
    "library:detail": public(note="links to cases only as a count, except the reader's own"),
    "public_stats:page": public(note="aggregates; small numbers hidden"),
    "public_stats:export": public(note="the page's tables, same cells hidden"),
    "submission:submit": public(),
    "submission:follow_up": public(Countries.OWN_RECORDS, note="the report of a receipt code"),
    "submission:report": public(
        Countries.OWN_RECORDS, note="the report whose code was entered (signed cookie)"
    ),
    "submission:leave": public(post_only=True),
    "set_language": public(note="POST sets the language; GET only redirects"),
    # --- Logging in --------------------------------------------------------------------
    "accounts:login": public(note="a signed-in person is sent on to the desk"),
    "accounts:logout": public(post_only=True),
    "accounts:two_factor": desk(
        SIGNED_IN,
        Countries.NONE,
        note="the second step of logging in, once the password is given; a visitor "
        "is sent to the password first",
    ),
    "accounts:two_factor_setup": desk(SIGNED_IN, Countries.NONE),
    "accounts:two_factor_confirm": desk(
        SIGNED_IN, Countries.NONE, note="the code again before an export or a publication"
    ),
    "accounts:recovery_codes": desk(SIGNED_IN, Countries.NONE),
    "accounts:password_change": desk(SIGNED_IN, Countries.NONE),
    "tokens:list": desk(
        SIGNED_IN, Countries.NONE, note="one's own API tokens; only their user makes one"
    ),
    "tokens:revoke": desk(SIGNED_IN, Countries.OWN_RECORDS, post_only=True),
    # --- The desk ----------------------------------------------------------------------
    "core:dashboard": desk(SIGNED_IN, Countries.OWN, note="figures within the user's scope"),
    # Cases
    "cases:case_list": desk(CASEWORK, Countries.OWN),
    "cases:case_create": desk(CASEWORK, Countries.OWN),
    "cases:case_detail": desk(CASEWORK, Countries.OWN),
    "cases:case_edit": desk(CASEWORK, Countries.OWN),
    "cases:case_pdf": desk(CASEWORK, Countries.OWN),
    "cases:note_add": desk(CASEWORK, Countries.OWN, post_only=True),
    "cases:task_add": desk(CASEWORK, Countries.OWN, post_only=True),
    "cases:task_done": desk(CASEWORK, Countries.OWN, post_only=True),
    "cases:defender_create": desk(CASEWORK, Countries.OWN),
    "cases:defender_edit": desk(CASEWORK, Countries.OWN),
    "cases:relation_add": desk(CASEWORK, Countries.OWN),
    "cases:incident_create": desk(CASEWORK, Countries.OWN),
    "cases:incident_edit": desk(CASEWORK, Countries.OWN),
    "cases:act_create": desk(CASEWORK, Countries.OWN),
    "cases:act_edit": desk(CASEWORK, Countries.OWN),
    "cases:act_verify": desk(CASEWORK, Countries.OWN),
    "cases:source_create": desk(CASEWORK, Countries.OWN),
    "cases:source_edit": desk(CASEWORK, Countries.OWN),
    "cases:evidence_add": desk(CASEWORK, Countries.OWN),
    "cases:evidence_download": desk(CASEWORK, Countries.OWN),
    # Intake triage
    "intake:queue": desk(CASEWORK, Countries.OWN),
    "intake:detail": desk(CASEWORK, Countries.OWN),
    "intake:file_download": desk(CASEWORK, Countries.OWN),
    # Communications and country visits
    "communications:list": desk(CASEWORK, Countries.LETTER),
    "communications:create": desk(
        CASEWORK, Countries.LETTER, note="refused unless the author could open the letter"
    ),
    "communications:detail": desk(CASEWORK, Countries.LETTER),
    "communications:edit": desk(CASEWORK, Countries.LETTER, note="drafts only"),
    "communications:move": desk(
        CASEWORK, Countries.LETTER, post_only=True, note="approving and sending: coordinators"
    ),
    "communications:publish": desk(
        CASEWORK,
        Countries.LETTER,
        post_only=True,
        note="coordinators publish; an officer is told so on the letter's page",
    ),
    "communications:follow_up": desk(CASEWORK, Countries.LETTER, post_only=True),
    "communications:reply_log": desk(CASEWORK, Countries.LETTER),
    "communications:letter": desk(CASEWORK, Countries.LETTER),
    "communications:reply_file": desk(CASEWORK, Countries.LETTER),
    "reports:communications": desk(
        COORDINATORS, Countries.ALL, note="lists letters that may still be confidential"
    ),
    "communications:visit_list": desk(CASEWORK, Countries.OWN),
    "communications:visit_create": desk(CASEWORK, Countries.OWN),
    "communications:visit_edit": desk(CASEWORK, Countries.OWN),
    # State measures
    "measures:list": desk(MEASURES, Countries.OWN_OR_PROPOSED),
    "measures:create": desk(MEASURES, Countries.OWN_OR_PROPOSED, note="a stakeholder proposes"),
    "measures:detail": desk(MEASURES, Countries.OWN_OR_PROPOSED),
    "measures:edit": desk(CASEWORK, Countries.OWN),
    "measures:status_add": desk(CASEWORK, Countries.OWN, post_only=True),
    "measures:recommendation_add": desk(CASEWORK, Countries.OWN, post_only=True),
    "measures:review": desk(CASEWORK, Countries.OWN, post_only=True),
    "measures:uptake": desk(CASEWORK, Countries.OWN, post_only=True),
    # Activity reports
    "activities:list": desk(ACTIVITIES, Countries.ALL_OR_OWN),
    "activities:create": desk(STAKEHOLDERS, Countries.OWN_RECORDS),
    "activities:detail": desk(ACTIVITIES, Countries.ALL_OR_OWN),
    "activities:edit": desk(STAKEHOLDERS, Countries.OWN_RECORDS),
    "activities:review": desk(CASEWORK, Countries.ALL, post_only=True),
    "activities:file": desk(ACTIVITIES, Countries.ALL_OR_OWN),
    "reports:compilation": desk(
        REPORT_BUILDERS, Countries.ALL, note="accepted reports, public information"
    ),
    # Statistics and reports
    "stats:dashboard": desk(STATISTICS, Countries.OWN, note="counts, never a name"),
    "stats:records": desk(STATISTICS, Countries.OWN, note="de-identified acts"),
    "stats:export": desk(STATISTICS, Countries.OWN),
    "reports:list": desk(
        REPORT_BUILDERS, Countries.OWN_RECORDS, note="each role the kinds it may build"
    ),
    "reports:narrative": desk(REPORT_BUILDERS, Countries.NONE),
    "reports:status": desk(REPORT_BUILDERS, Countries.OWN_RECORDS),
    "reports:progress": desk(REPORT_BUILDERS, Countries.OWN_RECORDS),
    "reports:download": desk(REPORT_BUILDERS, Countries.OWN_RECORDS),
    # Import and export
    "exchange:import": desk(CASEWORK, Countries.OWN, note="rows outside one's countries refused"),
    "exchange:import_status": desk(CASEWORK, Countries.OWN_RECORDS),
    "exchange:import_progress": desk(CASEWORK, Countries.OWN_RECORDS),
    "exchange:export": desk(CASEWORK, Countries.OWN, note="identities only with view_identities"),
    # --- The API's own pages (its operations are in API_OPERATIONS) ---------------------
    "api-v1:openapi-json": public(note="the OpenAPI document: no record"),
    "api-v1:openapi-view": public(note="the API's docs, served by Vigil"),
    "api-v1:api-root": Rule(
        Kind.PUBLIC, NOBODY, note="404 to all: it only gives the API its root path"
    ),
    # --- The Django admin: accounts and API tokens, no case content ----------------------
    "admin/login/": admin(
        _audiences(ANONYMOUS),
        note="ours: a visitor goes to the desk's login; the signed-in, whom the admin "
        "refused, get 'Not allowed' (403)",
    ),
    "admin/password_change/": public(note="ours: on to the desk's audited password form"),
    "admin:login": admin(ADMINISTRATORS, unwalked=SHADOWED),
    "admin:password_change": admin(ADMINISTRATORS, unwalked=SHADOWED),
    "admin:logout": admin(ADMINISTRATORS, post_only=True),
    "admin:accounts_user_delete": admin(
        NOBODY, note="accounts are deactivated, never deleted: 403 to administrators too"
    ),
    "admin:api_apitoken_delete": admin(
        NOBODY, note="tokens are revoked, never deleted: 403 to administrators too"
    ),
    "admin:api_apitoken_add": admin(
        NOBODY, note="a token is made only by its own user, at the desk: 403 to administrators"
    ),
    "admin:view_on_site": admin(
        ADMINISTRATORS, unwalked="none of the admin's models has a page of its own to link to"
    ),
    "admin:autocomplete": admin(
        ADMINISTRATORS,
        unwalked="serves only the admin's autocomplete widgets (none is configured); "
        "without their parameters it refuses everyone (403)",
    ),
    "admin/(?P<url>.*)$": admin(NOBODY, note="anything else under /admin/: 404 or the login"),
}

# Routes covered by the start of their key, when they have no entry of their own.
PREFIXES: dict[str, Rule] = {
    "admin:": admin(
        ADMINISTRATORS,
        note="Django's admin: accounts and API tokens, for administrators "
        "(superusers); it holds no case content",
    ),
    "admin/": admin(ADMINISTRATORS, note="the admin's redirects from an object's old address"),
    # Each URL pattern of the API serves the operations of one path; the test checks
    # that every such path has its operations in API_OPERATIONS.
    "api-v1:": Rule(Kind.API, NOBODY, note="an API path: its operations are listed below"),
}

_READ_CASES = "read:cases"
API_OPERATIONS: dict[str, Rule] = {
    "GET /api/v1/cases": api(_READ_CASES, CASEWORK, Countries.OWN),
    "GET /api/v1/cases/{case_id}": api(_READ_CASES, CASEWORK, Countries.OWN),
    "GET /api/v1/defenders": api(_READ_CASES, CASEWORK, Countries.OWN),
    "GET /api/v1/defenders/{defender_id}": api(_READ_CASES, CASEWORK, Countries.OWN),
    "GET /api/v1/incidents": api(_READ_CASES, CASEWORK, Countries.OWN),
    "GET /api/v1/incidents/{incident_id}": api(_READ_CASES, CASEWORK, Countries.OWN),
    "GET /api/v1/acts": api(_READ_CASES, CASEWORK, Countries.OWN),
    "GET /api/v1/acts/{act_id}": api(_READ_CASES, CASEWORK, Countries.OWN),
    "GET /api/v1/sources": api(_READ_CASES, CASEWORK, Countries.OWN),
    "POST /api/v1/defenders": api(
        "write:cases", CASEWORK, Countries.OWN, note="another country: 403"
    ),
    "POST /api/v1/incidents": api(
        "write:cases", CASEWORK, Countries.OWN, note="another country: 403"
    ),
    "POST /api/v1/acts": api(
        "write:cases", CASEWORK, Countries.OWN, note="an incident or victim not yours: 404"
    ),
    "POST /api/v1/sources": api(
        "write:cases", CASEWORK, Countries.OWN, note="an incident or act not yours: 404"
    ),
    "GET /api/v1/communications": api("read:communications", CASEWORK, Countries.LETTER),
    "GET /api/v1/communications/{communication_id}": api(
        "read:communications", CASEWORK, Countries.LETTER
    ),
    "GET /api/v1/measures": api("read:measures", MEASURES, Countries.OWN_OR_PROPOSED),
    "GET /api/v1/activity-reports": api("read:activities", ACTIVITIES, Countries.ALL_OR_OWN),
    "GET /api/v1/library/paragraphs": api("read:library", LIBRARY_READERS, Countries.NONE),
    "GET /api/v1/statistics/breakdowns/{name}": api("read:stats", STATISTICS, Countries.OWN),
    "GET /api/v1/statistics/sdg16101": api("read:stats", STATISTICS, Countries.OWN),
}


def rule_for(key: str) -> Rule | None:
    """The entry of a URL pattern (its own, or else that of its longest prefix)."""
    if key in ROUTES:
        return ROUTES[key]
    prefixes = [prefix for prefix in PREFIXES if key.startswith(prefix)]
    return PREFIXES[max(prefixes, key=len)] if prefixes else None


# --- What there is to cover -------------------------------------------------------------


def url_patterns() -> list[tuple[str, str]]:
    """(key, path) of every URL pattern, in the order Django tries them: the key is
    `namespace:name`, or the path for a pattern without a name."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[tuple[str, str]] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            path = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, path, inner)
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    key = f"{namespace}:{pattern.name}" if namespace else pattern.name
                else:
                    key = path
                found.append((key, path))

    walk(get_resolver(), "", "")
    return found


def api_operations() -> list[str]:
    """ "METHOD /path" of every operation in the API's OpenAPI document."""
    from vigil.api.api import api as the_api

    schema = the_api.get_openapi_schema()
    return [f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops]


# --- The generated section of docs/permissions.md ---------------------------------------

BEGIN = "<!-- Generated from vigil/routes.py: python -m vigil.routes -->"
END = "<!-- End of the generated table -->"


def _cells(rule: Rule) -> list[str]:
    cells = []
    for audience in AUDIENCES:
        if audience in rule.who:
            cells.append("✓")
        elif audience == ANONYMOUS and rule.kind == Kind.DESK:
            cells.append("login")
        else:
            cells.append("")
    return cells


def _row(first: list[str], rule: Rule) -> str:
    notes = [rule.note] if rule.note else []
    if rule.post_only:
        notes.insert(0, "POST only")
    if rule.scope:
        notes.insert(0, f"`{rule.scope}`")
    if rule.unwalked:
        notes.append(f"not walked: {rule.unwalked}")
    cells = [*first, *_cells(rule), rule.countries.value, "; ".join(notes)]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def markdown() -> str:
    """The "Every route" tables, as docs/permissions.md holds them."""
    head = " | ".join(HEADINGS[a] for a in AUDIENCES)
    centred = "|".join(":-:" for _ in AUDIENCES)
    lines = [f"| route | path | {head} | countries | notes |", f"|---|---|{centred}|---|---|"]
    for key, path in url_patterns():
        if key in ROUTES:
            lines.append(_row([f"`{key}`", f"`/{path}`"], ROUTES[key]))
    lines += ["", "Covered by the start of their name, when they have no row of their own:", ""]
    lines += [f"| route | {head} | countries | notes |", f"|---|{centred}|---|---|"]
    lines += [_row([f"`{prefix}*`"], rule) for prefix, rule in PREFIXES.items()]
    lines += ["", "API operations:", ""]
    lines += [f"| operation | {head} | countries | notes |", f"|---|{centred}|---|---|"]
    lines += [_row([f"`{op}`"], rule) for op, rule in API_OPERATIONS.items()]
    lines += ["", "Countries:", ""]
    lines += [f"- **{rule.value}**: {text}." for rule, text in COUNTRY_RULES.items()]
    return "\n".join(lines) + "\n"


def write_docs(path: Path) -> None:
    text = path.read_text()
    before, rest = text.split(BEGIN, 1)
    _old, after = rest.split(END, 1)
    path.write_text(f"{before}{BEGIN}\n{markdown()}{END}{after}")


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    django.setup()
    target = Path(__file__).resolve().parents[1] / "docs" / "permissions.md"
    write_docs(target)
    sys.stdout.write(f"{target} rewritten\n")
