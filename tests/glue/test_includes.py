"""includes.py and reading_time.py's use of it (the rest in test_reading_time.py): code and outputs
expanded per language; a broken include names the page that has it and its line (reliability probe 4a
once blamed zh/index.md, without a line)."""
import pytest

from linreg_build import reading_time
from linreg_build.includes import IncludeError, expand

SOURCES = {"s.py": "# --8<-- [start:a]\nx = 1  # the answer\nprint(x)\n# --8<-- [end:a]\n"}
RUNS = {"s": {"outputs": {"a": "1\n"}}}
PAGE = 'Text\n\n```python\n--8<-- "s.py:a"\n```\n\n```text\n    --8<-- "s/a.txt"\n```\n'


def test_code_and_output_are_expanded_with_their_indentation():
    out = expand(PAGE, "en", RUNS, SOURCES, "en/p.md", [])
    assert "x = 1  # the answer\nprint(x)\n```" in out and "\n    1\n```" in out


def test_the_code_shown_is_the_text_given_not_the_file():
    changed = {"s.py": SOURCES["s.py"].replace("x = 1", "x = 2")}
    assert "x = 2" in expand(PAGE, "en", RUNS, changed, "en/p.md", [])


def test_untranslated_comments_are_collected():
    missing = []
    expand(PAGE, "zh", RUNS, SOURCES, "zh/p.md", missing)  # s.py has no zh catalogue
    assert missing == ["the answer"]


@pytest.mark.parametrize("target,says", [
    ("s.py:nope", "snippets/s.py has no section 'nope'"),
    ("s/nope.txt", "snippets/s.py has no section 'nope' that printed something"),
    ("t.py:a", "there is no snippets/t.py"),
])
def test_a_broken_include_names_the_page_and_line(target, says):
    page = PAGE + f'\n```python\n--8<-- "{target}"\n```\n'
    with pytest.raises(IncludeError) as error:
        expand(page, "en", RUNS, SOURCES, "en/p.md", [])
    assert str(error.value) == f"en/p.md, line 12: include {target!r}: {says}"


def test_a_broken_include_in_another_page_is_left_to_that_page(monkeypatch, tmp_path):
    """The home page counts every page's reading time: a broken include there is reported by the
    page that has it (with its line, front matter counted), not blamed on the home page."""
    from linreg_build import includes, layout

    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "other.md").write_text('---\ntwin: 0\n---\n\n# Other\n\n--8<-- "s.py:nope"\n')
    monkeypatch.setattr(reading_time, "DOCS", tmp_path)
    monkeypatch.setattr(layout, "DOCS", tmp_path)
    filled = reading_time.fill('{{ minutes("other.md") }}', "en",
                               lambda text, where: expand(text, "en", RUNS, SOURCES, where, []))
    assert filled == "5"
    body = (tmp_path / "en" / "other.md").read_text().split("---\n", 2)[2]
    with pytest.raises(IncludeError, match=r"^en/other.md, line 7: "):
        includes.expand(body, "en", RUNS, SOURCES, "en/other.md", [])
