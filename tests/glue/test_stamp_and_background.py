"""stamp.py: what a page's outputs were made with; background.py: notebooks after the build under serve."""
import threading
import time

import pytest
from mkdocs.exceptions import PluginError

from linreg_build import background, stamp

RUNS = {"a": {"made_with": {"python": "3.11.7", "torch": "2.13.0", "date": "2026-12-01"}},
        "b": {"made_with": {"python": "3.11.7", "torch": "2.13.0", "date": "2026-12-04"}}}


def test_a_page_is_stamped_with_what_made_the_outputs_it_shows():
    line = stamp.line('--8<-- "a/x.txt"\n--8<-- "b/y.txt"\n--8<-- "a.py:x"\n', RUNS, "en")
    assert "produced on 2026-12-04 by running its code with Python 3.11.7 and PyTorch 2.13.0" in line
    assert "2026-12-04 用 Python 3.11.7 和 PyTorch 2.13.0" in stamp.line('--8<-- "b/y.txt"', RUNS, "zh")
    assert stamp.line('--8<-- "a.py:x"\n', RUNS, "en") == ""  # code only: no outputs to vouch for


def test_a_notebook_runs_after_the_build_and_a_failure_is_reported_by_the_next(tmp_path, monkeypatch):
    monkeypatch.setattr(background, "READY", tmp_path)
    background.start({"notebook p": lambda: None}, {"p": "k1"})
    background.start({"notebook q": lambda: "notebook q failed: boom"}, {"q": "k2"})
    deadline = time.monotonic() + 10
    while (background._in_flight or len(list(tmp_path.iterdir())) == 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (tmp_path / "last").is_file(), "serve is told to rebuild"
    with pytest.raises(PluginError, match="notebook q failed: boom"):
        background.start({"notebook q": lambda: None}, {"q": "k2"})
    ran = threading.Event()
    background.start({"notebook q": ran.set}, {"q": "k3"})  # the code changed: it runs again
    assert ran.wait(10)
    while background._in_flight:
        time.sleep(0.05)
    time.sleep(0.3)  # its thread writes the signal last: let it finish before the next test
    background._failed.clear()


def test_the_signal_folder_survives_rm_rf_cache(monkeypatch):
    """Probe 11b: `rm -rf .cache` under serve once lost the watched folder, and notebook pages stayed
    'being executed' for ever."""
    from linreg_build.layout import CACHE

    watched = []
    monkeypatch.setattr(background, "READY", None)
    background.watch(type("Server", (), {"watch": lambda self, path: watched.append(path)})())
    try:
        assert watched == [str(background.READY)] and background.READY.is_dir()
        assert not background.READY.is_relative_to(CACHE)
    finally:
        background.unwatch()
    assert not background.READY.exists()
