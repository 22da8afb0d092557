"""The language comes from the address or the switcher, is kept in one first-party
cookie, and Arabic pages are laid out right to left."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

UN_LANGUAGES = {"ar", "zh-hans", "en", "fr", "ru", "es"}


def test_the_six_un_languages_and_dutch_are_offered_on_every_page(client):
    assert {code for code, _name in settings.LANGUAGES} == UN_LANGUAGES | {"nl"}
    page = client.get("/").content.decode()
    for code in UN_LANGUAGES | {"nl"}:
        assert f'<option value="{code}" lang="{code}"' in page


@pytest.mark.parametrize(("code", "direction"), [("ar", "rtl"), ("zh-hans", "ltr"), ("ru", "ltr")])
def test_the_address_chooses_the_language_and_it_is_remembered(client, code, direction):
    first = client.get("/submit/", {"lang": code})
    assert f'<html lang="{code}" dir="{direction}">' in first.content.decode()
    cookie = first.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == code and cookie["httponly"] and cookie["samesite"] == "Lax"
    later = client.get("/submit/follow-up/")  # no parameter: the cookie keeps the choice
    assert f'<html lang="{code}"' in later.content.decode()


def test_an_unknown_language_in_the_address_changes_nothing(client):
    response = client.get("/", {"lang": "xx"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr"' in response.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_public_pages_name_countries_in_the_readers_language(client):
    page = client.get("/submit/", {"lang": "ar"}).content.decode()
    assert "كولومبيا" in page  # Colombia, in the country list of the form
    page = client.get("/submit/", {"lang": "zh-hans"}).content.decode()
    assert "哥伦比亚" in page


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("zh-hans", "ltr")])
@pytest.mark.slow  # a PDF per language, laid out
def test_reports_are_written_and_laid_out_in_the_readers_language(language, direction):
    import io
    from datetime import date

    from django.utils import translation
    from pypdf import PdfReader

    from vigil.reports import registry as reports

    with translation.override(language):
        heading = translation.gettext("How these cases are counted")
    assert heading != "How these cases are counted"
    period = {"start": date(2025, 1, 1), "end": date(2025, 12, 31)}
    html = reports.build("sdg16101", fmt="html", language=language, **period).content.decode()
    assert f'lang="{language}" dir="{direction}"' in html
    assert heading in html
    pdf = reports.build("sdg16101", fmt="pdf", language=language, **period).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    if language == "zh-hans":  # the glyphs are in the PDF, read back as Chinese
        assert "".join(heading.split()) in "".join(text.split())


@pytest.mark.parametrize(("language", "woman", "killing"), [("fr", "Femme", "Meurtre")])
def test_csv_headers_and_vocabularies_follow_the_language(client, language, woman, killing):
    from django.utils import translation

    with translation.override(language):
        assert translation.gettext("Woman") == woman
    client.get("/statistics/", {"lang": language})
    csv = client.get("/statistics/sdg_by_sex.csv", {"year": 2025}).content.decode("utf-8-sig")
    header, first = csv.splitlines()[:2]
    assert woman in header.split(",") and first.startswith(killing)
    client.get("/statistics/", {"lang": "ar"})
    arabic = client.get("/statistics/sdg_by_sex.csv", {"year": 2025}).content.decode("utf-8-sig")
    assert "Woman" not in arabic and "Killing" not in arabic


def test_charts_have_the_glyphs_of_chinese_and_arabic_labels():
    import warnings

    from vigil.stats.charts import Chart

    chart = Chart(
        title="按地区划分的行为", labels=["非洲国家组", "الاحتجاز التعسفي"], values=[3, 5]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = chart.png()
        svg = chart.svg()
    assert png.startswith(b"\x89PNG") and "非洲国家组" in svg  # SVG keeps the text as text
    assert not [w for w in caught if "missing from font" in str(w.message)]
