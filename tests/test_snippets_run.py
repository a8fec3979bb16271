"""Every page snippet runs on its own, as the README tells readers: `python snippets/<name>.py`.

The strict build (the `site` fixture, LINREG_FRESH=1) already runs every snippet as __main__ in a
Python process of its own, from the repository root, and fails on any error; running each one a
second time here would double the suite's time. So: every snippet ran in that build, and the README's
own example is run literally as a script.
"""
import subprocess
import sys

import pytest

from conftest import ROOT, hooks



@pytest.mark.parametrize("snippet", hooks.page_snippets(), ids=lambda p: p.name)
def test_ran_in_its_own_process_during_the_build(site, snippet):
    key = hooks.CACHE / snippet.stem / "KEY"
    assert key.read_text() == hooks.snippet_key(snippet), "not run (successfully) by this build"


def test_the_readme_example_runs_as_a_script():
    run = subprocess.run([sys.executable, "snippets/scratch.py"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "max |error|:" in run.stdout
