"""The vocabularies of case documentation (the HURIDOCS events model): violation
types, defender and victim attributes, perpetrators, sources and their reliability,
verification, case status and outcome, priority and risk.

Counted lists are code with translated labels, never rows an administrator can
mistype. The SDG indicator 16.10.1 categories and which violation type counts in
which live beside their counting code, in `stats/sdg16101/categories.py`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


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


# Violations that deprive a person of liberty: the act records dates, place,
# charges and the laws invoked (resolution para 9).
DEPRIVATION_OF_LIBERTY = frozenset(
    {
        ViolationType.ARBITRARY_DETENTION,
        ViolationType.ENFORCED_DISAPPEARANCE,
        ViolationType.KIDNAPPING,
    }
)


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
