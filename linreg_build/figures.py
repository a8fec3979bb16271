"""The snippets' figures as the site serves them: smaller, and sized in the page.

Each PNG a snippet saved is reduced to a 256-colour palette (plots are flat colours and antialiased
lines: a third of the bytes, no visible change), cached by its content in .cache/figures/. In the page
every figure gets its height (from the width the page gives and the image's proportions, so nothing
moves when it loads) and loads lazily, except a figure before the first section heading.
"""
from __future__ import annotations

import base64
import io
import re

from mkdocs.exceptions import PluginError

from . import atomic, keys
from .layout import CACHE

OPTIMISED = CACHE / "figures"
FIGURE = re.compile(r"^(?:\.\./)*assets/figures/(?P<name>[\w-]+)\.png$")


def optimise(png: bytes) -> bytes:
    path = OPTIMISED / f"{keys.cache_key('figure', png, packages=['pillow'], code=['figures'])}.png"
    if path.is_file():
        atomic.touch(path)
        return path.read_bytes()
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, "PNG", optimize=True)
    small = out.getvalue() if len(out.getvalue()) < len(png) else png
    atomic.write(path, small)
    return small


def collect(runs: dict[str, dict]) -> dict[str, bytes]:
    """Every figure the snippets saved, made smaller; two snippets saving one name is an error (one
    page would silently show the other's figure)."""
    saved_by: dict[str, str] = {}
    for snippet, run in sorted(runs.items()):
        for name in run["figures"]:
            if name in saved_by:
                raise PluginError(f"snippets/{saved_by[name]}.py and snippets/{snippet}.py both save a figure "
                                  f"named {name}.png: rename one")
            saved_by[name] = snippet
    return {name: optimise(base64.b64decode(runs[snippet]["figures"][name])) for name, snippet in saved_by.items()}


def size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def place(soup, sizes: dict[str, tuple[int, int]], where: str) -> None:
    """Give every figure of a parsed page its width and height, and lazy loading below the first
    section heading."""
    for img in soup.find_all("img", src=FIGURE):
        name = FIGURE.search(img["src"])["name"]
        if name not in sizes:
            raise PluginError(f"{where}: no figure {name}.png was saved by any snippet")
        natural_w, natural_h = sizes[name]
        w = int(img.get("width") or natural_w)
        for attr in ("width", "height", "loading", "decoding"):
            img.attrs.pop(attr, None)
        img["width"], img["height"] = str(w), str(round(w * natural_h / natural_w))
        if img.find_previous("h2") is not None:
            img["loading"] = "lazy"
        img["decoding"] = "async"
