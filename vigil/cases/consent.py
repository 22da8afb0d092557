"""Consent: whose name may reach whom, and how a person is described otherwise.

A defender's name appears outside the desk only when the consent for that reader is
recorded on the defender (`Defender.consent_share_state`, `consent_share_business`,
`consent_publish`). Otherwise the person is described ("a woman human rights
defender from Colombia"), and `Withholder` replaces every occurrence of their name
or other names in free text by that description. Every exit uses this module:
letters and their public page (communications/letters.py), the reports
(reports/reprisals.py, reports/communications.py) and the search index of published
letters. What it cannot catch, a name misspelt or a nickname not recorded among the
defender's other names, is why the desk shows a letter before it is approved.

It imports only the cases app's own models and selectors.
"""

import re
import unicodedata
from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext as _

from vigil.cases.models import Defender
from vigil.cases.selectors import OTHER_COUNTRY
from vigil.cases.vocabularies import DefenderKind
from vigil.core.vocabularies import country_name

NAME_PART_MIN = 3  # shorter parts of a name ("Li", "de") are not withheld on their own


class Audience(models.TextChoices):
    """Who reads a text. STATE, BUSINESS and OTHER are the addressee kinds of letters
    (communications.AddresseeKind has the same values); PUBLIC is a published letter,
    a report, the public site."""

    PUBLIC = "public"
    STATE = "state"
    BUSINESS = "business"
    OTHER = "other"


PUBLIC = Audience.PUBLIC


def may_name(defender: Defender, audience: str) -> bool:
    """Whether `defender`'s name may reach `audience` (an `Audience`, or an addressee
    kind, whose values are the same). Only a consent recorded on the defender names
    them; anyone else (a company, another non-State actor) needs the consent to share
    with business enterprises, the narrowest."""
    if audience == Audience.PUBLIC:
        return defender.consent_publish
    if audience == Audience.STATE:
        return defender.consent_share_state
    return defender.consent_share_business


def describe(defender: Defender) -> str:
    """The person without their name: what they are and where they work."""
    values = {"country": country_name(defender.country)}
    if defender.kind == DefenderKind.ORGANISATION:
        return _("an organisation defending human rights in %(country)s") % values
    if defender.kind == DefenderKind.GROUP:
        return _("a community defending human rights in %(country)s") % values
    woman = defender.is_woman_defender
    if defender.is_journalist:
        text = (
            _("a woman journalist from %(country)s")
            if woman
            else _("a journalist from %(country)s")
        )
    elif defender.is_trade_unionist:
        text = (
            _("a woman trade unionist from %(country)s")
            if woman
            else _("a trade unionist from %(country)s")
        )
    elif woman:
        text = _("a woman human rights defender from %(country)s")
    else:
        text = _("a human rights defender from %(country)s")
    return text % values


def fold(text: str) -> str:
    """`text` for comparing names: each character lowercased and stripped of its
    accents, one character for one (so positions in the folded text are positions in
    the text): "Pérez" and "PEREZ" fold alike, and so do "İlknur" and "Ilknur"."""
    folded = []
    for char in text:
        base = unicodedata.normalize("NFD", char)[0]
        lower = base.lower()
        folded.append(lower if len(lower) == 1 else base)
    return "".join(folded)


class Withholder:
    """Replaces the names of the people who may not be named for an audience.

    Names are matched whole-word, ignoring case and accents, longest first: a full
    name or an alias, then each part of it of NAME_PART_MIN letters or more (split at
    spaces, hyphens, apostrophes and other punctuation).
    """

    def __init__(
        self, defenders: Iterable[Defender], audience: str, hidden: frozenset[int] = frozenset()
    ) -> None:
        labels: dict[str, str] = {}
        self.withheld: list[Defender] = []
        for defender in defenders:
            if defender.pk not in hidden and may_name(defender, audience):
                continue
            self.withheld.append(defender)
            label = f"[{OTHER_COUNTRY if defender.pk in hidden else describe(defender)}]"
            names = [
                unicodedata.normalize("NFC", n) for n in [defender.name, *defender.alias_list()]
            ]
            parts = {part for name in names for part in re.split(r"[\W_]+", name)}
            for spelling in [*names, *parts]:
                spelling = spelling.strip()
                if len(spelling) >= NAME_PART_MIN:
                    labels.setdefault(fold(spelling), label)
        self._labels = labels
        alternatives = sorted(labels, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<!\w)(" + "|".join(re.escape(a) for a in alternatives) + r")(?!\w)")
            if alternatives
            else None
        )

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        text = unicodedata.normalize("NFC", text)
        pieces, last = [], 0
        for match in self._pattern.finditer(fold(text)):
            pieces += [text[last : match.start()], self._labels[match.group(0)]]
            last = match.end()
        result = "".join([*pieces, text[last:]])
        # "[a journalist] [a journalist]" where a first and a last name stood apart.
        return re.sub(r"(\[[^\]]+\])(\s+\1)+", r"\1", result)
