"""The build glue of the site: what turns snippets/ and docs/ into the site, one concern per module.

layout.py        where things are: the repository's folders, the languages, the notebook pages
keys.py          the one cache-key recipe: inputs, installed package versions, the glue's own code
atomic.py        writing a cache entry or site file whole or not at all; an unwritable .cache named
sections.py      a snippet's named sections (# --8<-- [start:x]), validated, and running a snippet
                 section by section from the text read once
runner.py        runs every snippet in its own process before a build, cached by the text it ran, with
                 progress, timeouts and Ctrl-C (`python -m linreg_build.runner snippets/x.py` runs one)
background.py    under `mkdocs serve`: notebooks executed after the pages, the site reloading after
comments.py      Chinese code comments: the translation catalogues in snippets/locale/ (Babel)
memo.py          results computed from texts, kept in .cache/ for the next process (translations etc.)
includes.py      expands a page's --8<-- includes: code (comments in the page's language) and outputs
page_code.py     a page's code as a reader runs it: the setup generated from the snippets, folded at the
                 top, and the whole page as one download, code/<page>.py
stamp.py         each page says what its outputs were produced with (Python, PyTorch, date)
notebooks/       the practice pages as executed Jupyter notebooks: convert, execute, html (mkdocs-jupyter)
figures.py       the snippets' figures, made smaller, with their size and lazy loading in the page
katex.py         KaTeX from the npm registry: its CSS and fonts, and the math rendered at build time
content.py       one pass over a rendered page: its formulas, figure sizes and links to the code
soup.py          parsing and writing HTML with BeautifulSoup, attributes kept as they were
repository.py    where the code lives (repository address and commit) for the links to it
reading_time.py  reading times on the home page, computed per kind of content and per section
pdf.py           LINREG_PDF=1: the whole book as one PDF per language, printed by Chromium
page_cache.py    skips re-rendering unchanged pages (warm builds, `mkdocs serve`), replaying warnings
search.py        a cached, lean search index (no code blocks, no notebook duplicates)
twins.py         which version of its twin each page was last checked against (`python -m linreg_build.twins`)
a11y.py          accessibility fixes to Material's HTML (colours are in docs/assets/extra.css)
i18n_fixes.py    the work-arounds for mkdocs-static-i18n and Material, each with its reason
hooks.py         the MkDocs events (mkdocs.yml `hooks:`), thin: they call the modules above

Every error a build can meet is a mkdocs PluginError naming the page or snippet, section and line:
`mkdocs serve` reports it and keeps running.
"""
