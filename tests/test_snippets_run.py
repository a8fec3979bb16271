"""Every page snippet runs on its own, as the README tells readers: `python snippets/<name>.py`.

The build (the `site` fixture) runs every snippet as __main__ in a process of its own, from the
repository root, and fails on any error; its cache holds, per snippet, the run of exactly this code in
this environment. So: every snippet has such a run, and the README's own example runs as a script.
"""
import subprocess
import sys

import pytest

from conftest import ROOT, layout, runner


@pytest.mark.parametrize("snippet", layout.page_snippets(), ids=lambda p: p.name)
def test_ran_in_its_own_process_for_the_build(site, snippet):
    run = runner.load_run(snippet)
    assert run and run["key"] == runner.snippet_key(snippet), "no successful run of this code"
    assert "error" not in run


def test_the_readme_example_runs_as_a_script():
    run = subprocess.run([sys.executable, "snippets/scratch.py"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "max |error|:" in run.stdout


def test_a_failing_snippet_names_its_file_and_line(tmp_path):
    """A failure tells which snippet and which line, not only a traceback."""
    broken = tmp_path / "snippets" / "broken.py"
    broken.parent.mkdir()
    broken.write_text("x = 1\n# --8<-- [start:boom]\nraise ValueError('on purpose')\n# --8<-- [end:boom]\n")
    record = runner.execute(broken)
    assert record["error"].startswith("snippets/broken.py, line 3 failed")
    assert "ValueError: on purpose" in record["error"]
