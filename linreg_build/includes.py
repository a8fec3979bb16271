"""A page's --8<-- includes, expanded for the page's language.

    --8<-- "scratch.py:train"    the code of section `train` of snippets/scratch.py, its comments in
                                 the page's language (comments.py)
    --8<-- "scratch/train.txt"   what that section printed, from the build's snapshot of runs (runner.py)

An include is a line of its own, usually inside a fence; its indentation is kept (admonitions).
The code comes from the snippet texts the build read once and ran (runner.read_sources), so the code
a page shows is the code whose output it shows. The same expansion feeds the pages, the notebooks
and the tests. A broken include is an error naming the page and its line.
"""
from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache

from mkdocs.exceptions import PluginError

from . import comments, memo
from .layout import line_in_page
from .sections import SectionError, section_code

INCLUDE_LINE = re.compile(r'^(?P<indent>[ \t]*)--8<--\s+"(?P<target>[^"]+)"[ \t]*$', re.M)
INCLUDE = re.compile(r'--8<--\s+"([^"]+)"')
# A fenced block (indented ones too), as Python-Markdown's superfences reads it.
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})(?P<info>[^\n`]*)\n(?P<body>.*?)"
                   r"^(?P=indent)(?P=ticks)[ \t]*$", re.M | re.S)


class IncludeError(PluginError):
    pass


def code_of(target: str, lang: str, sources: dict[str, str], missing: list[str] | None = None) -> str:
    """The code of 'file.py:section' with its comments in `lang`."""
    file = target.partition(":")[0]
    if file not in sources:
        raise KeyError(f"there is no snippets/{file}")
    catalogue = comments.catalogue_path(lang, file.removesuffix(".py"))
    mtime = catalogue.stat().st_mtime_ns if catalogue.exists() else 0
    code, untranslated = _code_of(target, lang, sources[file], mtime)
    if missing is not None:
        missing += untranslated
    return code


@lru_cache(maxsize=4096)
def _code_of(target: str, lang: str, source: str, catalogue_mtime: int) -> tuple[str, list[str]]:
    """Cached in the process by the source text and the catalogue's modification time (a rebuild
    under `mkdocs serve` translates again only what changed), and between processes by the source
    and the catalogue's text (every include is shown on a page, in its notebook and counted for
    reading times: translating them all takes half a second)."""
    catalogue = comments.catalogue_path(lang, target.partition(":")[0].removesuffix(".py"))
    key = hashlib.sha256(json.dumps([target, lang, source]).encode()
                         + (catalogue.read_bytes() if catalogue_mtime else b"")).hexdigest()

    def translate():
        untranslated: list[str] = []
        lookup = comments.translator(lang, target.partition(":")[0].removesuffix(".py"), untranslated)
        return [comments.translate(section_code(target, source), lookup), untranslated]
    code, untranslated = TRANSLATED.get(key, translate)
    return code, list(untranslated)


# The translated includes, kept for the next process.
TRANSLATED = memo.Memo("translations", packages=["babel"], code=["comments", "includes", "sections", "memo"])


def output_of(target: str, runs: dict[str, dict]) -> str:
    """What 'snippet/section.txt' printed in the snapshot `runs`."""
    snippet, _, section = target.removesuffix(".txt").partition("/")
    try:
        return runs[snippet]["outputs"][section].rstrip("\n")
    except KeyError:
        raise KeyError(f"snippets/{snippet}.py has no section '{section}' that printed something") from None


def expand(markdown: str, lang: str, runs: dict[str, dict], sources: dict[str, str], where: str,
           missing: list[str]) -> str:
    """Replace every include line of page `where`; untranslated comments are collected in `missing`."""
    def replace(m: re.Match) -> str:
        target = m["target"]
        try:
            text = output_of(target, runs) if target.endswith(".txt") else code_of(target, lang, sources, missing)
        except (KeyError, SectionError) as error:
            line = line_in_page(where, m[0].strip()) or markdown.count("\n", 0, m.start()) + 1
            raise IncludeError(f"{where}, line {line}: include {target!r}: {error.args[0] if error.args else error}") from None
        return "\n".join(m["indent"] + line if line else line for line in text.split("\n"))
    return INCLUDE_LINE.sub(replace, markdown)
