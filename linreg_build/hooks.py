"""The MkDocs events of the site (mkdocs.yml: `hooks: [linreg_build/hooks.py]`). Thin: each calls
the module that does the work. mkdocs-static-i18n runs the whole build once per language, in this
process, the default language first; so everything here is safe to repeat, and the expensive part
(running snippets and notebooks) happens once, at the start of the first language's build.
"""
from __future__ import annotations

import base64
import logging
import sys
from pathlib import Path
from types import SimpleNamespace

# MkDocs loads this file by path, not as part of its package: make the package importable (under
# `mkdocs` as well as `python -m mkdocs`, which differ in what sys.path holds).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jinja2 import FileSystemBytecodeCache  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402

from linreg_build import (a11y, figures, i18n_fixes, includes, katex, notebooks, page_cache,  # noqa: E402
                          pdf, reading_time, runner, search)
from linreg_build.layout import CACHE as CACHE_DIR, LANGS, notebook_pages  # noqa: E402

log = logging.getLogger("mkdocs.plugins.linreg")
# mkdocs-jupyter reports every cache hit and copy at INFO: keep the build's progress readable.
for name in ("mkdocs.plugins.mkdocs_jupyter", "mkdocs.mkdocs-jupyter"):
    logging.getLogger(name).setLevel(logging.WARNING)


class Build:
    """What one build (all its languages) shows: read once, at the start of the first language."""
    runs: dict[str, dict] = {}                   # snippet -> its run (outputs, figures)
    figures: dict[str, bytes] = {}               # figure name -> the PNG the site serves
    notebooks: dict[str, dict[str, Path]] = {}   # language -> page -> executed notebook
    fingerprint: dict[str, bytes] = {}           # language -> what page rendering depends on
    math: katex.Renderer | None = None           # renders the formulas, one Node process a build
    books: dict[str, tuple] = {}                 # language -> (chapter URLs, site name etc.) for the PDF


def on_config(config):
    katex.ensure_installed()
    # mkdocs-jupyter evicts the render cache entries its current build did not use, and i18n runs one
    # build per language, so each language would evict the other's: give each language its own folder.
    lang = i18n_fixes.current_language(config)
    config.plugins["mkdocs-jupyter"].config["cache_dir"] = f".cache/mkdocs-jupyter/{lang}"


def on_env(env, config, files):
    # Material's ~85 templates are compiled again in every build (a new Jinja environment each
    # time); keep the compiled code between builds and processes. Jinja checks each template's mtime.
    (CACHE_DIR / "jinja").mkdir(parents=True, exist_ok=True)  # Jinja does not create it: a fresh .cache
    env.bytecode_cache = FileSystemBytecodeCache(str(CACHE_DIR / "jinja"))
    return env


def on_pre_build(config):
    lang = i18n_fixes.current_language(config)
    if lang == LANGS[0]:  # a new build starts (a rebuild under `mkdocs serve` too)
        Build.books = {}
        pages = notebook_pages()
        jobs = {f"notebook {p}": notebooks.execute_job(p, runner.ran_here) for p in pages
                if not notebooks.is_current(p, runner.is_fresh(), runner.ran_here)}
        runner.run_everything(jobs)
        Build.math = Build.math or katex.Renderer()
        Build.runs = runner.snapshot()
        Build.figures = {name: figures.optimise(base64.b64decode(png))
                         for run in Build.runs.values() for name, png in run["figures"].items()}
        Build.notebooks = {lang: {p: notebooks.write_language_notebook(p, lang, config.site_url or "")
                                  for p in pages} for lang in LANGS}
    search.install(config.plugins["material/search"], lang)


@event_priority(-200)  # after mkdocs-static-i18n (-100) has made the file list of this language
def on_files(files, config):
    lang = i18n_fixes.current_language(config)
    generated = katex.files(config) + notebooks.files(config, lang, Build.notebooks[lang])
    generated += [File.generated(config, f"assets/figures/{name}.png", content=png)
                  for name, png in Build.figures.items()]
    for file in generated:
        if files.get_file_from_path(file.src_uri) is None:
            files.append(file)
    Build.fingerprint[lang] = page_cache.site_fingerprint(files)
    return files


@event_priority(-200)  # after mkdocs-static-i18n has made this language's navigation
def on_nav(nav, config, files):
    if pdf.wanted():
        Build.books[i18n_fixes.current_language(config)] = (pdf.chapters(nav), SimpleNamespace(
            site_name=config.site_name, site_description=config.site_description, site_url=config.site_url))
    return nav


@event_priority(-100)  # last: other plugins see the page as written
def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri.endswith(".ipynb"):
        return markdown  # mkdocs-jupyter renders those itself
    lang = i18n_fixes.current_language(config)
    missing: list[str] = []

    def expand(text: str) -> str:
        return includes.expand(text, lang, Build.runs, page.file.src_uri, missing)
    markdown = reading_time.fill(expand(markdown), lang, lambda text: includes.expand(
        text, lang, Build.runs, page.file.src_uri, []))
    if missing:
        log.info(f"{page.file.src_uri}: {len(missing)} code comments not translated yet "
                 "(python -m linreg_build.comments update, then fill in the .po files)")
    page_cache.install(page, markdown, Build.fingerprint[lang], lang)
    return markdown


def on_page_content(html, page, config, files):
    page.search_html = html  # the search index reads the TeX, not KaTeX's rendering of it
    if page.file.src_uri.endswith(".ipynb"):
        return katex.render_notebook(html, Build.math, page.file.src_uri)
    sizes = {name: figures.size(png) for name, png in Build.figures.items()}
    return figures.place(katex.render_page(html, Build.math, page.file.src_uri), sizes, page.file.src_uri)


@event_priority(-100)  # after mkdocs-static-i18n has set the language menu for this page
def on_page_context(context, page, config, nav):
    i18n_fixes.fix_language_menu(page, config)
    return context


def on_post_page(output, page, config):
    output = i18n_fixes.drop_head_alternates(output)
    output = search.search_base(output, i18n_fixes.current_language(config))
    output = a11y.fix(output, i18n_fixes.current_language(config))
    if page.file.src_uri.endswith(".ipynb"):
        output = notebooks.fix_html(output, page, i18n_fixes.current_language(config), config.site_dir)
    return output


def on_post_template(output, template_name, config):
    return i18n_fixes.keep_default_404(output, template_name, config)


@event_priority(-200)  # after mkdocs-static-i18n has merged the languages' search entries
def on_post_build(config):
    search.split_by_language(config.site_dir)
    search.save_all()
    page_cache.prune()
    if pdf.wanted() and set(Build.books) == set(LANGS):  # every language's pages are written
        pdf.build(config.site_dir, Build.books, log)
        Build.books = {}
    Build.math.close()  # safe to repeat: a later language starts Node again only for a new formula


def on_shutdown():
    if Build.math:
        Build.math.close()
