"""The rooms and what each may import, read from the source.

Each app's `__init__.py` docstring says what the app owns and ends with the rooms it
may import ("May import: core, vault."). These tests hold the docstrings to the code,
in both directions: an app that imports a room its docstring does not name fails,
and so does a docstring that names a room the app no longer imports, so that what a
newcomer reads is what the code does. Lazy imports inside functions count too. Tests
and migrations are left out (migrations are history; tests may reach anywhere).
"""

import ast
import re
from pathlib import Path

import pytest

import vigil

ROOT = Path(vigil.__file__).parent
APPS = sorted(p.parent.name for p in ROOT.glob("*/apps.py"))
WHOLE_SYSTEM = {"routes", "urls", "settings", "wsgi"}  # top-level modules, above every app


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "vigil":
            names.update(f"vigil.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def modules_of(app: str) -> list[Path]:
    return [
        path
        for path in (ROOT / app).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def rooms_imported(app: str) -> dict[str, set[str]]:
    """The other Vigil modules `app` imports: {room: {module that imports it, ...}}."""
    found: dict[str, set[str]] = {}
    for path in modules_of(app):
        for name in imported_modules(path):
            if name.startswith("vigil.") and name.split(".")[1] != app:
                found.setdefault(name.split(".")[1], set()).add(str(path.relative_to(ROOT)))
    return found


def declared(app: str) -> set[str]:
    doc = ast.get_docstring(ast.parse((ROOT / app / "__init__.py").read_text())) or ""
    match = re.search(r"^May import: (.+?)\.(?:\s|$)", doc, re.M | re.S)
    assert match, f"vigil/{app}/__init__.py does not say what it may import"
    text = " ".join(match.group(1).split())
    return set() if text == "no other Vigil app" else {r.strip() for r in text.split(",")}


@pytest.mark.parametrize("app", APPS)
def test_each_app_imports_exactly_the_rooms_its_docstring_names(app):
    doc = ast.get_docstring(ast.parse((ROOT / app / "__init__.py").read_text())) or ""
    assert len(doc.split()) >= 15, f"vigil/{app}/__init__.py does not say what it owns"
    imported = rooms_imported(app)
    undeclared = {room: where for room, where in imported.items() if room not in declared(app)}
    assert undeclared == {}, f"{app} imports rooms its docstring does not name"
    assert declared(app) <= set(imported), f"{app}'s docstring names rooms it does not import"


def test_the_bottom_rooms_stay_at_the_bottom():
    """Loosening a docstring is not enough to let the vault or core reach up."""
    assert declared("vault") == set()
    assert declared("core") == {"vault"}
    assert declared("backups") == {"core", "vault"}


def test_no_app_imports_the_reports_or_the_whole_system_modules():
    for app in APPS:
        reaching = set(rooms_imported(app)) & ({"reports"} | WHOLE_SYSTEM)
        assert reaching <= ({"reports"} if app == "reports" else set()), app


def test_the_resolution_parser_imports_no_django_and_no_vigil_app():
    for path in (ROOT / "library" / "parsing").glob("*.py"):
        for name in imported_modules(path):
            assert not name.startswith("django"), path.name
            assert not name.startswith("vigil.") or name.startswith("vigil.library.parsing")


def test_the_16_10_1_categories_import_only_the_case_vocabularies():
    """Case pages import them, so they must not import the counting code."""
    path = ROOT / "stats" / "sdg16101" / "categories.py"
    vigil_names = {n for n in imported_modules(path) if n.startswith("vigil.")}
    assert vigil_names == {"vigil.cases.vocabularies"}


def test_desk_modules_are_under_desk_and_public_modules_at_the_root():
    """The naming rule of docs/architecture.md: `urls` serve the desk, `public_urls`
    the public site (the public app's own `urls` is the home page), and a public URL
    module reaches only its app's `public_views`."""
    from django.urls import URLResolver, get_resolver

    included = [
        (str(entry.pattern), entry.urlconf_name.__name__)
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and hasattr(entry.urlconf_name, "__name__")
    ]
    assert included, "the URLconf includes no app"
    for prefix, module in included:
        if module.endswith(".public_urls") or module == "vigil.public.urls":
            assert prefix == "", module
        elif module.startswith("vigil."):
            assert prefix == "desk/", module
    for path in ROOT.glob("*/public_urls.py"):
        app = path.parent.name
        views = {n for n in imported_modules(path) if n.startswith("vigil.")}
        assert views <= {f"vigil.{app}", f"vigil.{app}.public_views"}, path
        assert "public_views" in path.read_text(), path
