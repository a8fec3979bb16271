"""keys.py: every cache key mixes in the versions of the packages doing the work and the glue's code."""
from linreg_build import keys


def test_the_versions_include_what_the_packages_require():
    names = dict(keys.versions(("matplotlib",)))
    assert {"matplotlib", "numpy", "pillow"} <= names.keys()


def test_distributions_of_modules():
    assert keys.distributions_of(["torch", "os", "numpy.linalg", "data"]) == ("numpy", "torch")


def test_a_key_changes_with_its_parts_packages_and_code():
    base = keys.cache_key("k", "a")
    assert keys.cache_key("k", "a") == base
    assert len({base, keys.cache_key("k", "b"), keys.cache_key("j", "a"), keys.cache_key("k", "a", packages=["numpy"]),
                keys.cache_key("k", "a", code=["runner"])}) == 5


def test_the_glue_code_is_read_again_after_an_edit(tmp_path, monkeypatch):
    monkeypatch.setattr(keys, "GLUE", tmp_path)
    (tmp_path / "keys.py").write_text("k")
    (tmp_path / "m.py").write_text("one")
    first = keys.glue(["m"])
    import os
    (tmp_path / "m.py").write_text("two")
    os.utime(tmp_path / "m.py", ns=(1, 1))  # a different modification time, as an editor would give
    assert keys.glue(["m"]) != first
