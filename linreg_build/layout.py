"""Where things are. Every other module takes its paths and languages from here."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
LOCALE = SNIPPETS / "locale"           # translation catalogues of the code comments
CACHE = ROOT / ".cache"                # everything generated; `rm -rf .cache` starts afresh
LANGS = ["zh", "en"]                   # the first is the default language, served at /
BENCHMARKS = {"scale"}                 # snippets whose output is timings: they run alone


def page_snippets() -> list[Path]:
    """Snippets that are pages' code; files starting with _ are helpers they import."""
    return sorted(p for p in SNIPPETS.glob("*.py") if not p.name.startswith("_"))


def notebook_pages() -> list[str]:
    """Pages that are also executed notebooks: the `notebooks/<page>.ipynb` entries of the nav."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    return re.findall(r"^\s*-\s*notebooks/(\w+)\.ipynb\s*$", text, re.M)
