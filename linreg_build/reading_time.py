"""`{{ minutes("page.md") }}` in a page: the rough reading time of another page of the same language.

Prose is counted at 300 Chinese characters or 200 English words a minute, code and output lines at
15 a minute (they are read slowly, or run); the result is rounded up to 5 minutes. It is a guide
for planning a reading session, not a measurement.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

from mkdocs.utils.meta import get_data

from .includes import IncludeError
from .layout import DOCS

PLACEHOLDER = re.compile(r"\{\{\s*minutes\(\s*\"([\w/]+\.md)\"\s*\)\s*\}\}")
CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=256)  # the home pages count every page on every rebuild under `mkdocs serve`
def minutes(markdown: str) -> int:
    code_lines = sum(m.count("\n") for m in re.findall(r"^```.*?^```", markdown, re.S | re.M))
    prose = re.sub(r"^```.*?^```", "", markdown, flags=re.S | re.M)
    words = len(re.findall(r"[A-Za-z]+", CJK.sub(" ", prose)))
    total = len(CJK.findall(prose)) / 300 + words / 200 + code_lines / 15
    return max(5, 5 * math.ceil(total / 5))


def fill(markdown: str, lang: str, expand) -> str:
    """Replace the placeholders; `expand(markdown, page)` gives a page's text with its includes (a
    broken include is left to that page to report: an error here would be blamed on this page)."""
    def replace(m: re.Match) -> str:
        text, _ = get_data((DOCS / lang / m[1]).read_text(encoding="utf-8"))  # without front matter
        try:
            return str(minutes(expand(text, f"{lang}/{m[1]}")))
        except IncludeError:  # that page reports its own broken include when it is built
            return str(minutes(text))
    return PLACEHOLDER.sub(replace, markdown)
