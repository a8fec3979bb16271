"""The build glue of the site: what turns snippets/ and docs/ into the site, one concern per module.

layout.py        where things are: the repository's folders, the languages, the notebook pages
sections.py      a snippet's named sections (# --8<-- [start:x]) and running a snippet section by section
runner.py        runs every snippet in its own process before a build, cached, with progress
                 (`python -m linreg_build.runner snippets/x.py OUT.json` runs one as the build does)
comments.py      Chinese code comments: the translation catalogues in snippets/locale/ (Babel)
includes.py      expands a page's --8<-- includes: code (comments in the page's language) and outputs
notebooks.py     the practice pages as executed Jupyter notebooks (generated, rendered by mkdocs-jupyter)
figures.py       the snippets' figures, made smaller, with their size and lazy loading in the page
katex.py         KaTeX from the npm registry: its CSS and fonts, and the math rendered at build time
pdf.py           LINREG_PDF=1: the whole book as one PDF per language, printed by Chromium
page_cache.py    skips re-rendering unchanged pages (warm builds, `mkdocs serve`)
search.py        a cached, lean search index (no code blocks, no notebook duplicates)
a11y.py          accessibility fixes to Material's HTML (colours are in docs/assets/extra.css)
i18n_fixes.py    the work-arounds for mkdocs-static-i18n and Material, each with its reason
hooks.py         the MkDocs events (mkdocs.yml `hooks:`), thin: they call the modules above
"""
