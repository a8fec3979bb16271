"""Shared helpers: run a snippet the way the build does, and build the site once per session."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from linreg_build import layout, runner, sections  # noqa: E402  (the build's own code: tests and pages agree)

DOCS = layout.DOCS
LANGS = layout.LANGS


SITE_FIXTURES = {"site", "runs", "base_url", "book"}


def pytest_collection_modifyitems(items):
    """Tests that use the built site run on one worker, so the site is built once per run
    (pytest-xdist honours these groups with --dist loadgroup, set in pytest.ini)."""
    for item in items:
        if SITE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("site"))


def run_snippet(name, *argv):
    """Run snippets/<name>.py in this process; return (namespace, stdout per section)."""
    return sections.run_sections(layout.SNIPPETS / f"{name}.py", [str(a) for a in argv])


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


def build_site(out, cwd=ROOT, **env):
    """`mkdocs build --strict` into `out`; returns the completed process (stdout and stderr merged)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                          cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The site built with --strict into a temporary folder, with the PDFs where Chromium is there.
    Snippets and notebooks run unless the cache holds a run of exactly this code in this environment
    (LINREG_FRESH=1 runs them all)."""
    from linreg_build import pdf

    out = tmp_path_factory.mktemp("site")
    build = build_site(out, **({"LINREG_PDF": "1"} if pdf.wanted_by_tests() else {}))
    assert build.returncode == 0, build.stdout
    return out


@pytest.fixture(scope="session")
def runs(site):
    """What the build showed: each snippet's run (outputs per section, figures)."""
    return runner.snapshot()
