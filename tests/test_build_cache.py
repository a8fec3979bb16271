"""The build's caches never show stale output: after an edit, the page shows the edit, in both
languages, and only what the edit touched runs again. Done in a copy of the repository (with a copy
of the cache), so this checkout and a `mkdocs serve` running in it are left alone."""
import json
import re

import pytest

from conftest import build_site, layout


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
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
    runs = repo / ".cache" / "snippets"
    before = {p.name: p.stat().st_mtime for p in runs.glob("*.json")}
    build = build_site(repo / "site", cwd=repo)
    assert build.returncode == 0, build.stdout
    assert marker in text(repo, "linear_model") and marker in text(repo, "en/linear_model")
    rerun = {p.name for p in runs.glob("*.json") if p.stat().st_mtime != before.get(p.name)}
    assert rerun == {"linear_model.json"}, rerun
    assert json.loads((runs / "linear_model.json").read_text())["outputs"][shown].rstrip().endswith(marker)


def test_a_page_edit_shows_and_the_other_language_is_unchanged(repo):
    page = repo / "docs" / "en" / "loss.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nedited-prose-91ac\n", encoding="utf-8")
    zh_before = (repo / "site" / "loss" / "index.html").read_text(encoding="utf-8")
    build = build_site(repo / "site", cwd=repo)
    assert build.returncode == 0, build.stdout
    assert "edited-prose-91ac" in text(repo, "en/loss")
    assert (repo / "site" / "loss" / "index.html").read_text(encoding="utf-8") == zh_before
