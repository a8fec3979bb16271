"""A snippet's named sections, and running a snippet section by section as the build does.

A section is the code between `# --8<-- [start:name]` and `# --8<-- [end:name]` (markers at the start
of a line, sections neither nested nor repeated); pages show it with `--8<-- "file.py:name"` and show
what it printed with `--8<-- "file/name.txt"`. A marker out of place is an error naming the file and
line: a missing `[end:x]` would otherwise silently show the rest of the file on the page.
"""
from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import io
import re
import sys
import textwrap
from functools import lru_cache
from pathlib import Path

from mkdocs.exceptions import PluginError

from .layout import SNIPPETS

MARKER = re.compile(r"^(?P<indent>[ \t]*)# --8<-- \[(?P<kind>start|end):(?P<name>\w+)\]\s*$")


class SectionError(PluginError):
    """A section marker out of place: names the file and line."""


def split_sections(source: str, file: str = "snippet") -> list[tuple[str | None, int, str]]:
    """Cut a snippet into (section or None, first line number, code) chunks at the markers."""
    return list(_split(source, file))


@lru_cache(maxsize=256)  # every include, the comments and the page setups cut the same texts
def _split(source: str, file: str) -> tuple[tuple[str | None, int, str], ...]:
    chunks, name, opened, start, lines, seen = [], None, 0, 1, [], set()

    def error(number: int, text: str):
        return SectionError(f"snippets/{file}, line {number}: {text}")

    for number, line in enumerate(source.splitlines(keepends=True), 1):
        m = MARKER.match(line)
        if not m:
            lines.append(line)
            continue
        if m["indent"]:
            raise error(number, "a section marker starts the line (not indented)")
        if m["kind"] == "start":
            if name is not None:
                raise error(number, f"[start:{m['name']}] inside section '{name}' (opened on line "
                                    f"{opened}): close it with # --8<-- [end:{name}] first")
            if m["name"] in seen:
                raise error(number, f"section '{m['name']}' appears twice (a section has one name)")
            seen.add(m["name"])
        elif name is None:
            raise error(number, f"[end:{m['name']}] without a [start:{m['name']}] before it")
        elif m["name"] != name:
            raise error(number, f"[end:{m['name']}] closes section '{name}' (opened on line {opened}): "
                                f"write [end:{name}]")
        chunks.append((name, start, "".join(lines)))
        name, opened = (m["name"], number) if m["kind"] == "start" else (None, 0)
        start, lines = number + 1, []
    if name is not None:
        raise error(opened, f"section '{name}' is never closed: add # --8<-- [end:{name}]")
    chunks.append((name, start, "".join(lines)))
    return tuple(c for c in chunks if c[2].strip())


def section_at(source: str, line: int, file: str = "snippet") -> str | None:
    """The name of the section that holds line `line` (None: outside every section)."""
    for name, start, code in split_sections(source, file):
        if start <= line < start + code.count("\n") + 1:
            return name
    return None


def section_code(target: str, source: str | None = None) -> str:
    """The code of an include target 'file.py:section' as a page shows it: dedented, no blank edges."""
    file, _, name = target.partition(":")
    source = (SNIPPETS / file).read_text(encoding="utf-8") if source is None else source
    chunks = [code for section, _, code in split_sections(source, file) if section == name]
    if not chunks:
        raise KeyError(f"snippets/{file} has no section '{name}'")
    return textwrap.dedent(chunks[0]).strip("\n")


class _Sources(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the snippet modules from the texts given, not from the files: a run executes exactly
    the code its cache key was computed from, even if a file is saved again meanwhile."""

    def __init__(self, folder: Path, texts: dict[str, str]):
        self.folder, self.texts = folder, texts

    def find_spec(self, name, path=None, target=None):
        if f"{name}.py" in self.texts:
            return importlib.util.spec_from_loader(name, self, origin=str(self.folder / f"{name}.py"))
        return None

    def exec_module(self, module):
        module.__file__ = str(self.folder / f"{module.__name__}.py")
        exec(compile(self.texts[f"{module.__name__}.py"], module.__file__, "exec"), module.__dict__)


def run_sections(path: Path, argv: list[str] | None = None,
                 texts: dict[str, str] | None = None) -> tuple[dict, dict[str, str]]:
    """Execute a snippet as __main__, top to bottom in one namespace, like `python path`.

    `texts` (file name -> source) are the snippet and its modules as read before the run; without
    them the files are read now. Returns the namespace and the stdout of each named section (also
    echoed to real stdout).
    """
    path = Path(path).resolve()
    source = texts[path.name] if texts else path.read_text(encoding="utf-8")
    namespace = {"__name__": "__main__", "__file__": str(path)}
    outputs: dict[str, str] = {}
    old_argv, old_path, finder = sys.argv, list(sys.path), _Sources(path.parent, texts or {})
    sys.argv = [str(path), *(argv or [])]
    sys.path.insert(0, str(path.parent))
    sys.meta_path.insert(0, finder)
    try:
        for name, start, code in split_sections(source, path.name):
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                # Pad with newlines so tracebacks point at the real line numbers.
                exec(compile("\n" * (start - 1) + code, str(path), "exec"), namespace)
            sys.stdout.write(buffer.getvalue())
            if name:
                outputs[name] = outputs.get(name, "") + buffer.getvalue()
    finally:
        sys.argv, sys.path[:] = old_argv, old_path
        sys.meta_path.remove(finder)
    return namespace, outputs
