"""The practice pages as executed Jupyter notebooks, rendered by mkdocs-jupyter.

Which pages: the `notebooks/<page>.ipynb` entries of the nav (layout.notebook_pages). For each:
1. the page becomes a notebook (`page_notebook`): prose cells in the page's language, code cells from
   the same includes (comments in that language), no output blocks or images (running makes them);
2. the code is executed once for every language, in a Jupyter kernel in a process of its own, and its
   outputs are cached by the hash of the code (.cache/notebooks/<page>.json);
3. each language's notebook, with those outputs, is written under .cache/notebooks/ (never into
   docs/) and enters the build as a generated page (`files`), with the .ipynb offered for download;
4. `fix_html` adapts mkdocs-jupyter's HTML to the site (no CDN scripts, alt texts, download button).
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from . import comments
from .includes import FENCE, INCLUDE, code_of
from .layout import CACHE, DOCS, LANGS, ROOT
from .runner import write_atomically

NOTEBOOKS = CACHE / "notebooks"
SUFFIX = {"zh": "（笔记本）", "en": " (notebook)"}  # the notebook's title, so the nav tells it from the page
ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?:\?\?\?\+?|!!!) \w+(?: "(?P<title>[^"]*)")?[ \t]*\n'
                        r'(?P<body>(?:(?P=indent)    .*\n|[ \t]*\n)*)', re.M)
LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])+)\]\((?!https?:)([\w/]+)\.md(#[\w-]+)?\)")  # [text [x]](page.md#a)


def notebook_prose(text: str, lang: str, site_url: str) -> str:
    """Page Markdown as notebook Markdown: no figures (the plotting cells draw them), no attribute
    lists, site links absolute from the published address (or plain text without one)."""
    text = re.sub(r"^!\[.*$", "", text, flags=re.M)
    text = re.sub(r"[ \t]*\{[ \t]*[#.][^}\n]*\}[ \t]*$", "", text, flags=re.M)
    prefix = "" if lang == LANGS[0] else f"{lang}/"

    def link(m: re.Match) -> str:
        if not site_url:
            return m[1]
        page = "" if m[2] == "index" else f"{m[2]}/"
        return f"[{m[1]}]({site_url.rstrip('/')}/{prefix}{page}{m[3] or ''})"
    return LINK.sub(link, text)


def unfold(markdown: str) -> str:
    """Admonitions (`??? note "title"` + indented body) as a bold title and the body, dedented."""
    def replace(m: re.Match) -> str:
        body = re.sub(rf"^{m['indent']}    ", m["indent"], m["body"], flags=re.M)
        title = f"{m['indent']}**{m['title']}**\n\n" if m["title"] else ""
        return title + body
    return ADMONITION.sub(replace, markdown)


def page_notebook(lang: str, page: str, site_url: str = "") -> dict:
    """The page as a notebook: prose cells, and a code cell per code fence (its includes joined)."""
    markdown = unfold((DOCS / lang / f"{page}.md").read_text(encoding="utf-8"))
    cells: list[dict] = []
    alts = re.findall(r"^[ \t]*!\[([^\]]*)\]", markdown, re.M)  # for the figures the cells draw

    def add(kind: str, text: str) -> None:
        text = text.strip("\n")
        if kind == "markdown":
            text = notebook_prose(text, lang, site_url).strip("\n")
            if not cells:  # the page's title: say it is the notebook
                text = re.sub(r"^# (.*)$", lambda m: f"# {m[1]}{SUFFIX[lang]}", text, count=1, flags=re.M)
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
            add("code", "\n\n".join(code_of(t, lang) for t in targets))
        elif language == "python":
            add("code", re.sub(rf"^{fence['indent']}", "", fence["body"], flags=re.M))
        elif not targets:
            add("markdown", fence.group(0))  # console commands and the like stay as text
        position = fence.end()
    add("markdown", markdown[position:])
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}, "figure_alts": alts}}


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def execution_key(page: str) -> str:
    code = [cell["source"] for cell in code_cells(page_notebook(comments.SOURCE_LANG, page))]
    digest = hashlib.sha256(json.dumps(code).encode() + sys.version.encode())
    digest.update((ROOT / "requirements.txt").read_bytes())
    return digest.hexdigest()


def check_same_code(page: str) -> None:
    """Every language's notebook must run the same code (comments aside), so one execution serves all."""
    code = [comments.strip(c["source"]) for c in code_cells(page_notebook(LANGS[0], page))]
    for lang in LANGS[1:]:
        if [comments.strip(c["source"]) for c in code_cells(page_notebook(lang, page))] != code:
            raise SystemExit(f"notebook {page}: the {LANGS[0]} and {lang} pages do not show the same code")


def _execute_in_child(page: str, out: str) -> None:
    """In a process of its own: run the notebook in a Jupyter kernel; write its outputs (or error)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    os.environ["PYTHONHASHSEED"] = "0"
    notebook = nbformat.from_dict(page_notebook(comments.SOURCE_LANG, page))
    with tempfile.TemporaryDirectory() as cwd:
        # ast_node_interactivity=none: a cell shows what it prints and draws, not the value of its
        # last line (which after a plot would be a stray `Text(0, 0.5, '$y$')`).
        # (log level ERROR: the kernel would warn that local TCP traffic is not encrypted)
        client = NotebookClient(notebook, kernel_name="python3", timeout=600, resources={"metadata": {"path": cwd}},
                                extra_arguments=["--InteractiveShell.ast_node_interactivity=none",
                                                 "--IPKernelApp.log_level=ERROR"])
        try:
            client.execute()
        except CellExecutionError as error:
            write_atomically(Path(out), json.dumps({"error": f"notebook {page} failed:\n{error}"[-4000:]}))
            return
    cells = [{"outputs": c["outputs"], "execution_count": c["execution_count"]}
             for c in code_cells(notebook)]
    write_atomically(Path(out), json.dumps({"key": execution_key(page), "cells": cells}))


def execution_file(page: str) -> Path:
    return NOTEBOOKS / f"{page}.json"


def is_current(page: str, fresh: bool, ran_here: set[str]) -> bool:
    key = execution_key(page)
    if key in ran_here:
        return True
    try:
        return not fresh and json.loads(execution_file(page).read_text(encoding="utf-8"))["key"] == key
    except (OSError, ValueError, KeyError):
        return False


def execute_job(page: str, ran_here: set[str]):
    """A runner job: execute the page's notebook into its cache file; return an error or None."""
    from .runner import in_own_process

    def run() -> str | None:
        check_same_code(page)
        record = in_own_process(_execute_in_child, (page,), f"notebook {page}")
        if "error" in record:
            return record["error"]
        write_atomically(execution_file(page), json.dumps(record))
        ran_here.add(record["key"])
        return None
    return run


def write_language_notebook(page: str, lang: str, site_url: str) -> Path:
    """The page's notebook in `lang` with the cached outputs, in a folder named by its content, so
    that a build that started with one version keeps reading that version (other builds may write
    a newer one meanwhile). Folders older than ten minutes are pruned."""
    executed = json.loads(execution_file(page).read_text(encoding="utf-8"))["cells"]
    notebook = page_notebook(lang, page, site_url)
    for cell, run in zip(code_cells(notebook), executed):
        cell["outputs"], cell["execution_count"] = run["outputs"], run["execution_count"]
    text = json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"
    folder = NOTEBOOKS / lang / page
    target = folder / hashlib.sha256(text.encode()).hexdigest()[:16] / f"{page}.ipynb"
    if not target.is_file():
        write_atomically(target, text)
    for old in folder.iterdir():
        if old != target.parent and time.time() - old.stat().st_mtime > 600:
            for f in old.iterdir():
                f.unlink()
            old.rmdir()
    os.utime(target.parent)
    return target


# ---------------------------------------------------------------- in the build

def files(config, lang: str, notebooks: dict[str, Path]) -> list:
    """The notebooks of language `lang` as pages, where i18n would have put them (folder layout:
    /notebooks/<page>/ for the default language, /<lang>/notebooks/<page>/ for the others)."""
    from mkdocs.structure.files import File
    from mkdocs_jupyter.plugin import NotebookFile

    prefix = "" if lang == LANGS[0] else f"{lang}/"
    pages = []
    for page, path in notebooks.items():
        file = File.generated(config, f"{lang}/notebooks/{page}.ipynb", abs_src_path=str(path))
        wrapped = NotebookFile(file, use_directory_urls=True, site_dir=config.site_dir)
        wrapped.abs_src_path = str(path)  # File computes it from src_dir, which a generated file lacks
        wrapped.dest_path = f"{prefix}notebooks/{page}/index.html"
        wrapped.abs_dest_path = os.path.normpath(os.path.join(config.site_dir, wrapped.dest_path))
        wrapped.url = f"{prefix}notebooks/{page}/"
        pages.append(wrapped)
    return pages


DOWNLOAD_ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
                 '<path d="M5 20h14v-2H5m14-9h-4V3H9v6H5l7 7z"/></svg>')  # Material's "download" icon
ARTICLE = '<article class="md-content__inner md-typeset">'
NBCONVERT_ALT = 'alt="No description has been provided for this image"'
NOTEBOOK_MATHJAX = re.compile(r'<!-- Load mathjax -->\s*<script src="[^"]*">\s*</script>\s*'
                              r'<!-- MathJax configuration -->\s*<script type="text/x-mathjax-config">'
                              r'.*?</script>', re.S)
NOTEBOOK_MERMAID = re.compile(r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded", '
                              r'async \(\) => \{\s*const diagrams = document\.querySelectorAll\("\.jp-Mermaid'
                              r'.*?</script>', re.S)


STYLE = re.compile(r"<style[^>]*>(.*?)</style>\s*", re.S)
DATA_IMAGE = re.compile(r'<img (?P<before>[^>]*)src="data:image/png;base64,(?P<data>[A-Za-z0-9+/=]+)"')


def _used_by(rule, classes: set[str]) -> bool:
    """Whether some selector of a CSS rule names only classes the page has."""
    import tinycss2

    for selector in tinycss2.serialize(rule.prelude).split(","):
        selector = re.sub(r":not\([^)]*\)", "", selector)
        if all(name in classes for name in re.findall(r"\.([\w-]+)", selector)):
            return True
    return False


def _prune(rules, classes: set[str]) -> list[str]:
    import tinycss2

    kept = []
    for rule in rules:
        if rule.type == "qualified-rule" and _used_by(rule, classes):
            kept.append(tinycss2.serialize([rule]))
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content:
            inner = _prune(tinycss2.parse_rule_list(rule.content, True, True), classes)
            if inner:
                kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(inner)}}}")
        elif rule.type == "at-rule":
            kept.append(tinycss2.serialize([rule]))
    return kept


def _drop_unused_variables(css: str) -> str:
    """JupyterLab's theme declares thousands of --jp-* custom properties; keep the ones that some
    property uses (through any chain of var() references)."""
    import tinycss2

    rules = tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)
    declared: dict[str, str] = {}
    used_text = []
    for rule in rules:
        if rule.type != "qualified-rule":
            used_text.append(tinycss2.serialize([rule]))
            continue
        for decl in tinycss2.parse_declaration_list(rule.content, True, True):
            if decl.type != "declaration":
                continue
            value = tinycss2.serialize(decl.value)
            if decl.name.startswith("--"):
                declared[decl.name] = declared.get(decl.name, "") + " " + value
            else:
                used_text.append(value)
    used = set(re.findall(r"var\(\s*(--[\w-]+)", " ".join(used_text)))
    pending = list(used)
    while pending:  # variables that used variables refer to
        for name in re.findall(r"var\(\s*(--[\w-]+)", declared.get(pending.pop(), "")):
            if name not in used:
                used.add(name)
                pending.append(name)
    kept = []
    for rule in rules:
        if rule.type != "qualified-rule":
            kept.append(tinycss2.serialize([rule]))
            continue
        decls = [d for d in tinycss2.parse_declaration_list(rule.content, True, True)
                 if d.type == "declaration" and (not d.name.startswith("--") or d.name in used)]
        if decls:
            body = ";".join(f"{d.name}:{tinycss2.serialize(d.value).strip()}{' !important' if d.important else ''}"
                            for d in decls)
            kept.append(f"{tinycss2.serialize(rule.prelude).strip()}{{{body}}}")
    return "".join(kept)


def used_css(css: str, page_html: str) -> str:
    """The rules of `css` that can apply to the page (by class names), cached in .cache/notebooks/."""
    import tinycss2

    classes = {name for attr in re.findall(r'class="([^"]*)"', page_html) for name in attr.split()}
    key = hashlib.sha256(css.encode() + " ".join(sorted(classes)).encode()
                         + Path(__file__).read_bytes()).hexdigest()  # this code prunes: part of the key
    cached = NOTEBOOKS / "css" / f"{key}.css"
    if not cached.is_file():
        rules = tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)
        write_atomically(cached, _drop_unused_variables("".join(_prune(rules, classes))))
    return cached.read_text(encoding="utf-8")


def external_styles(output: str, page, site_dir: str) -> str:
    """nbconvert puts about 600 KB of CSS (JupyterLab's whole theme) into every notebook page. Keep the
    rules the page can use (a quarter) and move them into a stylesheet the browser caches."""
    start, end = output.find("<article"), output.find("</article>")
    css = "\n".join(STYLE.findall(output[start:end]))
    if not css:
        return output
    css = used_css(css, output)
    name = f"assets/notebook-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
    target = Path(site_dir) / name
    if not target.is_file():
        write_atomically(target, css)
    link = f'<link rel="stylesheet" href="{"../" * page.url.count("/")}{name}">'
    article = STYLE.sub("", output[start:end])
    return output[:start] + article + output[end:].replace("</head>", link + "</head>", 1) \
        if "</head>" in output[end:] else output[:start].replace("</head>", link + "</head>", 1) + article + output[end:]


def image_files(output: str, page, site_dir: str) -> str:
    """The plots come as base64 PNGs inside the HTML (a third of a notebook page). Serve them as image
    files instead, with their width and height and lazy loading, so the text arrives first."""
    prefix = "../" * page.url.count("/")

    def replace(m: re.Match) -> str:
        png = base64.b64decode(m["data"])
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        name = f"assets/notebooks/{hashlib.sha256(png).hexdigest()[:16]}.png"
        target = Path(site_dir) / name
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(png)
        return (f'<img {m["before"]}width="{width}" height="{height}" loading="lazy" decoding="async" '
                f'src="{prefix}{name}"')
    return DATA_IMAGE.sub(replace, output)


def fix_html(output: str, page, lang: str, site_dir: str) -> str:
    """mkdocs-jupyter's page, made to fit the site."""
    output = image_files(external_styles(output, page, site_dir), page, site_dir)
    # Its template loads MathJax from a CDN; the site renders math itself (katex.py).
    output = NOTEBOOK_MATHJAX.sub("", output)
    # It also imports Mermaid from a CDN when a notebook might have diagrams (ours have none).
    output = NOTEBOOK_MERMAID.sub("", output)
    # nbconvert gives figures an English placeholder alt text; use the page's own, in its language.
    alts = json.loads(Path(page.file.abs_src_path).read_text(encoding="utf-8"))["metadata"]["figure_alts"]
    pieces = output.split(NBCONVERT_ALT)
    if len(pieces) - 1 != len(alts):
        raise SystemExit(f"{page.file.src_uri}: {len(pieces) - 1} figures but {len(alts)} alt texts")
    output = pieces[0] + "".join(f'alt="{html.escape(alt)}"{rest}' for alt, rest in zip(alts, pieces[1:]))
    # A download button for the .ipynb that mkdocs-jupyter copies beside the page (include_source).
    title = {"zh": "下载笔记本 (.ipynb)", "en": "Download the notebook (.ipynb)"}[lang]
    button = (f'<a href="{Path(page.file.abs_src_path).name}" download class="md-content__button md-icon" '
              f'title="{title}" aria-label="{title}">{DOWNLOAD_ICON}</a>')
    return output.replace(ARTICLE, ARTICLE + button, 1)
