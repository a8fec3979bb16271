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


def copy_repository(target: Path, cache: bool = False) -> None:
    """A working copy of the repository in `target` (tracked and untracked files, as git lists them;
    node_modules and .venv linked, .cache copied only if `cache`): for the cache test and the benchmark,
    which edit files and must not disturb this checkout or a `mkdocs serve` running in it."""
    import shutil
    import subprocess

    git = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, text=True)
    skipped = {".git", ".venv", "node_modules", ".cache", "site", "test-artifacts", "__pycache__", "figures"}
    listed = (git.stdout.split("\n") if git.returncode == 0 else  # not a git checkout: a copy of one
              [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*")
               if p.is_file() and not skipped & set(p.relative_to(ROOT).parts)])
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    for linked in ("node_modules", ".venv"):
        if (ROOT / linked).exists():
            (target / linked).symlink_to(ROOT / linked)
    if cache and CACHE.is_dir():
        shutil.copytree(CACHE, target / ".cache", ignore=shutil.ignore_patterns(".*", "lighthouse"))


def url_prefix(lang: str) -> str:
    """Where a language's pages are served: the default language at the root, the others under lang/."""
    return "" if lang == LANGS[0] else f"{lang}/"


def line_in_page(page: str, text: str) -> int | None:
    """The line of docs/<page> (e.g. "zh/loss.md") where `text` first appears, counting the front
    matter as the editor does (MkDocs hands the hooks the page without it)."""
    try:
        source = (DOCS / page).read_text(encoding="utf-8")
    except OSError:
        return None
    at = source.find(text)
    return source.count("\n", 0, at) + 1 if at >= 0 else None
