"""runner.py on small snippets: what a run records, errors that name the file and line, a run keyed
by the text it ran (reliability probe 7: an edit saved during a run), timeouts (probe 3: a hang)."""
import json
import threading
import time
from pathlib import Path

import psutil
import pytest
from mkdocs.exceptions import PluginError

from linreg_build import runner


@pytest.fixture
def snippets(tmp_path, monkeypatch):
    """An empty snippets/ folder and cache for the runner."""
    folder = tmp_path / "snippets"
    folder.mkdir()
    monkeypatch.setattr(runner, "SNIPPETS", folder)
    monkeypatch.setattr(runner, "RUNS", tmp_path / "runs")
    monkeypatch.setattr(runner, "page_snippets", lambda: sorted(folder.glob("[!_]*.py")))
    # these snippets need no torch: a server that starts in a fraction of a second (if none runs yet)
    monkeypatch.setattr(runner, "PRELOAD", ["linreg_build.runner"])
    return folder


def write(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text)
    return folder / name


def test_a_failing_snippet_names_its_file_and_line(snippets):
    path = write(snippets, "broken.py", "x = 1\n# --8<-- [start:boom]\nraise ValueError('on purpose')\n# --8<-- [end:boom]\n")
    record = runner.execute(path)
    assert record["error"].startswith("snippets/broken.py, line 3 (section boom) failed")
    assert "ValueError: on purpose" in record["error"] and "linreg_build" not in record["error"]


def test_a_syntax_error_names_the_file_and_line(snippets):
    """Probe 2: a SyntaxError once named only <unknown>."""
    path = write(snippets, "typo.py", "x = 1\n# --8<-- [start:s]\nx = (1,\n# --8<-- [end:s]\n")
    assert runner.snippet_key("typo.py", runner.read_sources())  # the key does not need to parse it
    assert runner.execute(path)["error"].startswith("snippets/typo.py, line 3 (section s) failed")


def test_keys_follow_the_texts_of_the_snippet_and_the_modules_it_imports(snippets):
    sources = {"a.py": "import helper\nimport torch\n", "helper.py": "X = 1\n", "other.py": "Y = 2\n"}
    key = runner.snippet_key("a.py", sources)
    assert runner.local_imports("a.py", sources) == ["a.py", "helper.py"]
    assert runner.snippet_key("a.py", {**sources, "other.py": "Y = 3\n"}) == key
    assert runner.snippet_key("a.py", {**sources, "helper.py": "X = 2\n"}) != key


def test_a_run_is_kept_under_the_key_of_the_text_it_ran(snippets):
    write(snippets, "s.py", "# --8<-- [start:a]\nprint('v1')\n# --8<-- [end:a]\n")
    runs = runner.run_everything(runner.read_sources())
    key = runner.snippet_key("s.py", runner.read_sources())
    assert runs["s"]["outputs"] == {"a": "v1\n"} and runner.load_run("s", key)["outputs"] == {"a": "v1\n"}
    assert runner.run_everything(runner.read_sources())["s"]["key"] == key  # the next build: from the cache


def test_an_edit_saved_during_a_run_is_never_kept_with_the_old_output(snippets):
    """Probe 7: v2 saved while v1 runs. The build shows v1's code with v1's output (both from the
    text it read), keeps nothing, and the next build runs v2."""
    v1 = "import time\n# --8<-- [start:a]\ntime.sleep(1.5)\nprint('v1')\n# --8<-- [end:a]\n"
    path = write(snippets, "s.py", v1)
    sources = runner.read_sources()
    threading.Timer(0.3, lambda: path.write_text(v1.replace("v1", "v2"))).start()
    runs = runner.run_everything(sources)
    assert runs["s"]["outputs"] == {"a": "v1\n"} and runs["s"]["key"] == runner.snippet_key("s.py", sources)
    assert not list(runner.RUNS.glob("s/*.json")), "the run of v1 was kept although s.py changed during it"
    assert runner.run_everything(runner.read_sources())["s"]["outputs"] == {"a": "v2\n"}


def test_a_failing_snippet_is_a_plugin_error_not_a_system_exit(snippets):
    """Probe 1b: `mkdocs serve` survives Exceptions only; SystemExit killed it."""
    write(snippets, "s.py", "# --8<-- [start:a]\nprint(1/0)\n# --8<-- [end:a]\n")
    with pytest.raises(PluginError, match=r"snippets/s.py, line 2 \(section a\) failed") as error:
        runner.run_everything(runner.read_sources())
    assert not isinstance(error.value, SystemExit)


def test_a_hanging_snippet_is_stopped_named_and_leaves_no_process(snippets, monkeypatch):
    """Probe 3: a hang once hung the build for ever, naming nothing."""
    write(snippets, "hang.py", "import time\n# --8<-- [start:a]\ntime.sleep(600)\n# --8<-- [end:a]\n")
    monkeypatch.setenv("LINREG_TIMEOUT", "3")  # time to start and reach the sleep on a busy machine
    started = time.monotonic()
    with pytest.raises(PluginError, match=r"snippets/hang.py ran longer than 3 s and was stopped "
                                          r"\(at snippets/hang.py, line 3\)"):
        runner.run_everything(runner.read_sources())
    assert time.monotonic() - started < 20
    sleeping = [p for p in psutil.Process().children(recursive=True) if "sleep" in " ".join(p.cmdline())]
    assert not runner._live and not sleeping


def test_fresh_runs_each_snippet_once_per_process(snippets, monkeypatch):
    path = write(snippets, "s.py", "import random\n# --8<-- [start:a]\nprint(random.random())\n# --8<-- [end:a]\n")
    first = runner.run_everything(runner.read_sources())["s"]
    monkeypatch.setenv("LINREG_FRESH", "1")
    monkeypatch.setattr(runner, "ran_here", set())
    second = runner.run_everything(runner.read_sources())["s"]
    assert second["outputs"] != first["outputs"]
    assert runner.run_everything(runner.read_sources())["s"]["outputs"] == second["outputs"]
    assert json.loads(next(runner.RUNS.glob("s/*.json")).read_text())["outputs"] == second["outputs"]
    del path
