"""Every page snippet runs on its own, as the README tells readers: `python snippets/<name>.py`."""
import subprocess
import sys

import pytest

from conftest import ROOT, hooks


@pytest.mark.parametrize("snippet", hooks.page_snippets(), ids=lambda p: p.name)
def test_runs_as_a_script(snippet, figures_to_tmp):
    run = subprocess.run([sys.executable, str(snippet.relative_to(ROOT))], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip(), "a page snippet prints what its page shows"
