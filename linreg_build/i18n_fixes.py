"""Work-arounds for mkdocs-static-i18n (and Material beside it), each with its reason.

Both language trees have the same pages (a test checks it), so the counterpart of a page is the
same path under the other language's root.
"""
from __future__ import annotations

import re
from pathlib import Path

from .layout import LANGS

ALTERNATE_LINK = re.compile(r'<link rel="alternate" href="[^"]*" hreflang="[^"]*">')  # starts with a literal: fast


def current_language(config) -> str:
    return config.plugins["i18n"].current_language or LANGS[0]


def fix_language_menu(page, config) -> None:
    """i18n gets the header's language menu wrong in two places: the home page keeps absolute links
    (/ and /en/, broken under a sub-path) and notebook pages have no counterpart. Root-relative URLs
    set here come out relative in the page. (i18n sets config.extra.alternate as an attribute, which
    is what the template reads.)"""
    path = page.url
    for lang in LANGS[1:]:
        path = path.removeprefix(f"{lang}/")
    for alternate in getattr(config.extra, "alternate", None) or []:
        alternate["link"] = path if alternate["lang"] == LANGS[0] else f"{alternate['lang']}/{path}"


def drop_head_alternates(output: str) -> str:
    """Material's script fetches sitemap.xml beside every <link rel="alternate"> in the head to map
    pages between languages; i18n makes those links per page, so each fetch is a 404. The header's
    language menu already links the counterpart page, so the head links can go."""
    return ALTERNATE_LINK.sub("", output)


def keep_default_404(output: str, template_name: str, config) -> str:
    """i18n renders 404.html once per language into the same site/404.html; static hosts serve only
    that one file, so keep the default (Chinese) language's page."""
    existing = Path(config.site_dir) / template_name
    if template_name == "404.html" and current_language(config) != LANGS[0] and existing.is_file():
        return existing.read_text(encoding="utf-8")
    return output
