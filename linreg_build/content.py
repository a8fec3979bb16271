"""A page's HTML after Markdown, finished in one pass through a parser: formulas rendered (katex.py),
figures sized (figures.py), and the file name above a code block linked to that file in the
repository (repository.py; no link when the address is unknown).

Parsing a long page takes a tenth of a second or more, so the result is cached in .cache/content/ by
the page's HTML, the figures' sizes, the KaTeX renderer's own key and this code: a warm build parses
nothing, and a page edit under `mkdocs serve` parses that page only.
"""
from __future__ import annotations

from . import atomic, figures, katex, keys
from .layout import CACHE
from .soup import parse, serialize

FINISHED = CACHE / "content"


def link_files(soup, files_url: str) -> None:
    """`snippets/x.py` above a code block -> a link to snippets/x.py in the repository."""
    if not files_url:
        return
    for title in soup.select("div.highlight > span.filename"):
        name = title.get_text()
        if name.startswith("snippets/") and name.endswith(".py") and " " not in name:
            link = soup.new_tag("a", href=files_url + name)
            link.string = name
            title.clear()
            title.append(link)


def finish(html: str, renderer: katex.Renderer, sizes: dict[str, tuple[int, int]], where: str,
           files_url: str = "") -> str:
    key = keys.cache_key("content", html, sorted(sizes.items()), renderer.path.name, files_url,
                         packages=["beautifulsoup4"], code=["content", "soup", "figures", "katex"])
    path = FINISHED / key[:2] / f"{key}.html"
    try:
        done = path.read_text(encoding="utf-8")
        atomic.touch(path)
        return done
    except OSError:
        pass
    soup = parse(html)
    formulas = katex.render_formulas(soup, renderer, where)
    figures.place(soup, sizes, where)
    link_files(soup, files_url)
    done = serialize(soup)
    for token, rendered in formulas.items():
        done = done.replace(token, rendered, 1)
    atomic.write(path, done)
    return done


def prune(days: float = 2) -> None:
    """Forget finished pages not used for `days`."""
    atomic.forget_unused(FINISHED, "*/*.html", days)
