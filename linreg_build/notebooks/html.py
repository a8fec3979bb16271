"""mkdocs-jupyter's HTML of a notebook page, made to fit the site (through BeautifulSoup):

- nbconvert puts about 600 KB of CSS (JupyterLab's whole theme) into every notebook page: the rules
  the page can use (a quarter) move into a stylesheet the browser caches, without the thousands of
  --jp-* variables nothing uses;
- plots come as base64 PNGs inside the HTML (a third of the page): they become image files with
  their width and height and lazy loading, so the text arrives first;
- the template loads MathJax and Mermaid from a CDN: the site renders math itself (katex.py) and
  has no diagrams, so both scripts go;
- nbconvert's English placeholder alt text becomes the page's own, in its language;
- a download button for the .ipynb that mkdocs-jupyter copies beside the page.

Parsing a notebook page takes a tenth of a second or more, so the result (with the stylesheet and
images it makes) is cached in .cache/notebooks/html/ by the page's HTML and this code.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

from .. import atomic, keys
from ..soup import parse, serialize
from .execute import NOTEBOOKS

HTML = NOTEBOOKS / "html"
NBCONVERT_ALT = "No description has been provided for this image"
DOWNLOAD_TITLE = {"zh": "下载笔记本 (.ipynb)", "en": "Download the notebook (.ipynb)"}
DOWNLOAD_ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
                 '<path d="M5 20h14v-2H5m14-9h-4V3H9v6H5l7 7z"/></svg>')  # Material's "download" icon


class NotebookHtmlError(Exception):
    pass




# ---------------------------------------------------------------- CSS

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


def used_css(css: str, classes: set[str]) -> str:
    """The rules of `css` that can apply to a page with these class names."""
    import tinycss2

    rules = tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)
    return _drop_unused_variables("".join(_prune(rules, classes)))


# ---------------------------------------------------------------- the page

def _fix(output: str, prefix: str, lang: str, alts: list[str], notebook_name: str) -> tuple[str, dict[str, bytes]]:
    """The fixed page and the files it refers to (site path -> bytes). `prefix` leads from the page
    to the site's root."""
    from bs4 import BeautifulSoup, Comment

    soup = parse(output)
    article = soup.find("article", class_="md-content__inner")
    assets: dict[str, bytes] = {}

    styles = article.find_all("style")
    css = "\n".join(style.get_text() for style in styles)
    for style in styles:
        style.decompose()
    if css:
        classes = {name for tag in soup.find_all(class_=True) for name in tag["class"]}
        pruned = used_css(css, classes).encode()
        name = f"assets/notebook-{hashlib.sha256(pruned).hexdigest()[:12]}.css"
        assets[name] = pruned
        soup.head.append(soup.new_tag("link", rel="stylesheet", href=prefix + name))

    figures = 0
    for img in article.find_all("img", src=re.compile(r"^data:image/png;base64,")):
        png = base64.b64decode(img["src"].partition(",")[2])
        name = f"assets/notebooks/{hashlib.sha256(png).hexdigest()[:16]}.png"
        assets[name] = png
        img["src"] = prefix + name
        img["width"], img["height"] = str(int.from_bytes(png[16:20], "big")), str(int.from_bytes(png[20:24], "big"))
        img["loading"], img["decoding"] = "lazy", "async"
        if img.get("alt") == NBCONVERT_ALT:
            if figures >= len(alts):
                raise NotebookHtmlError(f"more figures than the page's {len(alts)} alt texts")
            img["alt"] = alts[figures]
            figures += 1
    if figures != len(alts):
        raise NotebookHtmlError(f"{figures} figures but {len(alts)} alt texts on the page")

    for script in soup.find_all("script"):
        text = script.get_text()
        src = script.get("src")
        if (src == "" or "mathjax" in (src or "").lower() or script.get("type") == "text/x-mathjax-config"
                or (script.get("type") == "module" and "jp-Mermaid" in text)):
            script.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment) and "mathjax" in s.lower()):
        comment.extract()

    title = DOWNLOAD_TITLE[lang]
    button = BeautifulSoup(f'<a href="{notebook_name}" download class="md-content__button md-icon" '
                           f'title="{title}" aria-label="{title}">{DOWNLOAD_ICON}</a>', "html.parser")
    article.insert(0, button)
    return serialize(soup), assets


def fix_html(output: str, page, lang: str, site_dir: str) -> str:
    """The page fixed (from the cache when this HTML was fixed before), its files written to the site."""
    notebook = Path(page.file.abs_src_path)
    alts = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["figure_alts"]
    prefix = "../" * page.url.count("/")
    key = keys.cache_key("notebook-html", output, prefix, lang, alts, notebook.name,
                         packages=["beautifulsoup4", "tinycss2"], code=["notebooks/html", "soup"])
    entry = HTML / key[:2] / f"{key}.json"
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
        atomic.touch(entry)
    except (OSError, ValueError):
        try:
            html, assets = _fix(output, prefix, lang, alts, notebook.name)
        except NotebookHtmlError as error:
            raise PluginError(f"{page.file.src_uri}: {error}") from None
        data = {"html": html, "assets": {name: base64.b64encode(b).decode() for name, b in assets.items()}}
        atomic.write(entry, json.dumps(data, ensure_ascii=False))
    for name, b64 in data["assets"].items():
        target = Path(site_dir) / name
        if not target.is_file():
            atomic.write(target, base64.b64decode(b64))
    return data["html"]
