"""Measure the edit loop and print a table: cold build, warm build, a page edit and a snippet edit
under `mkdocs serve`, and the test suite. A benchmark, not a test: run it on a quiet machine.

    python tools/benchmark_build.py            # everything (several minutes)
    python tools/benchmark_build.py --no-suite # without the test suite

It works on a copy of the repository in a temporary folder (tracked and untracked files, no .cache;
node_modules and .venv linked), so your own cache, site/ and a running `mkdocs serve` are left alone.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from linreg_build.layout import copy_repository  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
ENV.pop("LINREG_FRESH", None)


def timed(command: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    run = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{run.stdout[-2000:]}{run.stderr[-3000:]}")
    return time.perf_counter() - t0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    try:
        return urllib.request.urlopen(url, timeout=5).read().decode()
    except OSError:
        return ""


def until_visible(url: str, marker: str, timeout: float = 120) -> float:
    t0 = time.perf_counter()
    while marker not in fetch(url):
        if time.perf_counter() - t0 > timeout:
            sys.exit(f"{marker} never appeared at {url}")
        time.sleep(0.02)
    return time.perf_counter() - t0


def serve_edits(repo: Path, rounds: int) -> tuple[list[float], list[float], float, tuple[float, float]]:
    """Seconds from saving a page (a snippet) to the served page showing the change."""
    port = free_port()
    server = subprocess.Popen([str(PYTHON), "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=repo,
                              env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    try:
        until_visible(base + "en/gradient_descent/", "</html>", timeout=600)
        page_edits, snippet_edits = [], []
        page = repo / "docs" / "en" / "gradient_descent.md"
        original = page.read_text(encoding="utf-8")
        for i in range(rounds):
            marker = f"pageedit{i}x{time.time_ns()}"
            page.write_text(original + f"\n{marker}\n", encoding="utf-8")
            page_edits.append(until_visible(base + "en/gradient_descent/", marker))
            time.sleep(1)
        page.write_text(original, encoding="utf-8")
        time.sleep(2)
        snippet = repo / "snippets" / "linear_model.py"
        original = snippet.read_text(encoding="utf-8")
        # Print a marker at the end of the first section whose output the page shows.
        shown = re.search(r'--8<-- "linear_model/(\w+)\.txt"', (repo / "docs/en/linear_model.md").read_text())[1]
        section = f"# --8<-- [end:{shown}]"
        for i in range(rounds):
            marker = f"snippetedit{i}x{time.time_ns()}"
            edited = original.replace(section, f'print("{marker}")\n{section}', 1)
            snippet.write_text(edited, encoding="utf-8")
            snippet_edits.append(until_visible(base + "en/linear_model/", marker))
            time.sleep(1)
        snippet.write_text(original, encoding="utf-8")
        latest = max((repo / ".cache" / "runs" / "linear_model").glob("*.json"), key=lambda p: p.stat().st_mtime)
        own = json.loads(latest.read_text())["seconds"]
        # A practice page's snippet: the page first, its notebook (executed after the build) later.
        snippet = repo / "snippets" / "scratch.py"
        original = snippet.read_text(encoding="utf-8")
        shown = re.search(r'--8<-- "scratch/(\w+)\.txt"', (repo / "docs/en/scratch.md").read_text())[1]
        section = f"# --8<-- [end:{shown}]"
        stamp = time.time_ns()
        marker = f"notebookedit{stamp}"  # printed, not in the code (which shows "notebookedit" + "...")
        snippet.write_text(original.replace(section, f'print("notebookedit" + "{stamp}")\n{section}', 1),
                           encoding="utf-8")
        t0 = time.perf_counter()
        until_visible(base + "en/scratch/", marker)
        shown_on_page = time.perf_counter() - t0
        until_visible(base + "en/notebooks/scratch/", marker)
        notebook = (shown_on_page, time.perf_counter() - t0)
        snippet.write_text(original, encoding="utf-8")
        return page_edits, snippet_edits, own, notebook
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-suite", action="store_true", help="skip timing the test suite")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        copy_repository(repo)  # without .cache: the first build is cold
        mkdocs = [str(PYTHON), "-m", "mkdocs", "build", "-q"]
        rows.append(("cold build (no .cache: every snippet and notebook runs)", timed(mkdocs, repo), 30))
        warm = [timed(mkdocs, repo) for _ in range(args.rounds)]
        rows.append((f"warm build (best of {args.rounds})", min(warm), 2))
        page, snippet, own, (practice_page, practice_notebook) = serve_edits(repo, args.rounds)
        rows.append((f"page edit visible under mkdocs serve (median of {args.rounds})", statistics.median(page), 1))
        rows.append((f"snippet edit visible under mkdocs serve (median; the snippet itself runs {own:.1f} s)",
                     statistics.median(snippet), own + 1))
        rows.append(("practice snippet edit: its page visible (notebook executed after)", practice_page, None))
        rows.append(("practice snippet edit: its notebook page visible", practice_notebook, None))
        if not args.no_suite:
            t0 = time.perf_counter()
            suite = subprocess.run([str(PYTHON), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=repo, env=ENV,
                                   capture_output=True, text=True)
            outcome = suite.stdout.strip().splitlines()[-1] if suite.stdout.strip() else "no output"
            rows.append((f"test suite, cache warm ({outcome})", time.perf_counter() - t0, 60))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'what':<{width}}  {'seconds':>8}  {'target':>7}")
    for what, seconds, target in rows:
        if target is None:
            print(f"{what:<{width}}  {seconds:8.2f}")
        else:
            print(f"{what:<{width}}  {seconds:8.2f}  {'≤ %g' % target:>7}{'' if seconds <= target else '  missed'}")


if __name__ == "__main__":
    main()
