"""Controlled vocabularies shared by every app.

Lists that are counted and used everywhere (countries with their UN regional groups,
roles, themes) live here as code with translated labels, never as rows an
administrator can mistype. Each capability keeps its own lists in its own app (case
documentation in `cases/vocabularies.py`).
"""

import gettext
import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a staff or stakeholder account is for; permissions follow from it."""

    STAKEHOLDER = "stakeholder", _("Stakeholder")
    CASE_OFFICER = "case_officer", _("Case officer")
    COORDINATOR = "coordinator", _("Coordinator")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


class RegionalGroup(models.TextChoices):
    """The five regional groups of UN Member States (General Assembly practice)."""

    AFRICAN = "african", _("African Group")
    ASIA_PACIFIC = "asia_pacific", _("Asia-Pacific Group")
    EASTERN_EUROPEAN = "eastern_european", _("Eastern European Group")
    LATIN_AMERICAN_CARIBBEAN = "latin_american_caribbean", _("Latin American and Caribbean Group")
    WESTERN_EUROPEAN_OTHERS = "western_european_others", _("Western European and Others Group")


_GROUP_MEMBERS: dict[RegionalGroup, str] = {
    RegionalGroup.AFRICAN: (
        "DZA AGO BEN BWA BFA BDI CPV CMR CAF TCD COM COG CIV COD DJI EGY GNQ ERI SWZ ETH "
        "GAB GMB GHA GIN GNB KEN LSO LBR LBY MDG MWI MLI MRT MUS MAR MOZ NAM NER NGA RWA "
        "STP SEN SYC SLE SOM ZAF SSD SDN TGO TUN UGA TZA ZMB ZWE"
    ),
    RegionalGroup.ASIA_PACIFIC: (
        "AFG BHR BGD BTN BRN KHM CHN CYP PRK FJI IND IDN IRN IRQ JPN JOR KAZ KIR KWT KGZ "
        "LAO LBN MYS MDV MHL FSM MNG MMR NRU NPL OMN PAK PLW PNG PHL QAT KOR WSM SAU SGP "
        "SLB LKA SYR TJK THA TLS TON TKM TUV ARE UZB VUT VNM YEM"
    ),
    RegionalGroup.EASTERN_EUROPEAN: (
        "ALB ARM AZE BLR BIH BGR HRV CZE EST GEO HUN LVA LTU MNE MKD POL MDA ROU RUS SRB "
        "SVK SVN UKR"
    ),
    RegionalGroup.LATIN_AMERICAN_CARIBBEAN: (
        "ATG ARG BHS BRB BLZ BOL BRA CHL COL CRI CUB DMA DOM ECU SLV GRD GTM GUY HTI HND "
        "JAM MEX NIC PAN PRY PER KNA LCA VCT SUR TTO URY VEN"
    ),
    # The United States attends the group as an observer and is counted with it
    # for electoral purposes; it is counted with it here too.
    RegionalGroup.WESTERN_EUROPEAN_OTHERS: (
        "AND AUS AUT BEL CAN DNK FIN FRA DEU GRC ISL IRL ISR ITA LIE LUX MLT MCO NLD NZL "
        "NOR PRT SMR ESP SWE CHE TUR GBR USA"
    ),
}

REGIONAL_GROUP_OF: dict[str, RegionalGroup] = {
    code: group for group, codes in _GROUP_MEMBERS.items() for code in codes.split()
}


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-3
    numeric: str  # ISO 3166-1 numeric, as M49 uses it
    english_name: str
    regional_group: RegionalGroup | None  # None: not a UN Member State

    @property
    def name(self) -> str:
        return country_name(self.code)

    @property
    def is_member_state(self) -> bool:
        return self.regional_group is not None


COUNTRIES: dict[str, Country] = {
    c.alpha_3: Country(
        code=c.alpha_3,
        numeric=c.numeric,
        english_name=c.name,
        regional_group=REGIONAL_GROUP_OF.get(c.alpha_3),
    )
    for c in pycountry.countries
}


@cache
def _country_catalog(language: str) -> gettext.NullTranslations:
    # pycountry ships the ISO 3166 names translated by the Debian iso-codes team.
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in `language` (default: the active language).

    An unknown code is returned as it is, so that a bad value is visible rather
    than silently hidden.
    """
    country = COUNTRIES.get(code)
    if country is None:
        return code
    return _country_catalog(_iso_codes_language(language or get_language() or "en")).gettext(
        country.english_name
    )


# Django's codes for the two written forms of Chinese, as the iso-codes catalogs name them.
ISO_CODES_LANGUAGES = {"zh-hans": "zh_CN", "zh-hant": "zh_TW"}


def _iso_codes_language(language: str) -> str:
    language = language.lower()
    return ISO_CODES_LANGUAGES.get(language, language.split("-")[0])


def _sort_key(text: str) -> str:
    # Strip accents so that "Côte d'Ivoire" sorts with the C's in every language.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def country_choices() -> list[tuple[str, str]]:
    """(code, name) for every country, sorted by name in the active language."""
    return list(_country_choices((get_language() or "en").split("-")[0]))


@cache
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    # Model validation asks for the choices on every save: worth keeping.
    pairs = [(code, country_name(code, language)) for code in COUNTRIES]
    return tuple(sorted(pairs, key=lambda pair: _sort_key(pair[1])))


def is_country(code: str) -> bool:
    return code in COUNTRIES


class DatePrecision(models.TextChoices):
    """How well a date is known (core/dates.py shows a date no more precisely)."""

    DAY = "day", _("Exact day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    ESTIMATED = "estimated", _("Estimated")


class Theme(models.TextChoices):
    """What a communication (and later a State measure) is about, for searching and
    counting. The first group follows the defenders the resolution names (paras
    10-12); the second the laws the preamble warns may be misused against them."""

    ENVIRONMENT = "environment", _("Environment, land and indigenous peoples")
    BUSINESS = "business", _("Business and human rights")
    LABOUR = "labour", _("Labour rights and trade unions")
    WOMEN = "women", _("Women defenders")
    LGBTI = "lgbti", _("LGBTI rights")
    MEDIA = "media", _("Journalists and freedom of expression")
    JUSTICE = "justice", _("Lawyers, judges and justice")
    CORRUPTION = "corruption", _("Anti-corruption")
    REPRISALS = "reprisals", _("Reprisals for cooperating with the UN")
    ASSOCIATION = "association", _("Registration and funding of associations")
    FOREIGN_AGENTS = "foreign_agents", _("Foreign agents laws")
    SECURITY = "security", _("Counter-terrorism and national security")
    CYBERCRIME = "cybercrime", _("Cybercrime and online expression")
    ASSEMBLY = "assembly", _("Peaceful assembly")
    DEFAMATION = "defamation", _("Defamation")
    PROTECTION = "protection", _("Protection of defenders")
