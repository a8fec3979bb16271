"""Results a build computed from texts, kept in .cache/<kind>/ for the next process.

A `Memo` is one JSON file per version of the code that computes the results (its name is a cache
key: keys.py), mapping a key (a hash of the inputs) to a result. A build reads it once, and at its
end writes what it used, if that differs from the file: results nobody uses any more drop out.
"""
from __future__ import annotations

import json

from . import atomic, keys
from .layout import CACHE


class Memo:
    def __init__(self, kind: str, packages: list[str], code: list[str]):
        name = keys.cache_key(kind, packages=packages, code=code)
        self.path = CACHE / kind / f"{name[:16]}.json"
        self._stored: dict | None = None
        self.on_disk: set[str] = set()
        self.used: dict = {}

    @property
    def stored(self) -> dict:
        if self._stored is None:
            try:
                self._stored = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._stored = {}
            self.on_disk = set(self._stored)
        return self._stored

    def get(self, key: str, compute):
        """The result stored under `key`, or compute() stored there."""
        if key not in self.stored:
            self.stored[key] = compute()
        self.used[key] = self.stored[key]
        return self.used[key]

    def save(self) -> None:
        """Write what this process used (old versions drop out), if it differs from the file."""
        if self.used and self.used.keys() != self.on_disk:
            atomic.write(self.path, json.dumps(self.used, ensure_ascii=False))
            self.on_disk = set(self.used)
