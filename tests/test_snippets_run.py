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
    run = runner.current_runs()[snippet.stem]
    assert run is not None, "the build left no run of this snippet's current code"
    assert run["snippet"] == snippet.name and run["made_with"]["python"] == ".".join(map(str, sys.version_info[:3]))


def test_the_readme_example_runs_as_a_script():
    run = subprocess.run([sys.executable, "snippets/scratch.py"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "max |error|:" in run.stdout
