"""The whole book as one PDF per language, printed from the built pages (`LINREG_PDF=1 mkdocs build`).

After both languages are built, the pages of the navigation (no home page, no notebooks: they repeat
the practice pages) are joined into one print document per language: a title page, a table of
contents, then each page as a chapter, with its code, real outputs, figures and the math KaTeX
rendered at build time; exercise solutions are opened, the playground becomes a note with its link,
links between pages become links inside the PDF. Chromium (Debian's, driven by Playwright) prints it
with page numbers and the headings as the PDF's outline, and embeds the fonts it uses (Noto CJK for
Chinese). The PDFs go to site/pdf/ and site/en/pdf/, and each home page's `<!-- pdf-download -->`
marker becomes a link saying how big the file is.

mkdocs-print-site-plugin was the obvious tool, but it collects the default language only under
mkdocs-static-i18n (its issue #70); joining the built pages is short and prints exactly what the site shows.
"""
from __future__ import annotations

import html
import os
import re
import tempfile
from pathlib import Path, PurePosixPath

from . import atomic
from .layout import LANGS

CHROMIUM = "/usr/bin/chromium"
MARKER = "<!-- pdf-download -->"
TEXT = {
    "zh": {"contents": "目录", "download": "下载整本书的 PDF", "pages": "页",
           "playground": "网页版这里有一个可以动手调学习率和批量大小的小批量 SGD 小程序："},
    "en": {"contents": "Contents", "download": "Download the whole book as a PDF", "pages": "pages",
           "playground": "The web version has an interactive minibatch SGD playground here: "},
}
PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm; }
body { margin: 0; font-size: 11pt; }
.md-typeset { font-size: 10.5pt; line-height: 1.6; }
body[lang="zh"] .md-typeset, body[lang="zh"] { font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif; }
.cover { height: 240mm; display: flex; flex-direction: column; justify-content: center; text-align: center;
         break-after: page; }
.cover h1 { font-size: 28pt; margin: 0 0 1em; color: #283593; }
.cover p { font-size: 13pt; color: #444; }
.toc { break-after: page; }
.md-typeset .toc ol { list-style: none; padding-left: 0; margin-left: 0; }
.md-typeset .toc ol ol { padding-left: 1.5em; font-size: 0.92em; }
.md-typeset .toc li { margin-bottom: 0.1em; }
.md-typeset .toc a { color: inherit; text-decoration: none !important; }
.chapter { break-before: page; }
.md-typeset h1, .md-typeset h2, .md-typeset h3 { break-after: avoid; }
.md-typeset img, .md-typeset .katex-display, .md-typeset table, .md-typeset .admonition > p:first-child,
.md-typeset details > summary { break-inside: avoid; }
.md-typeset pre, .md-typeset pre > code { white-space: pre-wrap; overflow-wrap: anywhere; }
.md-typeset pre > code { font-size: 0.82em; }
.md-typeset .katex-display { overflow: visible; }
.md-typeset .katex-display > .katex { white-space: normal; }
.md-typeset details { overflow: visible; }
.md-typeset details > summary::after { display: none; }
.headerlink, .md-content__button { display: none !important; }
"""


def wanted() -> bool:
    return os.environ.get("LINREG_PDF") == "1"


def wanted_by_tests() -> bool:
    """The tests' build prints the PDF wherever it can (Chromium is there) and always in CI."""
    return Path(CHROMIUM).exists() or os.environ.get("CI") == "true"


def chapters(nav) -> list[str]:
    """The URLs of a language's pages in navigation order, as the book's chapters."""
    return [page.url for page in nav.pages
            if page.file.src_uri.endswith(".md") and not page.is_homepage]


def _slug(url: str) -> str:
    return PurePosixPath(url).name or "home"


def _inline(heading) -> str:
    """A heading's HTML for the table of contents: formulas as KaTeX draws them, no links or ids."""
    from bs4 import BeautifulSoup

    heading = BeautifulSoup(heading.decode_contents(), "html.parser")
    for mathml in heading.select("span.katex-mathml"):
        mathml.decompose()
    for tag in heading.find_all(["a", "code"]):
        tag.unwrap()
    for tag in heading.find_all(id=True):
        del tag["id"]
    return heading.decode().strip()


def _chapter(site: Path, url: str, chapter_urls: set[str], site_url: str, lang: str) -> tuple[str, str, list]:
    """A built page as a chapter: (title, HTML, [(id, h2 title)])."""
    from bs4 import BeautifulSoup

    page_dir = site / url
    soup = BeautifulSoup((page_dir / "index.html").read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article", class_="md-content__inner")
    slug = _slug(url)
    for tag in article.select("a.headerlink, a.md-content__button"):
        tag.decompose()
    for tag in article.find_all(id=True):
        tag["id"] = f"{slug}--{tag['id']}"

    def link(target: str) -> str:
        if target.startswith("#"):
            return f"#{slug}--{target[1:]}"
        if re.match(r"^[a-z]+:", target):
            return target
        path, _, anchor = target.partition("#")
        resolved = os.path.normpath(os.path.join(url, path)).replace(os.sep, "/").strip("/") + "/"
        if resolved in chapter_urls:
            return f"#{_slug(resolved)}{'--' + anchor if anchor else ''}"
        if site_url:  # a page the book leaves out (a notebook): the published site
            return f"{site_url.rstrip('/')}/{resolved}{'#' + anchor if anchor else ''}"
        return "#"
    for tag in article.find_all(href=True):
        tag["href"] = link(tag["href"])
    for tag in article.find_all(src=True):
        if ":" not in tag["src"]:
            tag["src"] = (page_dir / tag["src"]).resolve().as_uri()
    for tag in article.find_all(loading=True):
        del tag["loading"]  # a printed page loads everything
    for details in article.find_all("details"):
        details["open"] = ""  # solutions shown
    page_link = f"{site_url.rstrip('/')}/{url}" if site_url else url
    for playground in article.select("div.sgd-playground"):
        note = soup.new_tag("p", attrs={"class": "admonition note"})
        note.string = TEXT[lang]["playground"] + page_link
        playground.replace_with(note)
    title = _inline(article.find("h1"))
    sections = [(h2["id"], _inline(h2)) for h2 in article.find_all("h2", id=True)]
    return title, f'<section class="chapter" id="{slug}">{article.decode_contents()}</section>', sections


def book_html(site: Path, urls: list[str], lang: str, config) -> tuple[str, Path]:
    """The print document of a language, and the folder of its home page."""
    chapter_urls = set(urls)
    parts = [_chapter(site, url, chapter_urls, config.site_url or "", lang) for url in urls]
    toc = "".join(f'<li><a href="#{_slug(url)}">{title}</a><ol>'
                  + "".join(f'<li><a href="#{i}">{t}</a></li>' for i, t in sections) + "</ol></li>"
                  for url, (title, _, sections) in zip(urls, parts))
    home = site / ("" if lang == LANGS[0] else lang)
    css = "".join(f'<link rel="stylesheet" href="{p.resolve().as_uri()}">'
                  for p in [*sorted((site / "assets" / "stylesheets").glob("*.css")),
                            site / "assets" / "katex" / "katex.min.css", site / "assets" / "extra.css"])
    cover_url = f"<p>{html.escape(config.site_url)}</p>" if config.site_url else ""
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(config.site_name)}</title>'
            f"{css}<style>{PRINT_CSS}</style></head>"
            f'<body lang="{lang}" data-md-color-scheme="default" data-md-color-primary="indigo">'
            f'<div class="md-typeset"><section class="cover"><h1>{html.escape(config.site_name)}</h1>'
            f"<p>{html.escape(config.site_description or '')}</p>{cover_url}</section>"
            f'<nav class="toc"><h2>{TEXT[lang]["contents"]}</h2><ol>{toc}</ol></nav>'
            + "".join(body for _, body, _ in parts) + "</div></body></html>"), home


def print_pdf(document: Path, target: Path) -> None:
    from playwright.sync_api import sync_playwright

    footer = ('<div style="width:100%;font-size:8pt;color:#666;text-align:center;">'
              '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox",
                                    "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        page.goto(document.as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready")
        target.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(target), format="A4", print_background=True, outline=True, tagged=True,
                 display_header_footer=True, header_template="<span></span>", footer_template=footer,
                 margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"})
        browser.close()


def pdf_path(site: Path, lang: str) -> Path:
    return site / ("" if lang == LANGS[0] else lang) / "pdf" / f"linear-regression-from-scratch.{lang}.pdf"


def build(site_dir: str, books: dict[str, tuple[list[str], object]], log) -> None:
    """Print one PDF per language and link it from that language's home page. `books` holds, per
    language, the chapter URLs and the site's name, description and address in that language."""
    site = Path(site_dir)
    for lang in LANGS:
        urls, info = books[lang]
        document, home = book_html(site, urls, lang, info)
        target = pdf_path(site, lang)
        with tempfile.TemporaryDirectory() as folder:  # a build of its own: builds side by side don't mix
            source = Path(folder) / f"book.{lang}.html"
            source.write_text(document, encoding="utf-8")
            print_pdf(source, target)
        size = target.stat().st_size / 1e6
        pages = len(re.findall(rb"/Type\s*/Page\b", target.read_bytes()))
        log.info(f"PDF ({lang}): {target.relative_to(site)}, {pages} pages, {size:.1f} MB")
        index = home / "index.html"
        link = (f'<p class="pdf-download"><a href="{target.relative_to(home).as_posix()}" download>'
                f'{TEXT[lang]["download"]}</a>（{size:.1f} MB，{pages} {TEXT[lang]["pages"]}）</p>'
                if lang == "zh" else
                f'<p class="pdf-download"><a href="{target.relative_to(home).as_posix()}" download>'
                f'{TEXT[lang]["download"]}</a> ({size:.1f} MB, {pages} {TEXT[lang]["pages"]}).</p>')
        atomic.write(index, index.read_text(encoding="utf-8").replace(MARKER, link, 1))
