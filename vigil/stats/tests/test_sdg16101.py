"""SDG 16.10.1 on a dataset built by hand, with the awkward cases, cell by cell."""

from datetime import date
from pathlib import Path

import pytest
from django.utils import translation

from vigil.stats.sdg16101 import counting

pytestmark = pytest.mark.django_db

START, END = date(2025, 1, 1), date(2025, 12, 31)  # the dataset's year (conftest)

LAC, AFRICA, ASIA = "region:latin_american_caribbean", "region:african", "region:asia_pacific"
EXPECTED = {
    "killing": {},
    "enforced_disappearance": {
        "total": 1, "victim:hrd": 1, "sex:man": 1, "perpetrator:unknown": 1, LAC: 1, AFRICA: 1,
    },
    "torture": {
        "total": 1, "victim:hrd": 1, "victim:journalist": 1, "sex:woman": 1,
        "perpetrator:state": 1, LAC: 1,
    },
    "arbitrary_detention": {  # detained twice: one case
        "total": 1, "victim:hrd": 1, "victim:journalist": 1, "sex:woman": 1,
        "perpetrator:state": 1, LAC: 1,
    },
    "kidnapping": {
        "total": 1, "victim:trade_unionist": 1, "sex:man": 1, "perpetrator:armed_group": 1,
        AFRICA: 1,
    },
    "other_harmful_acts": {
        "total": 1, "victim:hrd": 1, "sex:woman": 1, "perpetrator:state": 1,
        "perpetrator:business": 1, ASIA: 1,
    },
    "all": {
        "total": 5, "victim:hrd": 4, "victim:journalist": 2, "victim:trade_unionist": 1,
        "sex:woman": 3, "sex:man": 2, "perpetrator:state": 3, "perpetrator:business": 1,
        "perpetrator:armed_group": 1, "perpetrator:unknown": 1, LAC: 3, AFRICA: 2, ASIA: 1,
    },
}  # fmt: skip


def test_every_cell_of_the_table_follows_the_counting_rules(dataset):
    table = counting.table(START, END)
    keys = [column.key for column in table.columns]
    assert [row.key for row in table.rows] == [
        "killing", "enforced_disappearance", "torture", "arbitrary_detention", "kidnapping",
        "other_harmful_acts", "all",
    ]  # fmt: skip
    for row in table.rows:
        expected = EXPECTED[row.key]
        assert {key: row.get(key) for key in keys} == {key: expected.get(key, 0) for key in keys}, (
            row.key
        )


def test_sex_adds_up_to_the_total_and_the_countries_count_each_place(dataset):
    table = counting.table(START, END)
    for row in table.rows:
        assert sum(row.get(f"sex:{s}") for s in ("woman", "man", "non_binary", "unknown")) == (
            row.get("total")
        )
    countries = {row.key: row.cells for row in table.countries}
    assert countries == {
        "COL": {"total": 3, "enforced_disappearance": 1, "torture": 1, "arbitrary_detention": 1},
        "KEN": {"total": 2, "enforced_disappearance": 1, "kidnapping": 1},
        "PHL": {"total": 1, "other_harmful_acts": 1},
    }


def test_the_period_decides_and_a_scope_limits(dataset):
    earlier = counting.table(date(2024, 1, 1), date(2024, 12, 31))
    assert earlier.total.get("total") == 1  # D's threats of December 2024
    from vigil.cases.models import Act

    kenya = counting.table(START, END, Act.objects.filter(incident__country="KEN"))
    assert kenya.total.get("total") == 2


@pytest.mark.slow  # about 6 s
def test_build_report_sdg16101_writes_the_table_in_every_format(dataset, tmp_path):
    import io

    from django.core.management import call_command
    from docx import Document
    from pypdf import PdfReader

    texts = {}
    for fmt in ("pdf", "docx", "html"):
        output = tmp_path / f"sdg.{fmt}"
        err = io.StringIO()
        call_command(
            "build_report", "sdg16101", "--from", "2025-01-01", "--to", "2025-12-31",
            "--format", fmt, "--output", str(output), stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
        assert "100%" in err.getvalue()
        if fmt == "pdf":
            texts[fmt] = " ".join(p.extract_text() for p in PdfReader(str(output)).pages)
        elif fmt == "docx":
            document = Document(str(output))
            cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
            texts[fmt] = "\n".join([*(p.text for p in document.paragraphs), *cells])
        else:
            texts[fmt] = output.read_text()
    for fmt, text in texts.items():
        text = " ".join(text.split())
        assert "SDG indicator 16.10.1" in text, fmt
        assert "Arbitrary detention" in text and "All categories" in text, fmt
        assert "Only verified acts count" in text, fmt
    # The total cases of the year (5) in the DOCX's total row, first column.
    document = Document(str(tmp_path / "sdg.docx"))
    total_row = [c.text for c in document.tables[0].rows[-1].cells]
    assert total_row[:3] == ["All categories", "5", "4"]  # total, human rights defenders
    # The chart beside the table: a picture in Word, text in the SVG of the HTML.
    assert len(document.inline_shapes) == 1
    assert "Verified cases by category" in texts["html"]
    html = (tmp_path / "sdg.html").read_text()
    assert html.count("<svg") == 1 and "Enforced disappearance" in html.split("<svg")[1]


def _killing(carol, name, **victim_fields):
    from vigil.cases.tests import factories as make
    from vigil.cases.vocabularies import ViolationType

    victim = make.defender(carol, name=name, sex_gender="woman", **victim_fields)
    return victim, ViolationType.KILLING


def test_an_act_verified_on_fewer_than_two_reliable_sources_does_not_count(dataset, carol):
    from vigil.cases.tests import factories as make
    from vigil.cases.vocabularies import Reliability
    from vigil.stats.tests.builders import verified

    # G: killed, "verified" by the desk on one source: not a verified case.
    victim, killing = _killing(carol, "G")
    verified(carol, victim, killing, date(2025, 6, 1), sources=1)
    # H: killed, two sources linked and counted independent, one of them doubtful.
    victim, killing = _killing(carol, "H")
    act = verified(carol, victim, killing, date(2025, 6, 2), verify=False)
    make.source(carol, incident=act.incident, acts=[act], name="One")
    make.source(
        carol, incident=act.incident, acts=[act], name="Two", reliability=Reliability.DOUBTFUL
    )
    from vigil.cases import services

    act.refresh_from_db()
    services.act_set_verification(
        actor=carol, act=act, version=act.version, verification="verified", independent_sources=2
    )
    table = counting.table(START, END)
    assert table.rows[0].key == "killing" and table.rows[0].cells == {}
    assert table.total.get("total") == 5
    # I: killed, verified on two reliable sources: counts.
    victim, killing = _killing(carol, "I")
    verified(carol, victim, killing, date(2025, 6, 3))
    assert counting.table(START, END).rows[0].get("total") == 1


def test_a_desk_may_ask_for_more_sources_but_the_setting_refuses_fewer_than_two(
    dataset, settings, tmp_path
):
    settings.SDG_MIN_SOURCES = 3  # every act of the dataset has two sources
    assert counting.table(START, END).total.get("total") == 0
    from conftest import manage_env, run_manage

    env = manage_env(tmp_path, VIGIL_DEBUG="1", VIGIL_SDG_MIN_SOURCES="1")
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(
            "django.core.exceptions.ImproperlyConfigured: VIGIL_SDG_MIN_SOURCES must be a whole "
            "number of at least 2"
        )
    )


def test_a_victim_in_none_of_the_indicator_s_categories_does_not_count(dataset, carol):
    from vigil.stats.tests.builders import verified

    # J: a woman killed, neither defender, journalist nor trade unionist.
    victim, killing = _killing(
        carol, "J", is_hrd=False, is_journalist=False, is_trade_unionist=False
    )
    verified(carol, victim, killing, date(2025, 6, 4))
    table = counting.table(START, END)
    assert table.rows[0].get("total") == 0 and table.total.get("total") == 5
    from vigil.stats import public

    assert public.published().sdg_by_sex(2025).grand_total == 5


def test_the_docs_list_the_seven_counting_rules_word_for_word(settings):
    """The rules are written once (`counting.rules`); docs/statistics.md repeats them."""
    settings.SDG_MIN_SOURCES = 2
    docs = (Path(settings.BASE_DIR) / "docs" / "statistics.md").read_text(encoding="utf-8")
    with translation.override("en"):
        rules = counting.rules()
    assert len(rules) == 7
    for number, rule in enumerate(rules, start=1):
        assert f"{number}. {rule}\n" in docs, f"rule {number} is not in the docs as written"
