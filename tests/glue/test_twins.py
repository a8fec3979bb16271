"""twins.py: a page that changed since its twin was checked against it is found; marking the pair
records each side's hash without changing either."""
from linreg_build import twins


def pair(tmp_path, zh, en):
    for lang, text in (("zh", zh), ("en", en)):
        (tmp_path / lang).mkdir(exist_ok=True)
        (tmp_path / lang / "p.md").write_text(text)


def test_a_change_is_found_until_the_pair_is_marked(tmp_path):
    pair(tmp_path, "# 页\n", "---\nscripts: [a.js]\n---\n\n# Page\n")
    assert twins.stale(tmp_path) == [("zh", "p.md"), ("en", "p.md")]
    twins.mark("p.md", tmp_path)
    assert twins.stale(tmp_path) == []
    assert "scripts: [a.js]" in (tmp_path / "en" / "p.md").read_text()
    (tmp_path / "en" / "p.md").write_text((tmp_path / "en" / "p.md").read_text() + "\nA new paragraph.\n")
    assert twins.stale(tmp_path) == [("zh", "p.md")]  # the Chinese page was checked against an older English one


def test_the_record_is_not_part_of_the_hash():
    text = "# Page\n"
    assert twins.digest(twins.with_record(text, "0123456789ab")) == twins.digest(text)
    assert twins.recorded(twins.with_record(text, "0123456789ab")) == "0123456789ab"
