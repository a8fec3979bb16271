"""Small accessibility fixes to Material's HTML that its templates offer no setting for (found by
Lighthouse / axe). Colours and link underlines are in docs/assets/extra.css."""
from __future__ import annotations

SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
SEARCH_NAME = {"zh": "搜索", "en": "Search"}


def fix(output: str, lang: str) -> str:
    # The search overlay is a dialog without a name: screen readers announce just "dialog".
    return output.replace(SEARCH_DIALOG, SEARCH_DIALOG[:-1] + f' aria-label="{SEARCH_NAME[lang]}">', 1)
