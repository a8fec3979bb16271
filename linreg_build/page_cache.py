"""Skip rendering a page whose Markdown has not changed: warm builds and `mkdocs serve` reloads.

MkDocs renders every page's Markdown on every build (and mkdocs-static-i18n builds twice). The
rendered HTML, table of contents and anchors are kept per page in .cache/pages/, keyed by everything
the rendering reads: the page's final Markdown (includes already expanded, so a snippet edit changes
it), its path and URL, the site's files and their URLs (links), mkdocs.yml and this package's code.
The Markdown is the input: the cached result is exactly what rendering it gives.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from .layout import CACHE, ROOT
from .runner import write_atomically

PAGES = CACHE / "pages"


def _code_version() -> bytes:
    digest = hashlib.sha256((ROOT / "mkdocs.yml").read_bytes())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.digest()


def site_fingerprint(files) -> bytes:
    """What link resolution depends on: every file's path and URL."""
    return hashlib.sha256(json.dumps(sorted((f.src_uri, f.url) for f in files)).encode()
                          + _code_version()).digest()


def _toc(links: list[AnchorLink]) -> list:
    return [[link.title, link.id, link.level, _toc(link.children)] for link in links]


def _anchor_links(data: list) -> list[AnchorLink]:
    links = []
    for title, id, level, children in data:
        link = AnchorLink(title, id, level)
        link.children = _anchor_links(children)
        links.append(link)
    return links


def install(page: Page, markdown: str, fingerprint: bytes, lang: str) -> None:
    """Make page.render (called by MkDocs right after on_page_markdown) use the cache. `markdown` is
    what the page's on_page_markdown returns (page.markdown still holds the source at that point)."""
    key = hashlib.sha256(fingerprint + json.dumps([lang, page.file.src_uri, page.url, markdown])
                         .encode()).hexdigest()
    path = PAGES / key[:2] / f"{key}.json"

    def render(config, files) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            Page.render(page, config, files)
            data = {"content": page.content, "toc": _toc(list(page.toc)),
                    "title": page._title_from_render, "anchors": sorted(page.present_anchor_ids or ()),
                    "links": {f.src_uri: links for f, links in (page.links_to_anchors or {}).items()}}
            write_atomically(path, json.dumps(data, ensure_ascii=False))
            return
        os.utime(path)  # used: kept by `prune`
        page.content = data["content"]
        page.toc = TableOfContents(_anchor_links(data["toc"]))
        page._title_from_render = data["title"]
        page.present_anchor_ids = set(data["anchors"])
        page.links_to_anchors = {files.get_file_from_path(uri): links for uri, links in data["links"].items()
                                 if files.get_file_from_path(uri) is not None}

    page.render = render


def prune(days: float = 2) -> None:
    """Forget renderings not used for `days` (old versions of edited pages pile up under serve)."""
    limit = time.time() - days * 86400
    for path in PAGES.glob("*/*.json"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
