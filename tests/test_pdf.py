"""The printable book: one PDF per language, built with the site (LINREG_PDF=1, set by the `site`
fixture when Chromium is there), linked from its home page, holding every chapter in navigation order,
its figures and its math rendered, with its fonts embedded. Read back with poppler's pdftotext,
pdfimages and pdffonts; skipped when those are missing, except under CI=true."""
import html
import os
import re
import shutil
import subprocess

import pytest

from conftest import LANGS, ROOT
from linreg_build import pdf

TOOLS = ["pdftotext", "pdfimages", "pdffonts"]
if not (pdf.wanted_by_tests() and all(shutil.which(t) for t in TOOLS)):
    if os.environ.get("CI") == "true":
        pytest.fail("the PDF needs /usr/bin/chromium and poppler-utils; .ci/run installs them", pytrace=False)
    pytest.skip("no Chromium or no poppler-utils: the PDF is not built or cannot be read back",
                allow_module_level=True)


def poppler(tool, path, *options):
    """What a poppler tool prints about the PDF (pdftotext writes the text to stdout)."""
    command = [tool, *options, str(path)] + (["-"] if tool == "pdftotext" else [])
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module", params=LANGS)
def book(site, request):
    lang = request.param
    path = pdf.pdf_path(site, lang)
    assert path.is_file(), f"no PDF for {lang}"
    return lang, path, site / ("" if lang == LANGS[0] else lang)


def test_the_home_page_links_the_pdf_and_says_how_big(book):
    lang, path, home = book
    index = (home / "index.html").read_text(encoding="utf-8")
    link = re.search(r'<p class="pdf-download"><a href="([^"]+)" download>[^<]+</a>[^<]*?([\d.]+) MB', index)
    assert link and (home / link[1]).resolve() == path.resolve()
    assert float(link[2]) == pytest.approx(path.stat().st_size / 1e6, abs=0.051)


def test_every_chapter_in_navigation_order(site, book):
    """The chapters are the nav's pages (home and notebooks left out), in order, titled as on the site."""
    lang, path, home = book
    text = poppler("pdftotext", path)
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = re.findall(r"^\s*-\s*(?:[^:\n]+:\s*)?(\w+)\.md\s*$", nav, re.M)
    titles = []
    for page in pages:
        if page == "index":
            continue
        built = (home / page / "index.html").read_text(encoding="utf-8")
        heading = re.sub(r'<a class="headerlink".*?</a>', "", re.search(r"<h1[^>]*>(.*?)</h1>", built, re.S)[1])
        titles.append(html.unescape(re.sub(r"<[^>]+>", "", heading)).strip())
    # The table of contents lists them first; the chapters follow, each after the previous one.
    # (Whitespace aside: a long title wraps onto two lines.)
    text, titles = re.sub(r"\s+", "", text), [re.sub(r"\s+", "", title) for title in titles]
    cursor = max(text.find(title) for title in titles)
    for title in titles:
        where = text.find(title, cursor)
        assert where >= 0, f"{lang}: chapter {title!r} missing or out of order"
        cursor = where + 1
    assert len(titles) >= 15


def test_no_raw_tex_and_real_outputs(book):
    lang, path, _ = book
    text = poppler("pdftotext", path)
    for raw in ("\\frac", "\\mathbf", "$$", "\\("):
        assert raw not in text, f"{lang}: raw TeX {raw} in the PDF"
    assert "max |error|:" in text and "epoch 3, loss" in text  # the code's real output


def test_the_figures_are_in_it(site, book):
    lang, path, _ = book
    listed = poppler("pdfimages", path, "-list").splitlines()[2:]
    figures = {p.name for p in (site / "assets" / "figures").glob("*.png")}
    assert len(listed) >= len(figures), f"{lang}: {len(listed)} images for {len(figures)} figures"


def test_every_font_is_embedded_and_the_chinese_text_is_real_text(book):
    """Chromium embeds the CJK font (Noto Sans CJK, a CFF font) as Type 3 glyph programs with a
    ToUnicode map: embedded, and the Chinese text extracts as text."""
    lang, path, _ = book
    fonts = poppler("pdffonts", path).splitlines()[2:]
    assert fonts and all(re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", f) for f in fonts)
    assert not [f for f in fonts if re.search(r"\sno\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", f)], "a font not embedded"
    if lang == "zh":
        text = poppler("pdftotext", path)
        assert "线性回归从零开始" in text and "小批量随机梯度下降" in text
        assert any(" Type 3 " in f for f in fonts)
