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


# --- Case documentation (HURIDOCS events model; SDG indicator 16.10.1) ---------------


class SdgCategory(models.TextChoices):
    """The six violation categories of SDG indicator 16.10.1."""

    KILLING = "killing", _("Killing")
    ENFORCED_DISAPPEARANCE = "enforced_disappearance", _("Enforced disappearance")
    TORTURE = "torture", _("Torture")
    ARBITRARY_DETENTION = "arbitrary_detention", _("Arbitrary detention")
    KIDNAPPING = "kidnapping", _("Kidnapping")
    OTHER_HARMFUL_ACTS = "other_harmful_acts", _("Other harmful acts")


class ViolationType(models.TextChoices):
    """What was done to a defender, specific to human rights defenders' work."""

    KILLING = "killing", _("Killing")
    ATTEMPTED_KILLING = "attempted_killing", _("Attempted killing")
    ENFORCED_DISAPPEARANCE = "enforced_disappearance", _("Enforced disappearance")
    TORTURE = "torture", _("Torture or ill-treatment")
    ARBITRARY_DETENTION = "arbitrary_detention", _("Arbitrary arrest or detention")
    KIDNAPPING = "kidnapping", _("Kidnapping or abduction")
    PHYSICAL_ATTACK = "physical_attack", _("Physical attack")
    THREATS = "threats", _("Threats")
    HARASSMENT = "harassment", _("Harassment and intimidation")
    JUDICIAL_HARASSMENT = "judicial_harassment", _("Judicial harassment or criminalisation")
    SMEAR_CAMPAIGN = "smear_campaign", _("Smear campaign or stigmatisation")
    SURVEILLANCE = "surveillance", _("Surveillance")
    ONLINE_ATTACK = "online_attack", _("Online attack")
    RAID = "raid", _("Raid")
    TRAVEL_BAN = "travel_ban", _("Travel ban")
    SEXUAL_VIOLENCE = "sexual_violence", _("Sexual and gender-based violence")
    CLOSURE_OF_ORGANISATION = "closure", _("Closure or deregistration of an organisation")
    DISMISSAL = "dismissal", _("Dismissal")
    OTHER = "other", _("Other")


# Each violation type counts in exactly one 16.10.1 category. Attempted killing is
# not a killing under the indicator's rules; it is an "other harmful act", as are
# physical attacks and the rest. Sexual violence is counted as torture only where
# the record says so, through the act's own violation type.
SDG_CATEGORY_OF: dict[ViolationType, SdgCategory] = {
    ViolationType.KILLING: SdgCategory.KILLING,
    ViolationType.ENFORCED_DISAPPEARANCE: SdgCategory.ENFORCED_DISAPPEARANCE,
    ViolationType.TORTURE: SdgCategory.TORTURE,
    ViolationType.ARBITRARY_DETENTION: SdgCategory.ARBITRARY_DETENTION,
    ViolationType.KIDNAPPING: SdgCategory.KIDNAPPING,
    **{
        violation: SdgCategory.OTHER_HARMFUL_ACTS
        for violation in ViolationType
        if violation
        not in {
            ViolationType.KILLING,
            ViolationType.ENFORCED_DISAPPEARANCE,
            ViolationType.TORTURE,
            ViolationType.ARBITRARY_DETENTION,
            ViolationType.KIDNAPPING,
        }
    },
}

# Violations that deprive a person of liberty: the act records dates, place,
# charges and the laws invoked (resolution para 9).
DEPRIVATION_OF_LIBERTY = frozenset(
    {
        ViolationType.ARBITRARY_DETENTION,
        ViolationType.ENFORCED_DISAPPEARANCE,
        ViolationType.KIDNAPPING,
    }
)


def violation_types_in(category: SdgCategory) -> list[str]:
    return [v.value for v, c in SDG_CATEGORY_OF.items() if c == category]


class VictimCategory(models.TextChoices):
    """The victim categories of SDG indicator 16.10.1; one person may be several."""

    HUMAN_RIGHTS_DEFENDER = "hrd", _("Human rights defender")
    JOURNALIST = "journalist", _("Journalist or associated media personnel")
    TRADE_UNIONIST = "trade_unionist", _("Trade unionist")


class FocusGroup(models.TextChoices):
    """Groups of defenders the resolution names (paras 10-12). Women defenders are
    derived from sex and gender, not chosen here."""

    ENVIRONMENT_LAND_INDIGENOUS = "environment", _("Environmental, land or indigenous rights")
    BUSINESS_RELATED = "business", _("Business and human rights")
    LABOUR = "labour", _("Labour rights")
    LGBTI = "lgbti", _("LGBTI rights")
    ANTI_CORRUPTION = "anti_corruption", _("Anti-corruption")
    LAWYERS = "lawyers", _("Lawyers and justice")
    OTHER = "other", _("Other")


class DefenderKind(models.TextChoices):
    PERSON = "person", _("Person")
    GROUP = "group", _("Group or community")
    ORGANISATION = "organisation", _("Organisation")


class SexGender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary or other")
    UNKNOWN = "unknown", _("Unknown")


class AgeGroup(models.TextChoices):
    CHILD = "under_18", _("Under 18")
    YOUNG = "18_29", _("18 to 29")
    ADULT = "30_59", _("30 to 59")
    OLDER = "60_plus", _("60 or older")
    UNKNOWN = "unknown", _("Unknown")


class RelationType(models.TextChoices):
    """How a person is linked to a defender (paras 7-8 protect them too)."""

    FAMILY_MEMBER = "family", _("Family member")
    LEGAL_REPRESENTATIVE = "lawyer", _("Legal representative")
    ASSOCIATE = "associate", _("Associate")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    ESTIMATED = "estimated", _("Estimated")


class PerpetratorCategory(models.TextChoices):
    POLICE = "police", _("State: police")
    MILITARY = "military", _("State: military")
    JUDICIARY = "judiciary", _("State: judiciary or prosecution")
    INTELLIGENCE = "intelligence", _("State: intelligence services")
    OFFICIALS = "officials", _("State: other officials")
    BUSINESS = "business", _("Business enterprise")
    PRIVATE_SECURITY = "private_security", _("Private security")
    ORGANISED_CRIME = "organised_crime", _("Organised crime")
    ARMED_GROUP = "armed_group", _("Armed group")
    COMMUNITY_OR_INDIVIDUAL = "individual", _("Community member or individual")
    UNKNOWN = "unknown", _("Unknown")


STATE_PERPETRATORS = frozenset(
    {
        PerpetratorCategory.POLICE,
        PerpetratorCategory.MILITARY,
        PerpetratorCategory.JUDICIARY,
        PerpetratorCategory.INTELLIGENCE,
        PerpetratorCategory.OFFICIALS,
    }
)


class Involvement(models.TextChoices):
    DIRECT = "direct", _("Carried it out")
    ORDERED = "ordered", _("Ordered or instigated it")
    COMPLICIT = "complicit", _("Complicit or assisted")
    ACQUIESCED = "acquiesced", _("Tolerated it or failed to protect")
    SUSPECTED = "suspected", _("Suspected")


class BusinessSector(models.TextChoices):
    EXTRACTIVES = "extractives", _("Mining, oil and gas")
    AGRIBUSINESS = "agribusiness", _("Agribusiness and forestry")
    ENERGY = "energy", _("Renewable energy and hydropower")
    CONSTRUCTION = "construction", _("Construction and infrastructure")
    TECHNOLOGY = "technology", _("Technology and telecommunications")
    FINANCE = "finance", _("Finance")
    MANUFACTURING = "manufacturing", _("Manufacturing and garments")
    SECURITY = "security", _("Security services")
    OTHER = "other", _("Other")


class RightAffected(models.TextChoices):
    LIFE = "life", _("Life")
    LIBERTY = "liberty", _("Liberty and security of person")
    PHYSICAL_INTEGRITY = "integrity", _("Physical and mental integrity")
    FAIR_TRIAL = "fair_trial", _("Fair trial")
    EXPRESSION = "expression", _("Freedom of opinion and expression")
    ASSEMBLY = "assembly", _("Peaceful assembly")
    ASSOCIATION = "association", _("Freedom of association")
    PRIVACY = "privacy", _("Privacy")
    MOVEMENT = "movement", _("Freedom of movement")
    PARTICIPATION = "participation", _("Participation in public affairs")
    PROPERTY = "property", _("Property")
    WORK = "work", _("Work")
    OTHER = "other", _("Other")


class ReprisalBody(models.TextChoices):
    """Whom the defender cooperated with before the reprisal (para 8)."""

    HUMAN_RIGHTS_COUNCIL = "hrc", _("UN Human Rights Council")
    SPECIAL_PROCEDURES = "special_procedures", _("UN special procedures")
    TREATY_BODIES = "treaty_bodies", _("UN treaty bodies")
    UPR = "upr", _("Universal Periodic Review")
    OHCHR = "ohchr", _("OHCHR")
    OTHER_UN = "other_un", _("Other UN body")
    AFRICAN_COMMISSION = "achpr", _("African Commission on Human and Peoples' Rights")
    INTER_AMERICAN = "iachr", _("Inter-American Commission or Court")
    EUROPEAN = "european", _("European Court or Council of Europe")
    OTHER_REGIONAL = "other_regional", _("Other regional body")


class SourceType(models.TextChoices):
    VICTIM = "victim", _("The victim")
    FAMILY = "family", _("Family member")
    WITNESS = "witness", _("Witness")
    NGO = "ngo", _("Civil-society organisation")
    NHRI = "nhri", _("National human rights institution")
    MEDIA = "media", _("Media")
    OFFICIAL = "official", _("Official document")
    UN = "un", _("UN or regional body")
    SOCIAL_MEDIA = "social_media", _("Social media")
    OTHER = "other", _("Other")


class Reliability(models.TextChoices):
    RELIABLE = "reliable", _("Reliable")
    USUALLY_RELIABLE = "usually_reliable", _("Usually reliable")
    DOUBTFUL = "doubtful", _("Doubtful")
    UNKNOWN = "unknown", _("Not assessed")


RELIABLE_SOURCES = frozenset({Reliability.RELIABLE, Reliability.USUALLY_RELIABLE})


class Verification(models.TextChoices):
    REPORTED = "reported", _("Reported")
    UNDER_REVIEW = "under_review", _("Under review")
    VERIFIED = "verified", _("Verified")
    NOT_VERIFIED = "not_verified", _("Could not be verified")
    REJECTED = "rejected", _("Rejected")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSESSING = "assessing", _("Assessing")
    ACTIVE = "active", _("Active")
    MONITORING = "monitoring", _("Monitoring")
    CLOSED = "closed", _("Closed")


class CaseOutcome(models.TextChoices):
    RELEASED = "released", _("Released")
    PROTECTED = "protected", _("Protection measures granted")
    CHARGES_DROPPED = "charges_dropped", _("Charges dropped")
    REMEDY = "remedy", _("Remedy or redress obtained")
    RELOCATED = "relocated", _("Relocated")
    NO_FURTHER_ACTION = "no_further_action", _("No further action")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    EXTREME = "extreme", _("Extreme: life at risk")


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
