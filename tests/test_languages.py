"""One code, one output, two languages: what the Chinese and the English pages of the built site show.

The outputs come from one run of each snippet (one build reads one snapshot of the runs for both
languages), and the code is the same apart from the language of its comments (comments.py).
"""
import html
import re
import tokenize

import pytest

from conftest import LANGS, layout
from linreg_build import comments

# (the file name is a link to the file when the repository's address is known: repository.py)
BLOCK = re.compile(r'<div class="highlight">(?:<span class="filename">(?:<a [^>]*>)?(?P<title>[^<]*)(?:</a>)?</span>)?<pre>.*?'
                   r'<code>(?P<code>.*?)</code></pre>', re.S)
OUTPUT_TITLES = {"输出", "Output"}


def blocks(page_html):
    """(title, text) of every code block of a built page's article."""
    article = re.search(r"<article.*?</article>", page_html, re.S).group(0)
    return [(m["title"] or "", html.unescape(re.sub(r"<[^>]+>", "", m["code"]))) for m in BLOCK.finditer(article)]


def without_comments(code):
    try:
        return comments.strip(code)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return code  # a console command, not Python


def page_pairs(site):
    """(zh page, en page) of every Markdown page of the site (notebook pages have their own test)."""
    for zh in sorted(site.rglob("index.html")):
        rel = zh.relative_to(site)
        if rel.parts[0] in ("en", "assets", "search", "notebooks"):
            continue
        yield rel.parent.as_posix(), zh, site / "en" / rel


def test_every_page_has_its_counterpart(site):
    pairs = list(page_pairs(site))
    assert len(pairs) >= 15 and all(en.is_file() for _, _, en in pairs)


def test_both_languages_show_the_same_outputs(site):
    """Every output block, in order, is byte for byte the same on the zh and the en page."""
    checked = 0
    for name, zh, en in page_pairs(site):
        outputs = [[text for title, text in blocks(p.read_text(encoding="utf-8")) if title in OUTPUT_TITLES]
                   for p in (zh, en)]
        assert outputs[0] == outputs[1], f"{name}: the output blocks differ between zh and en"
        checked += len(outputs[0])
    assert checked > 150


def test_both_languages_show_the_same_code_apart_from_comments(site):
    """The code included from snippets/ (inline examples are written per language, and may say
    things in strings, e.g. an assertion's message, in the page's language)."""
    checked = 0
    for name, zh, en in page_pairs(site):
        code = [[without_comments(text) for title, text in blocks(p.read_text(encoding="utf-8"))
                 if title.startswith("snippets/")] for p in (zh, en)]
        assert code[0] == code[1], f"{name}: the code blocks differ between zh and en (comments aside)"
        checked += len(code[0])
    assert checked > 150


def test_chinese_pages_show_chinese_comments(site):
    """The included code on a zh page carries the translated comments (not the English ones)."""
    zh = (site / "scratch" / "index.html").read_text(encoding="utf-8")
    en = (site / "en" / "scratch" / "index.html").read_text(encoding="utf-8")
    zh_code = "\n".join(text for title, text in blocks(zh) if title.startswith("snippets/"))
    en_code = "\n".join(text for title, text in blocks(en) if title.startswith("snippets/"))
    assert re.search(r"#[^\n]*[\u4e00-\u9fff]", zh_code), "no Chinese comment on the zh page"
    assert not re.search(r"#[^\n]*[\u4e00-\u9fff]", en_code), "a Chinese comment on the en page"


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != comments.SOURCE_LANG])
def test_every_shown_comment_is_translated_and_no_translation_is_stale(lang):
    """Fix with `python -m linreg_build.comments update`, then fill in the .po files."""
    problems = comments.problems(lang)
    assert not problems, "\n".join(problems[:20])


def test_translation_changes_nothing_but_comments():
    """Every shown section, translated, is the same code once comments and docstrings are removed."""
    from linreg_build.sections import section_code, split_sections

    for path in sorted(layout.SNIPPETS.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for name in {n for n, _, _ in split_sections(source) if n}:
            code = section_code(f"{path.name}:{name}", source)
            cat = comments.catalogue("zh", path.stem)
            translated = comments.translate(code, lambda msgid: cat[msgid].string if cat and msgid in cat
                                            and cat[msgid].string else None)
            compile(translated, f"{path.name}:{name}", "exec")
            assert comments.strip(translated) == comments.strip(code), f"{path.name}:{name}"


def test_inline_examples_on_chinese_pages_have_chinese_comments():
    """Code written into a zh page (not included from snippets/) is commented in Chinese too."""
    from linreg_build.includes import FENCE

    english = []
    for page in sorted((layout.DOCS / "zh").glob("*.md")):
        for m in FENCE.finditer(page.read_text(encoding="utf-8")):
            if m["info"].strip() != "python":
                continue
            for line in m["body"].splitlines():
                comment = re.search(r"#(.*)$", line)
                if comment and len(re.findall(r"[A-Za-z]{2,}", comment[1])) >= 2 \
                        and not re.search(r"[\u4e00-\u9fff]", comment[1]):
                    english.append(f"{page.name}: {line.strip()}")
    assert not english, english
