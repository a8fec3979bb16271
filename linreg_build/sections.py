"""A snippet's named sections, and running a snippet section by section as the build does.

A section is the code between `# --8<-- [start:name]` and `# --8<-- [end:name]`; pages show it with
`--8<-- "file.py:name"` and show what it printed with `--8<-- "file/name.txt"`.
"""
from __future__ import annotations

import contextlib
import io
import re
import sys
import textwrap
from pathlib import Path

from .layout import SNIPPETS

MARKER = re.compile(r"^[ \t]*# --8<-- \[(start|end):(\w+)\]\s*$")


def split_sections(source: str) -> list[tuple[str | None, int, str]]:
    """Cut a snippet into (section or None, first line number, code) chunks at the markers."""
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


def section_lines(source: str, name: str) -> list[tuple[int, str]]:
    """(line number, code) of every chunk of section `name`, in order (a section may repeat)."""
    return [(start, code) for section, start, code in split_sections(source) if section == name]


def section_code(target: str, source: str | None = None) -> str:
    """The code of an include target 'file.py:section' as a page shows it: dedented, no blank edges."""
    file, _, name = target.partition(":")
    source = (SNIPPETS / file).read_text(encoding="utf-8") if source is None else source
    chunks = section_lines(source, name)
    if not chunks:
        raise KeyError(f"snippets/{file} has no section '{name}'")
    return textwrap.dedent("".join(code for _, code in chunks)).strip("\n")


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
