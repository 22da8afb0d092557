"""import_resolution: the JSON it prints, what it stores, and what a failure leaves."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from vigil.core.models import AuditEntry
from vigil.library.models import Paragraph, ParagraphText, Resolution, Version
from vigil.library.tests.test_parsing import PLAIN, SEED

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_file():
    return str(SEED)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_resolution", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_prints_the_structure_as_json_and_stores_nothing(seed_file):
    out, err = run(seed_file, "--dry-run", "--format", "json", "--status", "nl=machine")
    data = json.loads(out)
    assert data["symbol"] == "A/RES/72/247"
    assert [(v["language"], v["status"]) for v in data["versions"]] == [
        ("en", "official"), ("nl", "machine"),
    ]  # fmt: skip
    paragraph_16 = data["versions"][0]["operative"][15]
    assert paragraph_16["number"] == 16 and paragraph_16["lead_verb"] == "Requests"
    assert paragraph_16["cites"] == ["62/152", "64/163", "66/164", "68/181", "70/161"]
    assert "preambular paragraphs" in err  # the Dutch one lost a paragraph break
    assert not Resolution.objects.exists()


def test_an_import_stores_aligned_versions_and_a_second_one_keeps_the_paragraphs(seed_file):
    out, _err = run(seed_file, "--status", "nl=machine")
    assert "Imported A/RES/72/247." in out
    resolution = Resolution.objects.get()
    assert list(resolution.versions.values_list("language", "status")) == [
        ("en", "official"), ("nl", "machine"),
    ]  # fmt: skip
    paragraph_15 = Paragraph.objects.get(resolution=resolution, kind="operative", number=15)
    texts = {t.version.language: t for t in paragraph_15.texts.select_related("version")}
    assert texts["en"].lead_verb == "Encourages"
    assert texts["nl"].text.startswith("Moedigt")
    ids = set(Paragraph.objects.values_list("pk", flat=True))
    run(seed_file, "--status", "nl=machine")
    assert set(Paragraph.objects.values_list("pk", flat=True)) == ids
    assert Version.objects.count() == 2
    assert ParagraphText.objects.filter(version__language="en").count() == 38  # 18 + 20
    assert AuditEntry.objects.filter(action="library.reimported").count() == 1


def test_a_file_that_is_not_a_resolution_changes_nothing(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(PLAIN)
    run(str(good))
    before = (Resolution.objects.count(), ParagraphText.objects.count())
    bad = tmp_path / "minutes.txt"
    bad.write_text("Minutes of the meeting\n\nNothing was decided.\n")
    with pytest.raises(CommandError, match="does not look like a resolution"):
        run(str(bad))
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "missing.txt"))
    with pytest.raises(CommandError, match="LANGUAGE=STATUS"):
        run(str(good), "--status", "nl=maybe")
    assert (Resolution.objects.count(), ParagraphText.objects.count()) == before


def test_a_corrected_text_with_a_new_paragraph_keeps_links_on_their_numbers(tmp_path):
    from vigil.library import parsing, services

    services.resolution_import(parsing.parse(PLAIN))
    third = Paragraph.objects.get(kind="operative", number=3)
    corrected = PLAIN.replace(
        "4. Decides to remain seized of the question.",
        "4. Requests a report.\n\n5. Decides to remain seized of the question.",
    )
    services.resolution_import(parsing.parse(corrected))
    third.refresh_from_db()
    assert third.number == 3
    assert third.texts.get().text == "Further encourages States to publish their laws;"
    numbers = list(
        Paragraph.objects.filter(kind="operative")
        .order_by("position")
        .values_list("number", flat=True)
    )
    assert numbers == [1, 2, 3, 4, 5]
    assert Paragraph.objects.get(number=5).texts.get().lead_verb == "Decides"
