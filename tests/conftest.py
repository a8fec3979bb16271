"""Shared helpers: run a snippet the way the build does, and build the site once per session."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import hooks  # noqa: E402  (the build's own snippet runner, so tests and pages agree)

DOCS = ROOT / "docs"
LANGS = hooks.LANGS


def run_snippet(name, *argv):
    """Run snippets/<name>.py in this process; return (namespace, stdout per section)."""
    return hooks.run_sections(hooks.SNIPPETS / f"{name}.py", [str(a) for a in argv])


def numbers(text, label):
    """The numbers printed right after `label` (e.g. 'loss '), in order; nan and inf included."""
    return [float(x) for x in re.findall(re.escape(label) + r"\s*([-+0-9.e]+|nan|inf)", text)]


@pytest.fixture(scope="session", autouse=True)
def figures_to_tmp(tmp_path_factory):
    """Snippets run by tests save their figures in a temporary folder, not in the work tree
    (session-wide, so that module fixtures running snippets are covered too)."""
    folder = tmp_path_factory.mktemp("figures")
    old = os.environ.get("LINREG_FIGURES")
    os.environ["LINREG_FIGURES"] = str(folder)
    yield folder
    if old is None:
        del os.environ["LINREG_FIGURES"]
    else:
        os.environ["LINREG_FIGURES"] = old


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The site built from scratch with --strict into a temporary folder (snippets re-run)."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "LINREG_FRESH": "1", "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                           cwd=ROOT, env=env, capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    return out
