"""Writing the build's files: whole or not at all, and a clear message when .cache/ is not writable.

Every file the build keeps (.cache/) or writes beside the site goes through `write`: it writes a
temporary file in the same folder and renames it, so a reader (another build, `mkdocs serve`, a test)
sees the complete old file or the complete new one, never half of either; an interrupted write leaves
a stray temporary file (`.name.XXXX`), which no reader looks at, rather than a truncated cache entry.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

from mkdocs.exceptions import PluginError

from .layout import CACHE


def write(path: Path, data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `path` atomically, creating its folder."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
            tmp.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp.name, 0o644)  # readable by a web server, like any file the build writes
        os.replace(tmp.name, path)
    except OSError as error:
        raise PluginError(cannot_write(path, error)) from None


def cannot_write(path: Path, error: OSError) -> str:
    where = CACHE if Path(path).is_relative_to(CACHE) else Path(path).parent
    return (f"cannot write {path}: {error.strerror or error}. The build keeps what it ran and rendered in "
            f"{where}/: make it writable (or delete it: the next build runs everything again).")


def touch(path: Path) -> None:
    """Mark a cache entry as used (pruning keeps used entries); a read-only cache only loses that."""
    try:
        os.utime(path)
    except OSError:
        pass


def forget_unused(folder: Path, pattern: str, days: float = 2) -> None:
    """Delete the cache entries under `folder` matching `pattern` not used (`touch`ed) for `days`:
    every edit leaves an entry behind. Safe beside another build pruning the same folder."""
    limit = time.time() - days * 86400
    for path in Path(folder).glob(pattern):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()
