"""A page as a Jupyter notebook: prose cells in the page's language, a code cell per code fence.

Code cells come from the page's includes (comments in the page's language, code from the snippet
texts the build read once) and from its inline ```python blocks; output blocks and figures are left
out (running the notebook makes them); admonitions are unfolded; links to other pages point at the
published site, or become plain text when its address is unknown.
"""
from __future__ import annotations

import re

from mkdocs.utils.meta import get_data

from ..includes import FENCE, INCLUDE, code_of
from ..layout import DOCS, url_prefix

SUFFIX = {"zh": "（笔记本）", "en": " (notebook)"}  # the notebook's title, so the nav tells it from the page
ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?:\?\?\?\+?|!!!) \w+(?: "(?P<title>[^"]*)")?[ \t]*\n'
                        r'(?P<body>(?:(?P=indent)    .*\n|[ \t]*\n)*)', re.M)
LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])+)\]\((?!https?:)([\w/]+)\.md(#[\w-]+)?\)")  # [text [x]](page.md#a)


def notebook_prose(text: str, lang: str, site_url: str) -> str:
    """Page Markdown as notebook Markdown: no figures (the plotting cells draw them), no attribute
    lists, site links absolute from the published address (or plain text without one)."""
    text = re.sub(r"^!\[.*$", "", text, flags=re.M)
    text = re.sub(r"[ \t]*\{[ \t]*[#.][^}\n]*\}[ \t]*$", "", text, flags=re.M)

    def link(m: re.Match) -> str:
        if not site_url:
            return m[1]
        page = "" if m[2] == "index" else f"{m[2]}/"
        return f"[{m[1]}]({site_url.rstrip('/')}/{url_prefix(lang)}{page}{m[3] or ''})"
    return LINK.sub(link, text)


def unfold(markdown: str) -> str:
    """Admonitions (`??? note "title"` + indented body) as a bold title and the body, dedented."""
    def replace(m: re.Match) -> str:
        body = re.sub(rf"^{m['indent']}    ", m["indent"], m["body"], flags=re.M)
        title = f"{m['indent']}**{m['title']}**\n\n" if m["title"] else ""
        return title + body
    return ADMONITION.sub(replace, markdown)


def page_notebook(lang: str, page: str, sources: dict[str, str], site_url: str = "") -> dict:
    """The page as a notebook: prose cells, and a code cell per code fence (its includes joined)."""
    markdown, _ = get_data((DOCS / lang / f"{page}.md").read_text(encoding="utf-8"))  # no front matter
    markdown = unfold(markdown)
    cells: list[dict] = []
    alts = re.findall(r"^[ \t]*!\[([^\]]*)\]", markdown, re.M)  # for the figures the cells draw

    def add(kind: str, text: str) -> None:
        text = text.strip("\n")
        if kind == "markdown":
            text = notebook_prose(text, lang, site_url).strip("\n")
            if not cells:  # the page's title: say it is the notebook
                text = re.sub(r"^# (.*)$", lambda m: f"# {m[1]}{SUFFIX[lang]}", text, count=1, flags=re.M)
        if text.strip():
            cell = {"cell_type": kind, "id": f"cell-{len(cells)}", "metadata": {}, "source": text}
            if kind == "code":
                cell.update(execution_count=None, outputs=[])
            cells.append(cell)

    position = 0
    for fence in FENCE.finditer(markdown):
        targets = INCLUDE.findall(fence["body"])
        language = fence["info"].split()[0] if fence["info"].strip() else ""
        add("markdown", markdown[position:fence.start()])
        if targets and language == "python":
            add("code", "\n\n".join(code_of(t, lang, sources) for t in targets))
        elif language == "python":
            add("code", re.sub(rf"^{fence['indent']}", "", fence["body"], flags=re.M))
        elif not targets:
            add("markdown", fence.group(0))  # console commands and the like stay as text
        position = fence.end()
    add("markdown", markdown[position:])
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}, "figure_alts": alts}}


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
