"""The vault is the bottom room: it imports no other Vigil app, and core imports
no app but the vault; backups imports only those two (the tables of the others it
finds through the app registry). Read from the source, so that a lazy import inside a
function counts too."""

import ast
from pathlib import Path

import vigil

ROOT = Path(vigil.__file__).parent


def vigil_imports(package: str) -> dict[str, set[str]]:
    """Each module of `package` (tests left out) and the Vigil apps it imports."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[str(path.relative_to(ROOT))] = {
            name.split(".")[1] for name in names if name.startswith("vigil.")
        }
    return found


def test_the_vault_imports_no_other_vigil_app():
    reaching = {module: apps - {"vault"} for module, apps in vigil_imports("vault").items()}
    assert {m: a for m, a in reaching.items() if a} == {}


def test_backups_imports_no_app_but_core_and_the_vault():
    reaching = {
        module: apps - {"backups", "core", "vault"}
        for module, apps in vigil_imports("backups").items()
    }
    assert {m: a for m, a in reaching.items() if a} == {}


def test_core_imports_no_app_but_the_vault():
    reaching = {
        module: apps - {"core", "vault"}
        for module, apps in vigil_imports("core").items()
    }
    assert {m: a for m, a in reaching.items() if a} == {}
