"""Under `mkdocs serve`, notebooks are executed after the build, not before it.

A snippet edit re-runs the snippet (under a second) and, on a practice page, its notebook (five
seconds or more: a Jupyter kernel starts). The pages should not wait for the notebook: the build
shows them at once, the notebook page says that it is being executed (never old outputs beside new
code), and when the execution ends it writes into READY, which `mkdocs serve` watches (hooks.on_serve):
the site rebuilds, now with the outputs from the cache. A failed execution is reported by the next
build as a build error (serve keeps running), until the code changes.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from pathlib import Path

from . import atomic, runner

log = logging.getLogger("mkdocs.plugins.linreg")
READY: Path | None = None      # set by `watch` under `mkdocs serve`
_in_flight: set[str] = set()     # keys being executed now
_failed: dict[str, str] = {}      # key -> its error, for as long as the code stays the same


def watch(server) -> None:
    """Under `mkdocs serve`: a folder the server watches, where a finished execution writes."""
    global READY
    READY = Path(tempfile.mkdtemp(prefix="linreg-serve-"))
    server.watch(str(READY))


def unwatch() -> None:
    if READY is not None:
        shutil.rmtree(READY, ignore_errors=True)


def start(jobs: dict[str, callable], keys: dict[str, str]) -> None:
    """Run the jobs ("notebook <page>" -> job) in a thread; `keys` are the pages' execution keys."""
    for name in jobs:
        if keys[name.removeprefix("notebook ")] in _failed:
            raise runner.RunError(_failed[keys[name.removeprefix("notebook ")]])
    todo = {}
    for name, job in jobs.items():
        key = keys[name.removeprefix("notebook ")]
        if key not in _in_flight:
            _in_flight.add(key)
            todo[name] = _reporting(name, job, key)
    if todo:
        log.info(f"Executing {len(todo)} notebooks after this build; the site reloads when they are done")
        threading.Thread(target=runner.run_jobs, args=(todo, runner.workers()), daemon=True).start()


def _reporting(name: str, job, key: str):
    def run() -> str | None:
        try:
            error = job()
        except Exception as exception:  # noqa: BLE001 (reported, not raised: this is a thread)
            error = f"{name}: {exception}"
        finally:
            _in_flight.discard(key)
        if error:
            _failed[key] = error
            log.error(error)
        if READY is not None:
            atomic.write(READY / "last", f"{name} {time.time()}\n")  # mkdocs serve rebuilds
        return error
    return run
