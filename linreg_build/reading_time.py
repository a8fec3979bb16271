"""`{{ minutes("page.md") }}` in a page: the reading time of another page of the same language, for a
careful first reading; `{{ minutes("loss.md#1-3") }}` the time of some of its sections, and
`{{ minutes("primer.md loss.md#1-3 ...") }}` the time of a reading path (items separated by spaces).

What is counted. The page as the reader sees it, its code and outputs expanded, without the folded
"深入" / "Going deeper" boxes (`??? note "深入：…"`: a first reading skips them, and the home page says
so); other folded boxes (the exercises' answers) count. A section is a `## ` heading with what
follows it; `#1-3,5` takes the sections whose headings are numbered 1, 2, 3 and 5 (`## 3. Title`),
plus the page's opening (before its first `## `) and its unnumbered sections (a summary), which every
reading of the page includes. A number the page does not have is an error naming the placeholder.

Rates (RATES below), each thing with its own, because a learner reads formulas and code slower than
prose:

    Chinese prose           150 characters a minute
    English prose           100 words a minute (English words on a Chinese page too: terms, names)
    display formula          30 s each ($$ … $$)
    inline formula            5 s each ($ … $)
    code                      5 s per 40 characters that are not spaces (the calibration pages'
                              average line: 12 such lines a minute); counted by characters, not
                              lines, so that code rewrapped to fit a phone reads no longer
    output line               3 s (20 a minute)
    figure                   30 s (its alt text is for screen readers and is not counted as prose)

Calibration. The old rates (300 characters or 200 words a minute, 15 code or output lines a minute,
folds counted) stated the main line as 220 minutes; a careful learner reading the Chinese pages on a
phone, without the 深入 boxes, took about 330 (the reading log of issue 19, a
learner's read-through). Their log gives per page: primer 35, linear model 20, loss 25, normal equation 35, gradient
descent 50, minibatch SGD 35, from scratch 30, concise 25, generalisation 50 minutes (305 in all; the
other 25 were the home page, the SGD playground and trying the code). On the pages they read (the old
rates give exactly the log's stated times for them) these rates give 33, 28, 21, 29, 53, 34, 29, 29,
53: 309 in all, off by 4.3 minutes a page (root mean square), about the log's resolution of 5 minutes.
The prose rate is about half of a fluent reading speed, because a learner stops to think; nine pages
cannot separate the other rates well (a free fit trades code against prose), so they were chosen from
how long a line of each kind takes to read and kept where the fit was as good as any. The English rate
makes the English main line take as long as the Chinese one (311 against 309 minutes). Code was
calibrated in lines; those nine pages' code averaged 40.0 characters that are not spaces a line (1024
lines), so 5 s per 40 characters gives them the same time, and the same code rewrapped to 70 columns
for phones (1804 lines, 26 characters each) does not count as 76% more reading.

Rounding. A page or a path item shows its time rounded to the nearest 5 minutes (at least 5); a path
of several items shows the sum of its items' rounded times, so the numbers on the home page add up.
It is a guide for planning a reading session, not a measurement.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from functools import lru_cache

from mkdocs.exceptions import PluginError
from mkdocs.utils.meta import get_data

from .includes import FENCE, IncludeError
from .layout import DOCS, line_in_page

# Seconds for one of each kind (the rates a minute of the docstring).
RATES = {"cjk": 60 / 150, "words": 60 / 100, "display": 30, "inline": 5, "code": 5 / 40, "output": 3, "figures": 30}

PLACEHOLDER = re.compile(r"\{\{\s*minutes\(\s*\"([^\"]*)\"\s*\)\s*\}\}")
ITEM = re.compile(r"(?P<page>[\w/]+\.md)(?:#(?P<spec>\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*))?")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
FOLD = re.compile(r'^(?P<indent>[ \t]*)\?\?\?[ \t]+\w+[ \t]+"(?:深入|Going deeper)')
HEADING = re.compile(r"^## +(?:(?P<number>\d+)\.[ \t])?.*$", re.M)
DISPLAY = re.compile(r"\$\$.*?\$\$", re.S)
INLINE = re.compile(r"(?<![\\$])\$(?!\$)[^$\n]+?(?<!\\)\$")
FIGURE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
# Markup: HTML, link targets, attribute lists, an admonition's kind (its title is read).
NOT_READ = re.compile(r"<!--.*?-->|<[^>\n]+>|\]\([^)\n]*\)|\{[ \t]*[#.:][^}\n]*\}|^[ \t]*(?:\?\?\?\+?|!!!)[ \t]+\w+",
                      re.S | re.M)


class ReadingTimeError(PluginError):
    pass


@dataclass(frozen=True)
class Count:
    """What a stretch of a page holds, by kind; `seconds` weighs them by RATES."""
    cjk: int = 0
    words: int = 0
    display: int = 0
    inline: int = 0
    code: int = 0
    output: int = 0
    figures: int = 0

    def __add__(self, other: Count) -> Count:
        return Count(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Count)))

    @property
    def seconds(self) -> float:
        return sum(getattr(self, kind) * rate for kind, rate in RATES.items())


def without_folds(markdown: str) -> str:
    """The page without its folded 深入 / Going deeper boxes (their title line and indented body)."""
    kept, inside = [], None
    for line in markdown.split("\n"):
        if inside is not None:
            if not line.strip() or len(line) - len(line.lstrip()) > inside:
                continue
            inside = None
        fold = FOLD.match(line)
        if fold:
            inside = len(fold["indent"].expandtabs(4))
            continue
        kept.append(line)
    return "\n".join(kept)


def count(markdown: str) -> Count:
    """What a stretch of markdown (folds already taken out) asks of the reader."""
    code = output = 0
    for fence in FENCE.finditer(markdown):
        if "text" in fence["info"].split()[:1]:
            output += sum(1 for line in fence["body"].split("\n") if line.strip())
        else:
            code += len(re.sub(r"\s", "", fence["body"]))
    prose = FENCE.sub(" ", markdown)
    display = len(DISPLAY.findall(prose))
    prose = DISPLAY.sub(" ", prose)
    figures = len(FIGURE.findall(prose))
    prose = NOT_READ.sub("]", FIGURE.sub(" ", prose))
    inline = len(INLINE.findall(prose))
    prose = INLINE.sub(" ", prose)
    return Count(cjk=len(CJK.findall(prose)), words=len(re.findall(r"[A-Za-z]+", CJK.sub(" ", prose))),
                 display=display, inline=inline, code=code, output=output, figures=figures)


@lru_cache(maxsize=256)  # the home pages count every page on every rebuild under `mkdocs serve`
def sections(markdown: str) -> tuple[tuple[int | None, Count], ...]:
    """The page's stretches in order, each with its `## ` heading's number (None: the opening, or an
    unnumbered section). Headings inside code blocks are not headings."""
    text = without_folds(markdown)
    fenced = [(m.start(), m.end()) for m in FENCE.finditer(text)]
    starts = [(m.start(), int(m["number"]) if m["number"] else None) for m in HEADING.finditer(text)
              if not any(a <= m.start() < b for a, b in fenced)]
    bounds = [(0, None)] + starts + [(len(text), None)]
    return tuple((number, count(text[start:end])) for (start, number), (end, _) in zip(bounds, bounds[1:]))


def rounded(seconds: float) -> int:
    return max(5, 5 * math.floor(seconds / 300 + 0.5))


def minutes(markdown: str, numbers: set[int] | None = None) -> int:
    """The page's time, or that of its sections `numbers` (with its opening and unnumbered sections)."""
    return rounded(sum((c for n, c in sections(markdown) if numbers is None or n is None or n in numbers),
                       Count()).seconds)


def parse(spec: str) -> set[int]:
    """"1-3,5" -> {1, 2, 3, 5}."""
    numbers = set()
    for part in spec.split(","):
        first, _, last = part.partition("-")
        numbers.update(range(int(first), int(last or first) + 1))
    return numbers


def fill(markdown: str, lang: str, expand, where: str = "") -> str:
    """Replace the placeholders of page `where`; `expand(markdown, page)` gives a page's text with its
    includes (a broken include is left to that page to report: an error here would be blamed on this
    page)."""
    texts: dict[str, str] = {}  # each page read and expanded once, however many placeholders name it

    def item_minutes(item: str, placeholder: str) -> int:
        def error(text: str) -> ReadingTimeError:
            line = line_in_page(where, placeholder) if where else None
            return ReadingTimeError(f"{where}{f', line {line}' if line else ''}: {placeholder}: {text}")
        m = ITEM.fullmatch(item)
        if not m:
            raise error(f"{item!r} is not a page (page.md) or sections of one (page.md#1-3,5)")
        path = DOCS / lang / m["page"]
        if not path.is_file():
            raise error(f"there is no docs/{lang}/{m['page']}")
        if m["page"] not in texts:
            text, _ = get_data(path.read_text(encoding="utf-8"))  # without front matter
            try:
                text = expand(text, f"{lang}/{m['page']}")
            except IncludeError:  # that page reports its own broken include when it is built
                pass
            texts[m["page"]] = text
        text = texts[m["page"]]
        numbers = parse(m["spec"]) if m["spec"] else None
        has = {n for n, _ in sections(text) if n is not None}
        if numbers and numbers - has:
            raise error(f"{m['page']} has no section {', '.join(map(str, sorted(numbers - has)))} "
                        f"(its numbered sections: {', '.join(map(str, sorted(has))) or 'none'})")
        return minutes(text, numbers)

    def replace(m: re.Match) -> str:
        items = m[1].split()
        if not items:
            raise ReadingTimeError(f"{where}: {m[0]} names no page")
        return str(sum(item_minutes(item, m[0]) for item in items))
    return PLACEHOLDER.sub(replace, markdown)
