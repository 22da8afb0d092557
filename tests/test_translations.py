"""Every string a person reads is translated, and the catalogs are complete."""

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from conftest import manage_env, run_manage

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def catalog(language: str):
    from django.utils.translation import to_locale

    folder = to_locale(language)  # "zh-hans" lives in locale/zh_Hans
    with open(ROOT / "locale" / folder / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po)


def message_ids(language: str) -> set[str]:
    return {str(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog(language) if m.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    untranslated = [
        m.id
        for m in catalog(language)
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_holds_the_same_messages(language):
    # Checked against the code for Dutch below; every other catalog must match it.
    assert message_ids(language) == message_ids("nl")


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]")
    for message in catalog(language):
        if not message.id or isinstance(message.id, tuple):
            continue
        assert sorted(placeholder.findall(message.string)) == sorted(
            placeholder.findall(message.id)
        ), message.id


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
@pytest.mark.slow  # runs makemessages over the whole code
def test_the_catalogs_hold_every_string_marked_in_the_code(tmp_path):
    # Extract afresh into a copy of the project and compare with what is committed.
    for part in ("vigil", "templates", "locale", "manage.py"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / part)
    result = run_manage(
        "makemessages",
        "--no-location",
        "-l",
        "nl",
        env=manage_env(tmp_path / "var", VIGIL_DEBUG="1"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "locale/nl/LC_MESSAGES/django.po", "rb") as po:
        fresh = {str(m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(po) if m.id}
    missing = fresh - message_ids("nl")
    assert missing == set(), "run `make makemessages` and translate the new strings"
    stale = message_ids("nl") - fresh
    assert stale == set(), "run `make makemessages` to drop strings the code no longer uses"


TEMPLATE_TAGS = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}|<!--.*?-->", re.S)
BLOCK_TRANSLATE = re.compile(r"{%\s*blocktranslate.*?%}.*?{%\s*endblocktranslate\s*%}", re.S)
HTML_TAG = re.compile(r"<[^>]*>", re.S)
LETTER = re.compile(r"[^\W\d_]")
# Words that are the same in every language (the product's name).
ALLOWED = re.compile(r"\bVigil\b")


def untranslated_text(template_source: str) -> list[str]:
    text = BLOCK_TRANSLATE.sub(" ", template_source)
    text = TEMPLATE_TAGS.sub(" ", text)
    text = HTML_TAG.sub("\n", text)
    chunks = [chunk.strip() for chunk in text.splitlines()]
    return [c for c in chunks if LETTER.search(ALLOWED.sub("", c))]


def test_no_template_shows_text_outside_translate_tags():
    offenders = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        found = untranslated_text(path.read_text())
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_the_template_check_catches_a_bare_string():
    assert untranslated_text("<p>Hello there</p>") == ["Hello there"]
    assert untranslated_text("<p>{% translate 'Hello' %}</p>") == []
    assert untranslated_text('<a title="x">{{ name }}</a> Vigil') == []


def test_no_template_loads_anything_from_another_host():
    foreign = re.compile(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//""", re.I)
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if foreign.search(path.read_text())
    ]
    assert offenders == []
    css = (ROOT / "static/css/vigil.css").read_text()
    assert "url(" not in css and "@import" not in css
