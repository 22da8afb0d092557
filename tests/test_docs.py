"""The docs point at code that exists: every path they name in backticks
(`stats/sdg16101/counting.py`, `tests/adversary/test_logs.py::test_...`) is a file
of the project, and every test they cite by name is defined in that file. A move
that leaves a doc behind fails here, so the README and docs/ stay a map a newcomer
can follow."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Where a path in the docs may be written from: the project, the package, templates.
BASES = [ROOT, ROOT / "vigil", ROOT / "templates", ROOT / "docs"]
TOP = {p.name for p in ROOT.iterdir() if p.is_dir()} | {
    p.name for p in (ROOT / "vigil").iterdir() if p.is_dir()
}
CITED = re.compile(r"`([A-Za-z0-9_./-]+/[A-Za-z0-9_.-]+\.(?:py|html|md|toml|css|sh))(?:::(\w+))?`")


def cited(doc: Path) -> list[tuple[str, str | None]]:
    found = []
    for path, test in CITED.findall(doc.read_text(encoding="utf-8")):
        if path.split("/")[0] in TOP:  # not an archive's member name or a URL
            found.append((path, test or None))
    return found


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_every_path_and_test_the_docs_name_exists(doc):
    missing = []
    for path, test in cited(doc):
        files = [base / path for base in BASES if (base / path).is_file()]
        if not files:
            missing.append(path)
        elif test and not re.search(rf"def {test}\b", files[0].read_text(encoding="utf-8")):
            missing.append(f"{path}::{test}")
    assert missing == [], f"{doc.name} names what does not exist"


def test_the_docs_do_cite_paths():
    """The check above would pass on docs that cite nothing; these do cite."""
    assert sum(len(cited(doc)) for doc in DOCS) > 100
