"""Shared helpers: run a snippet the way the build does, and build the site once per session."""
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from linreg_build import layout, runner, sections  # noqa: E402  (the build's own code: tests and pages agree)

DOCS = layout.DOCS
LANGS = layout.LANGS


SITE_FIXTURES = {"site", "runs", "base_url", "book"}
# One folder per test run, shared by the pytest-xdist workers (they share the run's id).
RUN = Path(tempfile.gettempdir()) / f"linreg-tests-{os.environ.get('PYTEST_XDIST_TESTRUNUID') or uuid.uuid4().hex}"


def pytest_collection_modifyitems(items):
    """If some test needs the built site, start building it now, in the background, once for all
    workers, and run those tests last: the other tests keep the cores busy while it builds."""
    items.sort(key=lambda item: bool(SITE_FIXTURES & set(getattr(item, "fixturenames", ()))))
    if any(SITE_FIXTURES & set(getattr(item, "fixturenames", ())) for item in items):
        start_site_build()


def start_site_build():
    import shutil

    from filelock import FileLock

    from linreg_build import pdf

    for old in RUN.parent.glob("linreg-tests-*"):  # earlier runs' sites (a day old: not running)
        if old != RUN and time.time() - old.stat().st_mtime > 86400:
            shutil.rmtree(old, ignore_errors=True)
    RUN.mkdir(exist_ok=True)
    with FileLock(str(RUN / "site.lock")):
        if (RUN / "site.log").exists():
            return  # another worker started it
        log = open(RUN / "site.log", "w", encoding="utf-8")  # noqa: SIM115 (the build writes it)
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **({"LINREG_PDF": "1"} if pdf.wanted_by_tests() else {})}
        command = (f"import subprocess, sys; code = subprocess.call({[sys.executable, '-m', 'mkdocs', 'build', '--strict', '-d', str(RUN / 'site')]!r}); "
                   f"open({str(RUN / 'site.done')!r}, 'w').write(str(code))")
        subprocess.Popen([sys.executable, "-c", command], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


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
def site():
    """The site built with --strict (once per test run, in the background, see above), with the PDFs
    where Chromium is there. Snippets and notebooks run unless the cache holds a run of exactly this
    code in this environment (LINREG_FRESH=1 runs them all)."""
    if not (RUN / "site.log").exists():
        start_site_build()  # collected without this hook (e.g. a single test by node id)
    done = RUN / "site.done"
    deadline = time.monotonic() + 1800
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    output = (RUN / "site.log").read_text(encoding="utf-8")
    assert done.exists() and done.read_text() == "0", output
    return RUN / "site"


@pytest.fixture(scope="session")
def runs(site):
    """What the build showed: each snippet's run (outputs per section, figures)."""
    runs = runner.current_runs()
    assert all(runs.values()), f"no run of the current code of {[s for s, r in runs.items() if not r]}"
    return runs
