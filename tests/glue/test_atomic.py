"""atomic.py: files written whole, and an unwritable .cache named (reliability probe 11a: a read-only
.cache once ended in a 43-line traceback that never mentioned .cache)."""
import errno

import pytest
from mkdocs.exceptions import PluginError

from linreg_build import atomic
from linreg_build.layout import CACHE


def test_write_replaces_the_file_whole(tmp_path):
    target = tmp_path / "a" / "b.json"
    atomic.write(target, "old")
    atomic.write(target, b"new")
    assert target.read_text() == "new" and [p.name for p in target.parent.iterdir()] == ["b.json"]


def test_a_read_only_cache_is_a_clear_build_error(monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")
    monkeypatch.setattr(atomic.tempfile, "NamedTemporaryFile", read_only)
    with pytest.raises(PluginError) as error:
        atomic.write(CACHE / "runs" / "x" / "k.json", "{}")
    message = str(error.value)
    assert "Read-only file system" in message and f"{CACHE}/: make it writable" in message
    assert message.count("\n") == 0


def test_touch_on_a_read_only_cache_is_harmless(tmp_path):
    atomic.touch(tmp_path / "missing.json")
