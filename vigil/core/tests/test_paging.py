"""A long list counts its rows only as far as it needs (core/paging.py): past the
cap, the case list says "more than N" and its pages run to there."""

import pytest
from django.urls import reverse
from django.utils import translation

from vigil.cases.tests import factories as make
from vigil.core import paging

pytestmark = pytest.mark.django_db


def test_the_case_list_counts_exactly_up_to_the_cap_and_says_more_past_it(
    client, alice, monkeypatch, django_assert_max_num_queries
):
    for n in range(7):
        make.case(alice, title=f"Case {n}", country="COL")
    client.force_login(alice)
    page = client.get(reverse("cases:case_list")).content.decode()
    assert "7 cases" in page and "More than" not in page

    monkeypatch.setattr(paging, "COUNT_UP_TO", 5)
    monkeypatch.setattr("vigil.cases.selectors.PAGE_SIZE", 2)
    page = client.get(reverse("cases:case_list")).content.decode()
    assert "More than 5 cases" in page and "7 cases" not in page
    assert "Page 1</span>" in page and "Page 1 of" not in page
    last = client.get(reverse("cases:case_list") + "?page=99").content.decode()
    assert "Page 3</span>" in last  # the pages run to the cap (6 rows counted, 2 a page)
    with translation.override("fr"):
        page = client.get(reverse("cases:case_list"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Plus de 5 dossiers" in page


def test_a_capped_count_stops_counting_at_the_cap(alice):
    from vigil.cases.models import Case

    for n in range(4):
        make.case(alice, title=f"Case {n}", country="COL")
    paginator = paging.CappedPaginator(Case.objects.order_by("pk"), 2, cap=2)
    assert paginator.count == 3 and paginator.capped  # counted to the cap and one more
    exact = paging.CappedPaginator(Case.objects.order_by("pk"), 2, cap=10)
    assert exact.count == 4 and not exact.capped
