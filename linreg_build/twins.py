"""Nothing drifts silently between the languages: each page records which version of its twin (the
same page in the other language) it was last checked against, as a hash in its front matter:

    ---
    twin: 5c0e2f9a41d7  # the hash of the twin's text when the two were last read side by side
    ---

When a page changes, its twin's record no longer matches, and the tests fail until someone reads
the twin against the change, edits it if needed, and marks the pair as checked again:

    python -m linreg_build.twins                  # the pages whose twin changed, with what changed (git)
    python -m linreg_build.twins mark loss.md     # after checking docs/*/loss.md against each other
    python -m linreg_build.twins mark --all       # every pair (a new page, or a new language)

The hash covers the page without its own `twin:` line, so marking a pair changes neither hash.
"""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

from .layout import DOCS, LANGS, ROOT

RECORD = re.compile(r"^twin: *(\w+).*\n", re.M)
FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.S)


def body(text: str) -> str:
    """The page's text without its twin record (the front matter's other lines count)."""
    front = FRONT.match(text)
    if not front:
        return text.lstrip("\n")
    inside = RECORD.sub("", front[1])
    return (f"---\n{inside}---\n" if inside.strip() else "") + text[front.end():].lstrip("\n")


def digest(text: str) -> str:
    return hashlib.sha256(body(text).encode("utf-8")).hexdigest()[:12]


def recorded(text: str) -> str | None:
    front = FRONT.match(text)
    found = front and RECORD.search(front[1])
    return found[1] if found else None


def with_record(text: str, value: str) -> str:
    line = f"twin: {value}  # the twin's hash when the two were last checked (python -m linreg_build.twins)\n"
    front = FRONT.match(text)
    if not front:
        return f"---\n{line}---\n\n{text}"
    inside = RECORD.sub("", front[1])
    return f"---\n{line}{inside}---\n" + text[front.end():]


def pages(docs: Path = DOCS) -> list[str]:
    return sorted(p.relative_to(docs / LANGS[0]).as_posix() for p in (docs / LANGS[0]).rglob("*.md"))


def twin_of(lang: str) -> str:
    return LANGS[1] if lang == LANGS[0] else LANGS[0]


def stale(docs: Path = DOCS) -> list[tuple[str, str]]:
    """(language, page) of every page whose twin changed since the two were checked."""
    found = []
    for page in pages(docs):
        for lang in LANGS:
            own, twin = docs / lang / page, docs / twin_of(lang) / page
            if twin.is_file() and recorded(own.read_text(encoding="utf-8")) != digest(twin.read_text(encoding="utf-8")):
                found.append((lang, page))
    return found


def mark(page: str, docs: Path = DOCS) -> None:
    """Record that the pair docs/*/<page> was checked: each records the other's current hash."""
    texts = {lang: (docs / lang / page).read_text(encoding="utf-8") for lang in LANGS}
    for lang in LANGS:
        (docs / lang / page).write_text(with_record(texts[lang], digest(texts[twin_of(lang)])), encoding="utf-8")


def what_changed(path: Path, since: str | None) -> str:
    """The git diff of `path` from the committed version whose hash is `since` (empty if not found)."""
    rel = path.relative_to(ROOT).as_posix()
    log = subprocess.run(["git", "log", "--format=%H", "-n", "100", "--", rel], cwd=ROOT, capture_output=True, text=True)
    for commit in log.stdout.split():
        old = subprocess.run(["git", "show", f"{commit}:{rel}"], cwd=ROOT, capture_output=True, text=True)
        if old.returncode == 0 and digest(old.stdout) == since:
            return subprocess.run(["git", "diff", commit, "--", rel], cwd=ROOT, capture_output=True, text=True).stdout
    return ""


def main(argv: list[str]) -> int:
    if argv[:1] == ["mark"]:
        for page in (pages() if argv[1:] == ["--all"] else argv[1:]):
            mark(page)
            print(f"checked: docs/*/{page}")
        return 0
    found = stale()
    for lang, page in found:
        own, twin = DOCS / lang / page, DOCS / twin_of(lang) / page
        print(f"docs/{twin_of(lang)}/{page} changed since docs/{lang}/{page} was checked against it")
        print(what_changed(twin, recorded(own.read_text(encoding="utf-8"))) or "  (the version checked is not in git)")
    if found:
        print("Read each page against its twin, edit what drifted, then: python -m linreg_build.twins mark <page>.md")
    else:
        print("every page was checked against its twin's current text")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
