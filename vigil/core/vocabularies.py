"""Controlled vocabularies shared by every app.

Lists that are counted (countries, regional groups, roles) live here as code with
translated labels, never as rows an administrator can mistype. Later capabilities
add their own lists (violation types, perpetrator types, ...) to this module.
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
    language = (language or get_language() or "en").split("-")[0]
    return _country_catalog(language).gettext(country.english_name)


def _sort_key(text: str) -> str:
    # Strip accents so that "Côte d'Ivoire" sorts with the C's in every language.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def country_choices() -> list[tuple[str, str]]:
    """(code, name) for every country, sorted by name in the active language."""
    pairs = [(code, country_name(code)) for code in COUNTRIES]
    return sorted(pairs, key=lambda pair: _sort_key(pair[1]))


def is_country(code: str) -> bool:
    return code in COUNTRIES
