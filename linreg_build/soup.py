"""Changing HTML through a parser: BeautifulSoup, serialized as written.

BeautifulSoup sorts attributes and writes `download=""` when it serializes; pages keep the order their
templates wrote (tests and readers diff them) and boolean attributes stay bare.
"""
from __future__ import annotations

from functools import lru_cache


def parse(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


@lru_cache(maxsize=1)
def _as_written():
    from bs4.dammit import EntitySubstitution
    from bs4.formatter import HTMLFormatter

    class AsWritten(HTMLFormatter):
        def attributes(self, tag):
            return [(name, None if value == "" else value) for name, value in tag.attrs.items()]
    # &, < and > escaped in text and attribute values, as BeautifulSoup's "minimal" formatter does
    return AsWritten(entity_substitution=EntitySubstitution.substitute_xml)


def serialize(soup) -> str:
    return soup.decode(formatter=_as_written())
