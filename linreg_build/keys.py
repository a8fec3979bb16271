"""One recipe for every cache key of the build.

A cached result may be reused only if everything that made it is the same, so every key mixes in,
besides the inputs its caller names:
- the Python version;
- the installed versions of the packages doing the work, with everything they depend on
  (importlib.metadata: an upgrade of Markdown, torch or KaTeX's Node wrapper changes the key);
- the source of the glue modules doing the work (an edit of runner.py re-runs the snippets; an edit
  of katex.py re-renders the formulas).

    cache_key("page", markdown, url, packages=["Markdown", ...], code=["page_cache"])
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from . import atomic
from .layout import CACHE

GLUE = Path(__file__).resolve().parent


def _name(requirement: str) -> str:
    return re.split(r"[\s;\[<>=!~(]", requirement.strip(), maxsplit=1)[0]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@lru_cache(maxsize=None)
def _distribution(name: str) -> tuple[str, str, tuple[str, ...]] | None:
    """(name, version, names it requires unconditionally) of an installed distribution."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    requires = tuple(_canonical(_name(r)) for r in dist.requires or () if "extra ==" not in r)
    return _canonical(dist.metadata["Name"]), dist.version, requires


@lru_cache(maxsize=None)
def versions(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The installed versions of the distributions `names` and of everything they require."""
    seen: dict[str, str] = {}
    pending = [_canonical(n) for n in names]
    while pending:
        found = _distribution(pending.pop())
        if found and found[0] not in seen:
            seen[found[0]] = found[1]
            pending += found[2]
    return tuple(sorted(seen.items()))


@lru_cache(maxsize=None)
def _module_distributions() -> dict[str, list[str]]:
    """The distributions providing each top-level module. importlib.metadata reads every installed
    package's file list for it (half a second a build): kept in .cache/ for this set of installed
    distributions (their .dist-info folders name each one with its version)."""
    installed = sorted(name for folder in sys.path if os.path.isdir(folder) for name in os.listdir(folder)
                       if name.endswith((".dist-info", ".egg-info")))
    path = CACHE / "distributions" / f"{hashlib.sha256(chr(10).join(installed).encode()).hexdigest()[:16]}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        found = metadata.packages_distributions()
        atomic.write(path, json.dumps(found))
        return found


@lru_cache(maxsize=None)
def _provided_by(module: str) -> tuple[str, ...]:
    if module in sys.stdlib_module_names or importlib.util.find_spec(module) is None:
        return ()  # the standard library, or not installed (a snippet module)
    if _distribution(module):  # most packages are named like their module (torch, numpy): fast
        return (_distribution(module)[0],)
    return tuple(_module_distributions().get(module, ()))  # reads every installed package's file list


def distributions_of(modules) -> tuple[str, ...]:
    """The installed distributions that provide these top-level modules (others: the standard
    library or the repository's own files)."""
    return tuple(sorted({d for m in modules for d in _provided_by(m.split(".")[0])}))


def glue(modules) -> bytes:
    digest = hashlib.sha256()
    for module in sorted(set(modules) | {"keys"}):
        path = GLUE / f"{module}.py"
        digest.update(module.encode() + b"\0" + _cached_read(path, path.stat().st_mtime_ns))
    return digest.digest()


@lru_cache(maxsize=64)
def _cached_read(path: Path, mtime: int) -> bytes:
    return path.read_bytes()


def cache_key(kind: str, *parts, packages=(), code=()) -> str:
    """The key of a `kind` of result made from `parts` (anything JSON can write, or bytes), by the
    installed `packages` (distribution names) and the glue modules `code` (names in linreg_build)."""
    digest = hashlib.sha256(kind.encode() + b"\0" + sys.version.encode())
    digest.update(json.dumps(versions(tuple(sorted(packages)))).encode())
    digest.update(glue(code))
    for part in parts:
        digest.update(b"\0" + (part if isinstance(part, bytes) else json.dumps(part, ensure_ascii=False).encode()))
    return digest.hexdigest()
