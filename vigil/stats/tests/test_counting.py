"""Every breakdown of the dashboard on records built by hand, with cases (the
`records` fixture of conftest.py): acts, victims and cases counted bucket by bucket,
each bucket's filter selecting exactly its acts."""

import pytest

from vigil.cases.selectors import CaseFilter
from vigil.stats import freshness, selectors
from vigil.stats.tests.builders import counted

pytestmark = pytest.mark.django_db


# (acts, victims, cases) per bucket; the buckets not listed count nothing.
EXPECTED = {
    "year": {"2024": (2, 1, 1), "2025": (3, 3, 2)},
    "sdg_category": {
        "torture": (1, 1, 1), "other_harmful_acts": (2, 2, 2), "killing": (1, 1, 1),
        "arbitrary_detention": (1, 1, 0),
    },
    "violation": {
        "torture": (1, 1, 1), "threats": (1, 1, 1), "killing": (1, 1, 1), "raid": (1, 1, 2),
        "arbitrary_detention": (1, 1, 0),
    },
    "region": {
        "latin_american_caribbean": (3, 2, 1), "african": (1, 1, 2), "asia_pacific": (1, 1, 0),
    },
    "country": {"COL": (3, 2, 1), "KEN": (1, 1, 2), "PHL": (1, 1, 0)},
    "victim_category": {"hrd": (4, 3, 2), "journalist": (2, 1, 1), "trade_unionist": (1, 1, 0)},
    "sex": {"woman": (3, 2, 1), "man": (1, 1, 1)},  # people only: C is an organisation
    "focus_group": {"business": (2, 1, 1), "environment": (1, 1, 2)},
    "perpetrator": {"state": (3, 2, 1), "business": (1, 1, 1), "armed_group": (1, 1, 2)},
    "flags": {"business": (2, 1, 1), "reprisal": (2, 2, 1), "all": (5, 4, 2)},
}  # fmt: skip


def test_every_breakdown_counts_acts_victims_and_cases(dave, records):
    found = freshness.dashboard(dave, CaseFilter())
    assert set(found) == set(EXPECTED)
    for name, expected in EXPECTED.items():
        assert counted(found[name]) == expected, name


def test_each_bucket_filters_exactly_the_acts_it_counts(dave, records):
    for name, breakdown in freshness.dashboard(dave, CaseFilter()).items():
        for bucket in breakdown.buckets:
            behind = selectors.filtered_acts(dave, CaseFilter(**bucket.filters))
            assert behind.count() == bucket.acts, (name, bucket.key)


def test_the_breakdowns_follow_the_filters_and_the_readers_countries(dave, alice, bob, records):
    africa = freshness.dashboard(dave, CaseFilter(region="african"))
    assert counted(africa["flags"]) == {"all": (1, 1, 2)}
    reprisals = freshness.dashboard(dave, CaseFilter(reprisal=True))
    assert counted(reprisals["country"]) == {"COL": (1, 1, 1), "PHL": (1, 1, 0)}
    # Alice covers Colombia and the Philippines, Bob Kenya (the root conftest).
    assert counted(freshness.dashboard(alice, CaseFilter())["country"]) == {
        "COL": (3, 2, 1), "PHL": (1, 1, 0),
    }  # fmt: skip
    assert counted(freshness.dashboard(bob, CaseFilter())["flags"]) == {"all": (1, 1, 2)}
