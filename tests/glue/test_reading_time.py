"""reading_time.py: each kind of content at its own rate, the 深入 boxes left out, sections and reading
paths, and the home pages' placeholders naming sections their pages have."""
import re

import pytest

from linreg_build import reading_time
from linreg_build.layout import DOCS, LANGS
from linreg_build.reading_time import Count, ReadingTimeError, count, minutes

PAGE = """# A page

Opening words here.

## 1. First

$$
a = b
$$

```python title="snippets/p.py"
x = 1

print(x)
```

```text title="Output"
1
```

![a long description the eye does not read](figure.png){ .figure width="520" }

Inline $x$ and $y$, and a [link](other.md#anchor) to 汉字四个.

??? note "Going deeper: details"

    Skipped words skipped words.

    ```python
    skipped = True
    ```

??? success "Answer"

    Counted.

## 2. Second

```python
# ## not a heading
```

## Summary

The end.
"""


def test_each_kind_has_its_own_rate():
    first = reading_time.sections(PAGE)[1][1]
    assert first == Count(cjk=4, words=9, display=1, inline=2, code=11, output=1, figures=1)
    # 4 characters at 150 a minute, 9 words at 100 (the answer's title and text too), then 30 s,
    # 2 x 5 s, 11 code characters at 5 s per 40, 3 s, 30 s
    assert first.seconds == pytest.approx(4 * 0.4 + 9 * 0.6 + 30 + 10 + 11 * 5 / 40 + 3 + 30)
    assert count("word " * 1000).seconds == 600 and count("汉" * 1500).seconds == 600
    assert count("```python\n" + "x" * 40 + "\n" * 120 + "```\n").seconds == 600 / 120  # 40 characters: 5 s
    line = "total = total + weight * value  # forty characters\n"
    assert count("```python\n" + line * 120 + "```\n").seconds == 600  # 40 characters a line: 12 a minute
    # the same code in more, shorter lines (as on a phone) reads no longer
    assert count("```python\nf(a,\n  b)\n```\n").seconds == count("```python\nf(a, b)\n```\n").seconds
    assert count("```text\n" + "1\n" * 200 + "```\n").seconds == 600        # output: 20 lines a minute


def test_the_deeper_boxes_are_left_out_and_headings_in_code_are_not_headings():
    numbers = [n for n, _ in reading_time.sections(PAGE)]
    assert numbers == [None, 1, 2, None]
    assert "skipped" not in reading_time.without_folds(PAGE) and "Counted." in reading_time.without_folds(PAGE)
    assert reading_time.sections(PAGE)[2][1] == Count(words=1, code=14)  # the title, and one line


def test_sections_and_rounding():
    page = "# P\n\n" + "".join(f"## {n}. S\n\n" + "word " * 500 + "\n\n" for n in (1, 2, 3)) + "## Summary\n\nend\n"
    assert minutes(page) == 15  # 1503 words: 15.03 minutes
    assert minutes(page, {1, 3}) == 10
    assert minutes(page, {2}) == 5  # never under 5
    assert reading_time.rounded(12.4 * 60) == 10 and reading_time.rounded(12.6 * 60) == 15
    assert reading_time.parse("1-3,5,7-8") == {1, 2, 3, 5, 7, 8}


@pytest.fixture
def docs(monkeypatch, tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "a.md").write_text("---\ntwin: 0\n---\n\n# A\n\n" + "word " * 700 + "\n")  # 7 min
    (tmp_path / "en" / "b.md").write_text("# B\n\n## 1. One\n\n" + "word " * 1300 + "\n\n## 2. Two\n\nword\n")
    monkeypatch.setattr(reading_time, "DOCS", tmp_path)
    return tmp_path


def test_a_path_adds_its_items_rounded_times(docs):
    fill = lambda text: reading_time.fill(text, "en", lambda t, where: t)  # noqa: E731
    assert fill('{{ minutes("a.md") }} {{ minutes("b.md#2") }} {{ minutes("b.md") }}') == "5 5 15"
    assert fill('{{ minutes("a.md b.md#1  b.md#2") }}') == "25"  # 5 + 15 + 5: what the items show


@pytest.mark.parametrize("placeholder,says", [
    ('{{ minutes("b.md#1-3") }}', "b.md has no section 3 (its numbered sections: 1, 2)"),
    ('{{ minutes("c.md") }}', "there is no docs/en/c.md"),
    ('{{ minutes("b.md#x") }}', "'b.md#x' is not a page"),
])
def test_a_wrong_item_is_an_error_naming_the_placeholder(docs, placeholder, says):
    with pytest.raises(ReadingTimeError) as error:
        reading_time.fill(f"text {placeholder}", "en", lambda t, where: t, "en/index.md")
    assert str(error.value).startswith(f"en/index.md: {placeholder}: ") and says in str(error.value)


@pytest.mark.parametrize("lang", LANGS)
def test_the_home_pages_paths_name_sections_their_pages_have(lang):
    """The first path names sections by number: a page renumbered by an edit fails here, not in the
    built site. (Without the includes: they add code, never headings.) Both languages name the same."""
    home = (DOCS / lang / "index.md").read_text(encoding="utf-8")
    assert "#" in " ".join(reading_time.PLACEHOLDER.findall(home))  # the home page has a path of sections
    reading_time.fill(home, lang, lambda text, where: text, f"{lang}/index.md")
    other = (DOCS / LANGS[1 - LANGS.index(lang)] / "index.md").read_text(encoding="utf-8")
    assert reading_time.PLACEHOLDER.findall(home) == reading_time.PLACEHOLDER.findall(other)


def test_twins_number_their_sections_alike():
    """A path names sections by number for both languages: a page and its twin number them alike."""
    for page in sorted((DOCS / LANGS[0]).glob("*.md")):
        numbers = [re.findall(r"^## (\d+)\.", (DOCS / lang / page.name).read_text(encoding="utf-8"), re.M)
                   for lang in LANGS]
        assert all(n == numbers[0] for n in numbers), page.name
