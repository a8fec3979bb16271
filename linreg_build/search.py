"""A lean search index, cached per page.

Material's search plugin parses every page's HTML and segments its Chinese text with jieba on every
build: most of a warm build's time. Here each page's entries are cached by the page's content, code
blocks are left out (half of the text, and nobody searches for code), and notebook pages are left out
(they repeat the practice pages, and would show up twice in results).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import atomic, keys
from .layout import CACHE, LANGS



def without_code(html: str) -> str:
    """The page's HTML without its code blocks (parsed: done only for pages not indexed before)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for pre in soup.find_all("pre"):
        pre.decompose()
    return str(soup)


class EntryCache:
    """Search entries per page content, kept in memory and in .cache/search/<lang>.json."""

    def __init__(self, lang: str, settings: dict):
        # one file per language, search settings (mkdocs.yml), Material and jieba version, and this code
        key = keys.cache_key("search", lang, settings, packages=["mkdocs-material", "jieba"], code=["search"])
        self.path = CACHE / "search" / f"{lang}-{key[:16]}.json"
        try:
            self.stored = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.stored = {}
        self._on_disk = set(self.stored)
        self.used: dict[str, list] = {}

    def save(self) -> None:
        if self.used.keys() != self._on_disk:  # keep only what this build used: old versions drop out
            self.stored, self._on_disk = dict(self.used), set(self.used)
            atomic.write(self.path, json.dumps(self.stored, ensure_ascii=False))


_caches: dict[str, EntryCache] = {}


def install(plugin, lang: str) -> None:
    """Wrap the search plugin's indexing of a page (its index object is new in every build)."""
    index = plugin.search_index
    index_page = index.add_entry_from_context
    settings = {k: v for k, v in plugin.config.items() if isinstance(v, (str, int, float, bool, list, type(None)))}
    cache = _caches.setdefault(lang, EntryCache(lang, settings))
    cache.used = {}

    def add_entry_from_context(page):
        if page.file.src_uri.endswith(".ipynb"):
            return
        html = getattr(page, "search_html", page.content)
        key = hashlib.sha256(json.dumps([page.url, page.title, html, page.meta.get("search"),
                                         [str(t) for t in page.toc]]).encode()).hexdigest()
        if key not in cache.stored:
            before, content = len(index.entries), page.content
            page.content = without_code(html)
            try:
                index_page(page)
            finally:
                page.content = content
            cache.stored[key] = index.entries[before:]
            del index.entries[before:]
        cache.used[key] = cache.stored[key]
        index.entries.extend(cache.used[key])

    index.add_entry_from_context = add_entry_from_context


def save_all() -> None:
    for cache in _caches.values():
        cache.save()


def split_by_language(site_dir: str) -> None:
    """One index per language: mkdocs-static-i18n merges both languages' entries into
    site/search/search_index.json, which every page then loads, and a search on one language's site
    returns pages of the other. Write the default language's entries there and each other language's
    to <lang>/search/search_index.json (its pages look there, see `search_base`)."""
    index = Path(site_dir) / "search" / "search_index.json"
    if not index.is_file():
        return
    data = json.loads(index.read_text(encoding="utf-8"))
    for lang in LANGS:
        prefix = "" if lang == LANGS[0] else f"{lang}/"
        docs = [dict(doc, location=doc["location"].removeprefix(prefix)) for doc in data["docs"]
                if (doc["location"].startswith(prefix) if prefix else
                    not doc["location"].startswith(tuple(f"{other}/" for other in LANGS[1:])))]
        target = Path(site_dir) / prefix / "search" / "search_index.json"
        atomic.write(target, json.dumps({"config": data["config"], "docs": docs}, ensure_ascii=False,
                                        separators=(",", ":")))


CONFIG = '<script id="__config" type="application/json">'


def search_base(output: str, lang: str) -> str:
    """Pages of a non-default language look up their own index: Material's scripts find
    search/search_index.json (and resolve result links) from the base URL in the page's
    configuration, a JSON script element (read and written here with a JSON parser)."""
    if lang == LANGS[0]:
        return output
    start = output.index(CONFIG) + len(CONFIG)
    end = output.index("</script>", start)
    config = json.loads(output[start:end])
    config["base"] = f"{config['base']}/{lang}/"
    return output[:start] + json.dumps(config, ensure_ascii=False).replace("</", "<\\/") + output[end:]
