"""A lean search index, cached per page.

Material's search plugin parses every page's HTML and segments its Chinese text with jieba on every
build: most of a warm build's time. Here each page's entries are cached by the page's content, code
blocks are left out (half of the text, and nobody searches for code), and notebook pages are left out
(they repeat the practice pages, and would show up twice in results).
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .layout import CACHE, LANGS
from .runner import write_atomically

PRE = re.compile(r"<pre\b.*?</pre>", re.S)


class EntryCache:
    """Search entries per page content, kept in memory and in .cache/search/<lang>.json."""

    def __init__(self, lang: str):
        self.path = CACHE / "search" / f"{lang}.json"
        try:
            self.stored = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.stored = {}
        self._on_disk = set(self.stored)
        self.used: dict[str, list] = {}

    def save(self) -> None:
        if self.used.keys() != self._on_disk:  # keep only what this build used: old versions drop out
            self.stored, self._on_disk = dict(self.used), set(self.used)
            write_atomically(self.path, json.dumps(self.stored, ensure_ascii=False))


_caches: dict[str, EntryCache] = {}


def install(plugin, lang: str) -> None:
    """Wrap the search plugin's indexing of a page (its index object is new in every build)."""
    index = plugin.search_index
    index_page = index.add_entry_from_context
    cache = _caches.setdefault(lang, EntryCache(lang))
    cache.used = {}

    def add_entry_from_context(page):
        if page.file.src_uri.endswith(".ipynb"):
            return
        lean = PRE.sub("", getattr(page, "search_html", page.content))
        key = hashlib.sha256(json.dumps([page.url, page.title, lean, page.meta.get("search"),
                                         [str(t) for t in page.toc]]).encode()).hexdigest()
        if key not in cache.stored:
            before, content = len(index.entries), page.content
            page.content = lean
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
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps({"config": data["config"], "docs": docs}, ensure_ascii=False,
                                     separators=(",", ":")), encoding="utf-8")


CONFIG_BASE = re.compile(r'("base": ")([^"]*)(")')


def search_base(output: str, lang: str) -> str:
    """Pages of a non-default language look up their own index: Material's scripts find
    search/search_index.json (and resolve result links) from the base URL in the page's config."""
    if lang == LANGS[0]:
        return output
    return CONFIG_BASE.sub(lambda m: f"{m[1]}{m[2]}/{lang}/{m[3]}", output, count=1)
