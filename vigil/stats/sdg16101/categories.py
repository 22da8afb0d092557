"""The categories of SDG indicator 16.10.1 and which violation type counts in which.

Case pages and the case list show and filter by these categories, so this module
imports nothing but the case vocabularies: the cases app may import it without
importing the counting code (`counting.py`), which reads the case records.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from vigil.cases.vocabularies import ViolationType


class SdgCategory(models.TextChoices):
    """The six violation categories of SDG indicator 16.10.1."""

    KILLING = "killing", _("Killing")
    ENFORCED_DISAPPEARANCE = "enforced_disappearance", _("Enforced disappearance")
    TORTURE = "torture", _("Torture")
    ARBITRARY_DETENTION = "arbitrary_detention", _("Arbitrary detention")
    KIDNAPPING = "kidnapping", _("Kidnapping")
    OTHER_HARMFUL_ACTS = "other_harmful_acts", _("Other harmful acts")


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


def violation_types_in(category: SdgCategory) -> list[str]:
    return [v.value for v, c in SDG_CATEGORY_OF.items() if c == category]


class VictimCategory(models.TextChoices):
    """The victim categories of SDG indicator 16.10.1; one person may be several."""

    HUMAN_RIGHTS_DEFENDER = "hrd", _("Human rights defender")
    JOURNALIST = "journalist", _("Journalist or associated media personnel")
    TRADE_UNIONIST = "trade_unionist", _("Trade unionist")
