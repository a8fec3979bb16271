"""The MkDocs events of the site (mkdocs.yml: `hooks: [linreg_build/hooks.py]`). Thin: each calls
the module that does the work. mkdocs-static-i18n runs the whole build once per language, in this
process, the default language first; so everything here is safe to repeat, and the expensive part
(running snippets and notebooks) happens once, at the start of the first language's build.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import SimpleNamespace

# MkDocs loads this file by path, not as part of its package: make the package importable (under
# `mkdocs` as well as `python -m mkdocs`, which differ in what sys.path holds).
if str(Path(__file__).resolve().parent.parent) not in sys.path:  # (serve reloads this file on every build)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jinja2 import FileSystemBytecodeCache  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402

from linreg_build import (a11y, background, comments, content, figures, i18n_fixes, includes, katex, page_cache,  # noqa: E402
                          page_code, pdf, reading_time, repository, runner, search, stamp)
from linreg_build import notebooks  # noqa: E402
from linreg_build.notebooks import execute, html as notebook_html  # noqa: E402
from linreg_build.sections import split_sections  # noqa: E402
from linreg_build.layout import CACHE as CACHE_DIR, LANGS, notebook_pages  # noqa: E402

log = logging.getLogger("mkdocs.plugins.linreg")
# mkdocs-jupyter reports every cache hit and copy at INFO: keep the build's progress readable.
for name in ("mkdocs.plugins.mkdocs_jupyter", "mkdocs.mkdocs-jupyter"):
    logging.getLogger(name).setLevel(logging.WARNING)


class Build:
    """What one build (all its languages) shows: read once, at the start of the first language."""
    serving = False                              # under `mkdocs serve`: notebooks run after the pages
    sources: dict[str, str] = {}                 # snippet file -> the text read once, run and shown
    runs: dict[str, dict] = {}                   # snippet -> its run (outputs, figures)
    figures: dict[str, bytes] = {}               # figure name -> the PNG the site serves
    notebooks: dict[str, dict[str, Path]] = {}   # language -> page -> executed notebook
    fingerprint: dict[str, bytes] = {}           # language -> what page rendering depends on
    math: katex.Renderer | None = None           # renders the formulas, one Node process a build
    books: dict[str, tuple] = {}                 # language -> (chapter URLs, site name etc.) for the PDF
    code: dict[str, dict] = {}                   # language -> page -> its setup and download


def on_startup(command, dirty):
    Build.serving = command == "serve"


def on_serve(server, config, builder):
    # A notebook executed in the background (see on_pre_build) writes here when it is done: rebuild.
    background.watch(server)
    return server


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
        sources = runner.read_sources()  # read once: what runs is what the pages show
        for file, text in sources.items():
            split_sections(text, file)  # a misplaced section marker stops the build, naming its line
        pages = notebook_pages()
        languages, keys_, executed = execute.plan(pages, sources)
        jobs = {f"notebook {p}": execute.execute_job(p, languages[p], keys_[p], executed)
                for p in pages if p not in executed}
        if Build.serving:  # the pages first; the notebooks follow and the site reloads with them
            Build.runs = runner.run_everything(sources)
            background.start(jobs, {p: keys_[p] for p in pages})
        else:
            Build.runs = runner.run_everything(sources, first=jobs)
        Build.sources = sources
        Build.math = Build.math or katex.Renderer()
        Build.figures = figures.collect(Build.runs)
        Build.notebooks = {lang: {p: execute.write_language_notebook(p, lang, sources, executed.get(p),
                                                                     config.site_url or "")
                                  for p in pages} for lang in LANGS}
    search.install(config.plugins["material/search"], lang)


@event_priority(-200)  # after mkdocs-static-i18n (-100) has made the file list of this language
def on_files(files, config):
    lang = i18n_fixes.current_language(config)
    generated = katex.files(config) + notebooks.files(config, lang, Build.notebooks[lang])
    generated += [File.generated(config, f"assets/figures/{name}.png", content=png)
                  for name, png in Build.figures.items()]
    Build.code[lang] = page_code.codes(lang, Build.sources)
    generated += page_code.files(config, lang, Build.code[lang], Build.sources)
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

    def expand(text: str, where: str) -> str:
        return includes.expand(text, lang, Build.runs, Build.sources, where, missing)
    markdown = reading_time.fill(expand(markdown, page.file.src_uri), lang, lambda text, where: includes.expand(
        text, lang, Build.runs, Build.sources, where, []), page.file.src_uri)
    code = Build.code[lang].get(Path(page.file.src_uri).stem)
    if code:  # how to run the page's code: the setup it needs, the download
        markdown = page_code.insert(markdown, page_code.fold(code, Path(page.file.src_uri).stem, lang))
    markdown = repository.fill(markdown, config.repo_url, lang) + stamp.line(page.markdown, Build.runs, lang)
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
    return content.finish(html, Build.math, sizes, page.file.src_uri, repository.files_url(config.repo_url))


@event_priority(-100)  # after mkdocs-static-i18n has set the language menu for this page
def on_page_context(context, page, config, nav):
    i18n_fixes.fix_language_menu(page, config)
    return context


def on_post_page(output, page, config):
    output = i18n_fixes.drop_head_alternates(output)
    output = search.search_base(output, i18n_fixes.current_language(config))
    output = a11y.fix(output, i18n_fixes.current_language(config))
    if page.file.src_uri.endswith(".ipynb"):
        output = notebook_html.fix_html(output, page, i18n_fixes.current_language(config), config.site_dir)
    return output


def on_post_template(output, template_name, config):
    return i18n_fixes.keep_default_404(output, template_name, config)


@event_priority(-200)  # after mkdocs-static-i18n has merged the languages' search entries
def on_post_build(config):
    search.split_by_language(config.site_dir)
    search.save_all()
    for memo in (includes.TRANSLATED, page_code.MEMO, comments.STRIPPED):
        memo.save()
    if i18n_fixes.current_language(config) == LANGS[-1]:  # once a build, after its last language
        for prune in (page_cache.prune, runner.prune, execute.prune, content.prune):
            prune()
    if pdf.wanted() and set(Build.books) == set(LANGS):  # every language's pages are written
        pdf.build(config.site_dir, Build.books, log)
        Build.books = {}
    Build.math.close()  # safe to repeat: a later language starts Node again only for a new formula


def on_shutdown():
    runner.stop_all()  # Ctrl-C under `mkdocs serve`: no snippet or notebook is left running
    background.unwatch()
    if Build.math:
        Build.math.close()
