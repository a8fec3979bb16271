"""The practice pages as executed Jupyter notebooks, rendered by mkdocs-jupyter.

Which pages: the `notebooks/<page>.ipynb` entries of the nav (layout.notebook_pages). One module a step:
convert.py   the page becomes a notebook: prose in the page's language, code cells from its includes
execute.py   the code is executed once for every language (a Jupyter kernel in a process of its own),
             its outputs cached by the code of every language; each language's notebook is written
             under .cache/notebooks/ (never into docs/)
html.py      mkdocs-jupyter's HTML made to fit the site (no CDN scripts, alt texts, download button)
and here: the notebooks enter the build as generated pages (`files`), the .ipynb offered for download.
"""
from __future__ import annotations

import os

from ..layout import url_prefix


def files(config, lang: str, notebooks: dict) -> list:
    """The notebooks of language `lang` as pages, where i18n would have put them (folder layout:
    /notebooks/<page>/ for the default language, /<lang>/notebooks/<page>/ for the others)."""
    from mkdocs.structure.files import File
    from mkdocs_jupyter.plugin import NotebookFile

    pages = []
    for page, path in notebooks.items():
        file = File.generated(config, f"{lang}/notebooks/{page}.ipynb", abs_src_path=str(path))
        wrapped = NotebookFile(file, use_directory_urls=True, site_dir=config.site_dir)
        wrapped.abs_src_path = str(path)  # File computes it from src_dir, which a generated file lacks
        wrapped.dest_path = f"{url_prefix(lang)}notebooks/{page}/index.html"
        wrapped.abs_dest_path = os.path.normpath(os.path.join(config.site_dir, wrapped.dest_path))
        wrapped.url = f"{url_prefix(lang)}notebooks/{page}/"
        pages.append(wrapped)
    return pages
