"""Skip rendering a page whose Markdown has not changed: warm builds and `mkdocs serve` reloads.

MkDocs renders every page's Markdown on every build (and mkdocs-static-i18n builds twice). The
rendered HTML, table of contents and anchors are kept per page in .cache/pages/, keyed by everything
the rendering reads (keys.cache_key): the page's final Markdown (includes already expanded, so a
snippet edit changes it), its path and URL, the site's files and their URLs (links), mkdocs.yml,
the installed Markdown packages and this code. The Markdown is the input: the cached result is
exactly what rendering it gives, and so are the messages: what MkDocs logged while rendering (a
link to a missing page is a warning, which `--strict` counts) is kept with it and logged again on
every build that uses it, so a warm strict build fails where the cold one did.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging

from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from . import atomic, keys
from .layout import CACHE, ROOT

PAGES = CACHE / "pages"
RENDERING = ["mkdocs", "Markdown", "pymdown-extensions", "Pygments", "mkdocs-material"]


def site_fingerprint(files) -> bytes:
    """What link resolution depends on: every file's path and URL (and the site's configuration)."""
    return hashlib.sha256(json.dumps(sorted((f.src_uri, f.url) for f in files)).encode()
                          + (ROOT / "mkdocs.yml").read_bytes()).digest()


def _toc(links: list[AnchorLink]) -> list:
    return [[link.title, link.id, link.level, _toc(link.children)] for link in links]


def _anchor_links(data: list) -> list[AnchorLink]:
    links = []
    for title, id, level, children in data:
        link = AnchorLink(title, id, level)
        link.children = _anchor_links(children)
        links.append(link)
    return links


class _Messages(logging.Handler):
    """Collects what MkDocs logs (INFO and up) while one page renders."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[list] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append([record.name, record.levelno, record.getMessage()])


@contextlib.contextmanager
def _collecting():
    handler, logger = _Messages(), logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def replay(messages: list[list]) -> None:
    """Log again what a page's rendering logged (MkDocs counts the warnings for --strict)."""
    for name, level, text in messages:
        logging.getLogger(name).log(level, text)


def install(page: Page, markdown: str, fingerprint: bytes, lang: str) -> None:
    """Make page.render (called by MkDocs right after on_page_markdown) use the cache. `markdown` is
    what the page's on_page_markdown returns (page.markdown still holds the source at that point)."""
    key = keys.cache_key("page", fingerprint, lang, page.file.src_uri, page.url, markdown,
                         packages=RENDERING, code=["page_cache"])
    path = PAGES / key[:2] / f"{key}.json"

    def render(config, files) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            with _collecting() as messages:
                Page.render(page, config, files)
            data = {"content": page.content, "toc": _toc(list(page.toc)),
                    "title": page._title_from_render, "anchors": sorted(page.present_anchor_ids or ()),
                    "links": {f.src_uri: links for f, links in (page.links_to_anchors or {}).items()},
                    "messages": messages}
            atomic.write(path, json.dumps(data, ensure_ascii=False))
            return
        atomic.touch(path)  # used: kept by `prune`
        replay(data["messages"])
        page.content = data["content"]
        page.toc = TableOfContents(_anchor_links(data["toc"]))
        page._title_from_render = data["title"]
        page.present_anchor_ids = set(data["anchors"])
        page.links_to_anchors = {files.get_file_from_path(uri): links for uri, links in data["links"].items()
                                 if files.get_file_from_path(uri) is not None}

    page.render = render


def prune(days: float = 2) -> None:
    """Forget renderings not used for `days` (old versions of edited pages pile up under serve)."""
    atomic.forget_unused(PAGES, "*/*.json", days)