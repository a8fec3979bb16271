"""Run every snippet before a build, each in a fresh process of its own, and cache what it printed.

At the start of a build the snippet files are read once (`read_sources`); everything after works
from those texts: each snippet's key is the hash of the texts of the snippet and of the snippet
modules it imports (keys.cache_key: plus the Python, the installed packages it imports with their
dependencies, and this code), the run executes exactly those texts, and the pages show the code
from them. So a page never shows code beside the output of other code, even when a file is saved
while the build runs; a run whose files changed during it is shown by that build (code and output
agree) but not kept, and the next build (`mkdocs serve` starts one) runs the new text.

A run is one file, .cache/runs/<snippet>/<key>.json: its key, the stdout of each named section and
the figures it saved (base64 PNG). It is written whole or not at all (atomic.py) and is looked up by
key, and its key is checked when it is read. Runs unused for two days are pruned.
LINREG_FRESH=1 runs everything again (once per process).

Processes are forked from a server that has already imported torch and matplotlib (about a second
saved per snippet); they run as many at a time as this process may use cores, benchmarks
(layout.BENCHMARKS) last and alone. A job running longer than LINREG_TIMEOUT seconds (default 300) is
stopped and named; Ctrl-C (or the end of `mkdocs serve`) stops every running job with the processes
it started, and nothing queued starts after it.

    python -m linreg_build.runner snippets/scratch.py [OUT.json]   # run one snippet as the build does
"""
from __future__ import annotations

import base64
import contextlib
import datetime
import io
import json
import logging
import multiprocessing
import os
import platform
import re
import signal
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from functools import lru_cache
from pathlib import Path

from mkdocs.exceptions import PluginError

from . import atomic, keys
from .layout import BENCHMARKS, CACHE, ROOT, SNIPPETS, page_snippets
from .sections import run_sections, section_at

log = logging.getLogger("mkdocs.plugins.linreg")
RUNS = CACHE / "runs"
# Variables that change what a snippet computes (thread counts change float sums' order).
ENVIRONMENT = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE")


class RunError(PluginError):
    """A snippet or notebook failed, hung or could not start: the message names it."""


def read_sources() -> dict[str, str]:
    """Every file of snippets/, read once: file name -> text."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SNIPPETS.glob("*.py"))}


IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\w+)[\w.]*[ \t]+import\b|import[ \t]+([\w., \t]+))", re.M)


@lru_cache(maxsize=512)
def imported_modules(text: str) -> tuple[str, ...]:
    """The top-level names of the modules a source imports (read from its import lines: parsing
    every snippet would take a fifth of a warm build; a name too many only widens a key)."""
    names = set()
    for from_module, modules in IMPORT.findall(text):
        names |= {from_module} if from_module else {m.split()[0].split(".")[0] for m in modules.split(",") if m.strip()}
    return tuple(sorted(names))


def local_imports(file: str, sources: dict[str, str]) -> list[str]:
    """The snippet and the files of snippets/ it imports, directly or through each other."""
    seen, pending = set(), [file]
    while pending:
        name = pending.pop()
        if name in seen or name not in sources:
            continue
        seen.add(name)
        pending += [f"{m}.py" for m in imported_modules(sources[name])]
    return sorted(seen)


def snippet_key(file: str, sources: dict[str, str]) -> str:
    """Cache key: the texts of the snippet and its snippet modules, the installed packages they import
    (and what those need), the variables in ENVIRONMENT, the Python, and the code that runs them."""
    files = local_imports(file, sources)
    modules = {m for f in files for m in imported_modules(sources[f])} - {f.removesuffix(".py") for f in sources}
    return keys.cache_key("run", {f: sources[f] for f in files},
                          {name: os.environ.get(name) for name in ENVIRONMENT},
                          packages=keys.distributions_of(modules), code=["runner", "sections"])


def run_file(stem: str, key: str) -> Path:
    return RUNS / stem / f"{key}.json"


def load_run(stem: str, key: str) -> dict | None:
    """The cached run of this key, if there is one and it says it is of this key."""
    file = run_file(stem, key)
    try:
        record = _read_run(file, file.stat().st_mtime_ns)
    except (OSError, ValueError):
        return None
    return record if record.get("key") == key and "outputs" in record else None


@lru_cache(maxsize=128)
def _read_run(file: Path, mtime: int) -> dict:
    return json.loads(file.read_text(encoding="utf-8"))  # runs are replaced, never changed in place


def where_it_failed(path: Path, error: BaseException, texts: dict[str, str] | None = None) -> str:
    """'snippets/x.py, line N (section s)' where the error happened: the last traceback frame in the
    snippet's folder (its own code or a module of it), the line of a syntax error, else the snippet."""
    if isinstance(error, SyntaxError) and error.filename and Path(error.filename).parent == path.parent:
        file, line = Path(error.filename).name, error.lineno
    else:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).parent == path.parent]
        if not frames:
            return f"{path.parent.name}/{path.name}"
        file, line = Path(frames[-1].filename).name, frames[-1].lineno
    source = (texts or {}).get(file)
    if source is None and (path.parent / file).is_file():
        source = (path.parent / file).read_text(encoding="utf-8")
    section = section_at(source, line, file) if source else None
    return f"{path.parent.name}/{file}, line {line}" + (f" (section {section})" if section else "")


def execute(path: Path, argv: list[str] | None = None, texts: dict[str, str] | None = None) -> dict:
    """Run one snippet in this process (from `texts` if given); return its record (outputs, figures,
    time) or its error. The record's key is the caller's to add: it knows what `texts` were."""
    path = Path(path).resolve()
    started = time.perf_counter()
    previous = os.environ.get("LINREG_FIGURES")
    with tempfile.TemporaryDirectory() as figures, tempfile.TemporaryDirectory() as scratch:
        os.environ["LINREG_FIGURES"] = figures  # where _plot.save_figure saves
        tempfile.tempdir = scratch  # what a snippet puts in a temporary folder goes with the run
        stderr = io.StringIO()
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
                _, outputs = run_sections(path, argv, texts)
        except BaseException as error:  # noqa: BLE001 (a snippet may even call sys.exit)
            trace = traceback.format_exception(error)
            # the snippet's own frames, not the runner's and exec's
            trace = [line for line in trace if "linreg_build" not in line]
            return {"error": f"{where_it_failed(path, error, texts)} failed:\n{stderr.getvalue()}{''.join(trace)}"}
        finally:
            tempfile.tempdir = None
            if previous is None:
                del os.environ["LINREG_FIGURES"]
            else:
                os.environ["LINREG_FIGURES"] = previous
        saved = {p.stem: base64.b64encode(p.read_bytes()).decode() for p in sorted(Path(figures).glob("*.png"))}
    return {"snippet": path.name, "outputs": outputs, "figures": saved,
            "seconds": round(time.perf_counter() - started, 2)}


def _child(path: str, texts: dict[str, str], out: str) -> None:
    """In a forked process: run the snippet and write its record (an error is a record too)."""
    record = execute(Path(path), texts=texts)
    atomic.write(Path(out), json.dumps(record, ensure_ascii=False))


# ---------------------------------------------------------------- processes

_server = None
PRELOAD = ["torch", "matplotlib", "matplotlib.pyplot", "linreg_build.runner"]  # what the server imports
_live: set = set()                 # processes running now
_stopping = threading.Event()      # set by Ctrl-C or the end of `mkdocs serve`: start nothing more


def forkserver():
    """A process context whose children start with torch and matplotlib already imported. The
    server (so every child) gets its own environment: a fixed hash seed, and this package importable."""
    global _server
    if _server is None:
        _server = multiprocessing.get_context("forkserver")
        _server.set_forkserver_preload(PRELOAD)
        saved = {k: os.environ.get(k) for k in ("PYTHONHASHSEED", "PYTHONPATH")}
        os.environ["PYTHONHASHSEED"] = "0"
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), saved["PYTHONPATH"]]))
        try:
            first = _server.Process(target=int)  # starts the server now, with that environment
            first.start()
            first.join()
        finally:
            for k, v in saved.items():  # and leaves this process's own as it was
                os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    return _server


def timeout() -> float:
    """LINREG_TIMEOUT: seconds one snippet or notebook may run (default 300)."""
    return float(os.environ.get("LINREG_TIMEOUT") or 300)


def stop(process) -> None:
    """End a child process and every process it started (a notebook's kernel, a snippet's workers)."""
    import psutil

    try:
        tree = psutil.Process(process.pid).children(recursive=True)
    except psutil.Error:
        tree = []
    for p in [process, *tree]:
        with contextlib.suppress(Exception):
            os.kill(p.pid, signal.SIGKILL)
    process.join(5)


def stop_all() -> None:
    """Ctrl-C or shutdown: nothing new starts, everything running is ended."""
    _stopping.set()
    for process in list(_live):
        stop(process)


def _ignore_interrupts(target, *args):
    """In the child: Ctrl-C is the parent's to handle (it ends the child and what the child started,
    a notebook kernel included; a child dying on its own could leave those behind). SIGUSR1 writes
    where the child is (the parent asks before stopping a child that ran too long)."""
    import faulthandler

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    faulthandler.register(signal.SIGUSR1, file=open(f"{args[-1]}.stack", "w"), all_threads=False)  # noqa: SIM115
    target(*args)


def where_it_hangs(process, out: Path) -> str:
    """' (at snippets/x.py, line N)': the innermost frame of the snippets' folder the child is in."""

    with contextlib.suppress(OSError):
        os.kill(process.pid, signal.SIGUSR1)
        time.sleep(0.5)
        stack = Path(f"{out}.stack").read_text()
        frames = re.findall(r'File "([^"]+)", line (\d+)', stack)  # innermost first
        for file, line in frames:
            if Path(file).parent == SNIPPETS:
                return f" (at snippets/{Path(file).name}, line {line})"
    return ""


def in_own_process(target, args: tuple, what: str) -> dict:
    """Run target(*args, out) in a process forked from the server; return the record it wrote to
    `out` (a dict, with "error" when it failed, hung or died)."""
    if _stopping.is_set():
        return {"error": f"{what}: not started, the build was interrupted"}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.json"
        process = forkserver().Process(target=_ignore_interrupts, args=(target, *args, str(out)))
        process.start()
        _live.add(process)
        try:
            process.join(timeout())
            if process.is_alive():
                where = where_it_hangs(process, out)
                stop(process)
                return {"error": f"{what} ran longer than {timeout():.0f} s and was stopped{where} "
                                 "(LINREG_TIMEOUT=seconds sets the limit)"}
        finally:
            _live.discard(process)
        if not out.is_file():
            return {"error": f"{what} died (exit code {process.exitcode}) before reporting"}
        return json.loads(out.read_text(encoding="utf-8"))


def workers() -> int:
    """As many jobs at a time as this process may use cores (a container or taskset may allow fewer
    than the machine has)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


class Progress:
    """`[k/N]` over all the job groups of a build (snippets, then the benchmarks alone)."""

    def __init__(self, total: int):
        self.done, self.total = 0, total

    def log(self, name: str, error: str | None, seconds: float) -> None:
        self.done += 1
        log.info(f"[{self.done}/{self.total}] {name} {'FAILED' if error else 'ran'} in {seconds:.1f} s")


def run_jobs(jobs: dict[str, callable], workers: int, progress: Progress | None = None) -> dict[str, str]:
    """Run named jobs (each returns an error or None) `workers` at a time, logging each as it ends;
    return the errors by job name. An interrupt stops the running jobs, cancels the queued ones, and
    is raised again."""
    errors = {}
    progress = progress or Progress(len(jobs))
    pool = ThreadPoolExecutor(max_workers=workers)

    def timed(job):
        t0 = time.perf_counter()
        return job(), time.perf_counter() - t0
    try:
        started = {pool.submit(timed, job): name for name, job in jobs.items()}
        for future in as_completed(started):
            error, seconds = future.result()
            progress.log(started[future], error, seconds)
            if error:
                errors[started[future]] = error
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        stop_all()
        raise
    pool.shutdown()
    return errors


def report(errors: dict[str, str]) -> str:
    """The errors, each once: a broken module that many snippets import fails them all alike."""
    by_text: dict[str, list[str]] = {}
    for name, error in errors.items():
        by_text.setdefault(error, []).append(name)
    return "\n\n".join(error if len(names) == 1 else f"{error.rstrip()}\n(the same in {', '.join(names)})"
                        for error, names in by_text.items())


ran_here: set[str] = set()  # keys run by this process, so LINREG_FRESH runs each once, not per rebuild


def is_fresh() -> bool:
    """LINREG_FRESH=1: run everything again (once per process) whatever the cache holds."""
    return os.environ.get("LINREG_FRESH") == "1"


def cached(key: str, load) -> dict | None:
    """A cached record, unless LINREG_FRESH asks for a new run this process has not made yet."""
    return None if is_fresh() and key not in ran_here else load()


def made_with() -> dict[str, str]:
    """What a run was made with, for the page's stamp (stamp.py)."""
    from importlib.metadata import version

    return {"python": platform.python_version(), "torch": version("torch").split("+")[0],
            "date": datetime.date.today().isoformat()}


def snippet_job(path: Path, sources: dict[str, str], key: str, runs: dict[str, dict]):
    """A job: run the snippet from `sources` into runs[stem]; keep it in the cache if its files still
    hold what ran (a file saved meanwhile: the next build runs the new text)."""
    texts = {f: sources[f] for f in local_imports(path.name, sources)}

    def job() -> str | None:
        record = in_own_process(_child, (str(path), texts), f"snippets/{path.name}")
        if "error" in record:
            return record["error"]
        record["key"] = key
        record["made_with"] = made_with()
        runs[path.stem] = record
        ran_here.add(key)
        if all((SNIPPETS / f).is_file() and (SNIPPETS / f).read_text(encoding="utf-8") == t for f, t in texts.items()):
            atomic.write(run_file(path.stem, key), json.dumps(record, ensure_ascii=False))
        else:
            log.info(f"snippets/{path.name} changed while it ran: shown as it ran, run again next build")
        return None
    return job


def run_everything(sources: dict[str, str], first: dict[str, callable] | None = None,
                   then: dict[str, callable] | None = None) -> dict[str, dict]:
    """Every page snippet's run for `sources`, from the cache or run now, with the jobs `first` (run
    beside the snippets) and `then` (after them); raise RunError naming every failure."""
    _stopping.clear()
    runs, stale = {}, []
    for path in page_snippets():
        key = snippet_key(path.name, sources)
        record = cached(key, lambda: load_run(path.stem, key))
        if record is None:
            stale.append((path, key))
        else:
            runs[path.stem] = record
            atomic.touch(run_file(path.stem, key))
    jobs = {f"snippets/{p.name}": snippet_job(p, sources, k, runs) for p, k in stale if p.stem not in BENCHMARKS}
    jobs.update(first or {})
    benchmarks = {f"snippets/{p.name} (benchmark, alone)": snippet_job(p, sources, k, runs)
                  for p, k in stale if p.stem in BENCHMARKS}
    progress = Progress(len(jobs) + len(benchmarks) + len(then or {}))
    if progress.total:
        log.info(f"Running {progress.total} snippets and notebooks, {workers()} at a time "
                 "(cached in .cache/ afterwards)")
    errors = run_jobs(jobs, workers(), progress)
    if benchmarks and not errors:
        errors = run_jobs(benchmarks, 1, progress)  # timings with nothing else running
    if then and not errors:
        errors = run_jobs(then, workers(), progress)
    if errors:
        raise RunError(report(errors))
    return runs


def current_runs(sources: dict[str, str] | None = None) -> dict[str, dict | None]:
    """Each page snippet's cached run of its files as they are now (None where there is none)."""
    sources = read_sources() if sources is None else sources
    return {p.stem: load_run(p.stem, snippet_key(p.name, sources)) for p in page_snippets()}


def prune(days: float = 2) -> None:
    """Forget runs not used for `days` (every edit under `mkdocs serve` leaves one behind)."""
    atomic.forget_unused(RUNS, "*/*.json", days)


if __name__ == "__main__":
    snippet = Path(sys.argv[1])
    record = execute(snippet, sys.argv[3:])
    if "error" in record:
        sys.exit(record["error"])
    for name, text in record["outputs"].items():
        print(f"--- {snippet.stem}/{name}.txt\n{text}", end="" if text.endswith("\n") else "\n")
    if len(sys.argv) > 2:
        atomic.write(Path(sys.argv[2]), json.dumps(record, ensure_ascii=False, indent=1))
