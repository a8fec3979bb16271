"""Run every snippet before a build, each in a fresh process of its own, and cache what it printed.

One run of a snippet is one file, .cache/snippets/<name>.json: the key it ran for, the stdout of
each named section and the figures it saved (base64 PNG). The file is written to a temporary name and
renamed, so a reader sees a complete run or the previous one, never half of each, even while another
build (a test run beside `mkdocs serve`) writes. A build reads all of them once (`snapshot`) and shows
that one snapshot in both languages.

The key is the hash of the snippet, the snippet modules it imports, requirements.txt and the Python
version: the same key means the same code in the same environment, so a warm build runs nothing.
LINREG_FRESH=1 runs everything again (once per process).

Processes are forked from a server that has already imported torch and matplotlib (about a second
saved per snippet); they run two at a time, benchmarks (layout.BENCHMARKS) last and alone.

    python -m linreg_build.runner snippets/scratch.py [OUT.json]   # run one snippet as the build does
"""
from __future__ import annotations

import ast
import base64
import contextlib
import hashlib
import io
import json
import logging
import multiprocessing
import os
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from functools import lru_cache
from pathlib import Path

from .layout import BENCHMARKS, CACHE, ROOT, SNIPPETS, page_snippets
from .sections import run_sections

log = logging.getLogger("mkdocs.plugins.linreg")
RUNS = CACHE / "snippets"


def local_imports(path: Path, seen: set[Path] | None = None) -> set[Path]:
    """The snippet and the files of snippets/ it imports, directly or through each other."""
    seen = set() if seen is None else seen
    seen.add(path)
    for name in _imported_names(path, path.stat().st_mtime_ns):
        module = SNIPPETS / f"{name.split('.')[0]}.py"
        if module.is_file() and module not in seen:
            local_imports(module, seen)
    return seen


@lru_cache(maxsize=256)
def _imported_names(path: Path, mtime: int) -> list[str]:
    """The modules a file imports (cached by its modification time: rebuilds re-read only edits)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names += ([a.name for a in node.names] if isinstance(node, ast.Import)
                  else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
    return names


def snippet_key(path: Path) -> str:
    """Cache key: the snippet, the snippet modules it imports, the pinned packages, the Python."""
    digest = hashlib.sha256(sys.version.encode())
    digest.update((ROOT / "requirements.txt").read_bytes())
    for source in sorted(local_imports(Path(path))):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: readers see all of it or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.",
                                     delete=False) as tmp:
        tmp.write(text)
    os.chmod(tmp.name, 0o644)  # readable by a web server, like any file the build writes
    os.replace(tmp.name, path)


def run_file(path: Path) -> Path:
    return RUNS / f"{Path(path).stem}.json"


def load_run(path: Path) -> dict | None:
    try:
        return _read_run(run_file(path), run_file(path).stat().st_mtime_ns)
    except (OSError, ValueError):
        return None


@lru_cache(maxsize=64)
def _read_run(file: Path, mtime: int) -> dict:
    return json.loads(file.read_text(encoding="utf-8"))  # runs are replaced, never changed in place


def where_it_failed(path: Path, error: BaseException) -> str:
    """'snippets/x.py, line N' of the last traceback frame in the snippet's folder (its own code or
    a module of it that it imports), else the snippet's name."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).parent == path.parent]
    if not frames:
        return f"{path.parent.name}/{path.name}"
    return f"{path.parent.name}/{Path(frames[-1].filename).name}, line {frames[-1].lineno}"


def execute(path: Path, argv: list[str] | None = None) -> dict:
    """Run one snippet in this process; return its run record (outputs, figures, time) or its error."""
    path = Path(path).resolve()
    started = time.perf_counter()
    previous = os.environ.get("LINREG_FIGURES")
    with tempfile.TemporaryDirectory() as figures:
        os.environ["LINREG_FIGURES"] = figures  # where _plot.save_figure saves
        stderr = io.StringIO()
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
                _, outputs = run_sections(path, argv)
        except BaseException as error:  # noqa: BLE001 (a snippet may even call sys.exit)
            return {"error": f"{where_it_failed(path, error)} failed:\n{stderr.getvalue()}"
                             f"{traceback.format_exc()}"}
        finally:
            if previous is None:
                del os.environ["LINREG_FIGURES"]
            else:
                os.environ["LINREG_FIGURES"] = previous
        saved = {p.stem: base64.b64encode(p.read_bytes()).decode() for p in sorted(Path(figures).glob("*.png"))}
    return {"key": snippet_key(path), "snippet": path.name, "outputs": outputs, "figures": saved,
            "seconds": round(time.perf_counter() - started, 2)}


def _child(path: str, out: str) -> None:
    """In a forked process: run the snippet and write its record (an error is a record too)."""
    os.environ["PYTHONHASHSEED"] = "0"
    record = execute(Path(path))
    write_atomically(Path(out), json.dumps(record, ensure_ascii=False))


_server = None


def forkserver():
    """A process context whose children start with torch and matplotlib already imported."""
    global _server
    if _server is None:
        # The server (and so every snippet) starts with the same hash seed and finds this package.
        os.environ.setdefault("PYTHONHASHSEED", "0")
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        _server = multiprocessing.get_context("forkserver")
        _server.set_forkserver_preload(["torch", "matplotlib", "matplotlib.pyplot", "linreg_build.runner"])
    return _server


def in_own_process(target, args: tuple, what: str) -> dict:
    """Run target(*args, out) in a process forked from the server; return the record it wrote to
    `out` (a dict, with "error" when it failed)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.json"
        process = forkserver().Process(target=target, args=(*args, str(out)))
        process.start()
        process.join()
        if not out.is_file():
            return {"error": f"{what} died (exit code {process.exitcode}) before reporting"}
        return json.loads(out.read_text(encoding="utf-8"))


def run_in_own_process(path: Path) -> str | None:
    """Run one snippet in a fresh process into its cache file; return an error or None."""
    record = in_own_process(_child, (str(path),), f"snippets/{path.name}")
    if "error" in record:
        return record["error"]
    write_atomically(run_file(path), json.dumps(record, ensure_ascii=False))
    return None


ran_here: set[str] = set()  # keys run by this process, so LINREG_FRESH runs each once, not per rebuild


def is_current(path: Path, fresh: bool) -> bool:
    key = snippet_key(path)
    if key in ran_here:
        return True
    run = load_run(path)
    return not fresh and run is not None and run.get("key") == key


def run_jobs(jobs: dict[str, callable], workers: int) -> list[str]:
    """Run named jobs (each returns an error or None) `workers` at a time, logging each as it ends."""
    errors, done = [], 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        def timed(job):
            t0 = time.perf_counter()
            return job(), time.perf_counter() - t0

        started = {pool.submit(timed, job): name for name, job in jobs.items()}
        for future in as_completed(started):
            done += 1
            error, seconds = future.result()
            log.info(f"[{done}/{len(jobs)}] {started[future]} {'FAILED' if error else 'ran'} in {seconds:.1f} s")
            if error:
                errors.append(error)
    return errors


def is_fresh() -> bool:
    """LINREG_FRESH=1: run everything again (once per process) whatever the cache holds."""
    return os.environ.get("LINREG_FRESH") == "1"


def run_everything(extra_jobs: dict[str, callable] | None = None) -> None:
    """Bring every snippet's cache file (and the notebooks, `extra_jobs`) up to date."""
    stale = [p for p in page_snippets() if not is_current(p, is_fresh())]

    def job(path: Path):
        def run():
            error = run_in_own_process(path)
            if not error:
                ran_here.add(snippet_key(path))
            return error
        return run

    jobs = {f"snippets/{p.name}": job(p) for p in stale if p.stem not in BENCHMARKS}
    jobs.update(extra_jobs or {})
    benchmarks = {f"snippets/{p.name} (benchmark, alone)": job(p) for p in stale if p.stem in BENCHMARKS}
    if not jobs and not benchmarks:
        return
    workers = os.cpu_count() or 2
    log.info(f"Running {len(jobs) + len(benchmarks)} snippets and notebooks, {workers} at a time "
             "(cached in .cache/ afterwards)")
    errors = run_jobs(jobs, workers)
    errors += run_jobs(benchmarks, 1) if not errors else []  # timings with nothing else running
    if errors:
        raise SystemExit("\n\n".join(errors))  # MkDocs prints it and stops the build


def snapshot() -> dict[str, dict]:
    """Every snippet's current run, read once: what one build shows in both languages."""
    runs = {}
    for path in page_snippets():
        run = load_run(path)
        if run is None or run.get("key") != snippet_key(path):
            raise SystemExit(f"snippets/{path.name} has no current run in {RUNS}")
        runs[path.stem] = run
    return runs


if __name__ == "__main__":
    snippet = Path(sys.argv[1])
    record = execute(snippet, sys.argv[3:])
    if "error" in record:
        sys.exit(record["error"])
    for name, text in record["outputs"].items():
        print(f"--- {snippet.stem}/{name}.txt\n{text}", end="" if text.endswith("\n") else "\n")
    if len(sys.argv) > 2:
        write_atomically(Path(sys.argv[2]), json.dumps(record, ensure_ascii=False, indent=1))
