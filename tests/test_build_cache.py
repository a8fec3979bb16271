"""The build's caches never show stale output: after an edit, the page shows the edit, in both
languages, and only what the edit touched runs again. Done in a copy of the repository (with a copy
of the cache), so this checkout and a `mkdocs serve` running in it are left alone."""
import json
import re

import pytest

from conftest import build_site, layout


@pytest.fixture(scope="module")
def repo(tmp_path_factory, site):
    """A copy of the repository with the cache the suite's own build left (so it starts warm)."""
    root = tmp_path_factory.mktemp("repo")
    layout.copy_repository(root, cache=True)
    build = build_site(root / "site", cwd=root)
    assert build.returncode == 0, build.stdout
    return root


def text(repo, page):
    return re.sub(r"<[^>]+>", "", (repo / "site" / page / "index.html").read_text(encoding="utf-8"))


def test_a_snippet_edit_shows_on_both_pages_and_runs_only_that_snippet(repo):
    snippet = repo / "snippets" / "linear_model.py"
    shown = re.search(r'--8<-- "linear_model/(\w+)\.txt"', (repo / "docs/en/linear_model.md").read_text())[1]
    marker = "edited-output-7d3f"
    source = snippet.read_text(encoding="utf-8")
    snippet.write_text(source.replace(f"# --8<-- [end:{shown}]", f'print("{marker}")\n# --8<-- [end:{shown}]', 1))
    runs = repo / ".cache" / "runs"
    before = set(runs.glob("*/*.json"))
    build = build_site(repo / "site", cwd=repo)
    assert build.returncode == 0, build.stdout
    assert marker in text(repo, "linear_model") and marker in text(repo, "en/linear_model")
    new = set(runs.glob("*/*.json")) - before
    assert [p.parent.name for p in new] == ["linear_model"], new
    assert json.loads(new.pop().read_text())["outputs"][shown].rstrip().endswith(marker)

def test_a_page_edit_shows_and_the_other_language_is_unchanged(repo):
    page = repo / "docs" / "en" / "loss.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nedited-prose-91ac\n", encoding="utf-8")
    zh_before = (repo / "site" / "loss" / "index.html").read_text(encoding="utf-8")
    build = build_site(repo / "site", cwd=repo)
    assert build.returncode == 0, build.stdout
    assert "edited-prose-91ac" in text(repo, "en/loss")
    assert (repo / "site" / "loss" / "index.html").read_text(encoding="utf-8") == zh_before


def test_serve_survives_a_failing_snippet_and_an_undo(repo):
    """Reliability probes 1b and 7b: a snippet that raises, then the fix, then an undo to a version
    already run in this session. `mkdocs serve` keeps running and each time shows the current code's
    output, in both languages."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(repo / "serve.log", "w+")  # noqa: SIM115
    serve = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=repo,
                             stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                             start_new_session=True)

    def page(path="linear_model/"):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=60) as reply:
            return reply.read().decode()

    def wait_for(condition, what):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert serve.poll() is None, "mkdocs serve exited:\n" + (repo / "serve.log").read_text()
            try:
                if condition():
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{what}:\n" + (repo / "serve.log").read_text()[-3000:])

    snippet = repo / "snippets" / "linear_model.py"
    shown = re.search(r'--8<-- "linear_model/(\w+)\.txt"', (repo / "docs/en/linear_model.md").read_text())[1]
    original = snippet.read_text(encoding="utf-8")

    def version(line):
        snippet.write_text(original.replace(f"# --8<-- [end:{shown}]", f"{line}\n# --8<-- [end:{shown}]", 1))
    try:
        wait_for(lambda: "<article" in page(), "serve never showed the page")
        version("print(1/0)")
        wait_for(lambda: "ZeroDivisionError" in (repo / "serve.log").read_text(), "no error reported")
        version('print("fixed-output-5e1b")')
        wait_for(lambda: "fixed-output-5e1b" in page() and "fixed-output-5e1b" in page("en/linear_model/"),
                 "the page did not recover after the fix")
        version('print("other-output-c2a9")')
        wait_for(lambda: "other-output-c2a9" in page(), "the second edit did not show")
        version('print("fixed-output-5e1b")')  # an undo: a version already run in this session
        wait_for(lambda: "fixed-output-5e1b" in page() and "other-output-c2a9" not in page(),
                 "the undo did not show")
    finally:
        snippet.write_text(original)
        os.killpg(serve.pid, signal.SIGINT)
        serve.wait(30)
