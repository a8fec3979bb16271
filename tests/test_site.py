"""The site as a whole: strict build, zh/en parity, code fences that cannot be skipped silently, offline."""
import re

import pytest

from conftest import DOCS, LANGS, ROOT, layout
from linreg_build.includes import FENCE, INCLUDE


def pages(lang):
    return {p.relative_to(DOCS / lang).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted((DOCS / lang).rglob("*.md"))}


ALL_PAGES = [(lang, name, text) for lang in LANGS for name, text in pages(lang).items()]
PAGE_IDS = [f"{lang}/{name}" for lang, name, _ in ALL_PAGES]


def skeleton(text):
    """What must match between the two languages of a page."""
    return {
        "includes": INCLUDE.findall(text),
        "display formulas": text.count("$$"),
        "images": [src for src in re.findall(r"!\[[^\]]*\]\(([^)\s]+)", text)],
        "sections": len(re.findall(r"^#{2,3} ", text, re.M)),
        "code fences": [m["info"].split()[0] if m["info"].strip() else "" for m in FENCE.finditer(text)],
    }


def test_strict_build_from_scratch(site):
    for lang_prefix in ("", "en/"):
        assert (site / lang_prefix / "index.html").is_file()
    assert (site / "assets/katex/katex.min.css").is_file()


def test_every_page_exists_in_both_languages():
    assert pages("zh").keys() == pages("en").keys()


@pytest.mark.parametrize("name", sorted(pages("zh")))
def test_zh_and_en_pages_have_the_same_skeleton(name):
    assert skeleton(pages("zh")[name]) == skeleton(pages("en")[name])


@pytest.mark.parametrize("lang,name,text", ALL_PAGES, ids=PAGE_IDS)
def test_no_python_fence_is_skipped_silently(lang, name, text):
    """pytest-codeblocks runs only fences written exactly ```python; every other Python fence must
    be a pure snippet include (covered by the snippet's own tests)."""
    for m in FENCE.finditer(text):
        info = m["info"].strip()
        language = re.split(r"[\s{]", info.lstrip("{ ."), maxsplit=1)[0].lower()
        if language not in {"python", "py", "python3", "py3", "pycon"} or info == "python":
            continue
        lines = [line for line in m["body"].splitlines() if line.strip()]
        assert lines and all(INCLUDE.fullmatch(line.strip()) for line in lines), (
            f"{lang}/{name}: fence ```{info} would not be run by pytest-codeblocks; "
            "write it as ```python or make it a --8<-- include")


@pytest.mark.parametrize("lang,name,text", ALL_PAGES, ids=PAGE_IDS)
def test_every_include_names_an_existing_section(lang, name, text):
    """Code includes are 'file.py:section'; output includes are 'snippet/section.txt'."""
    for target in INCLUDE.findall(text):
        if target.endswith(".txt"):
            snippet, section = target[:-4].split("/")
            target = f"{snippet}.py:{section}"
        file, _, section = target.partition(":")
        source = (layout.SNIPPETS / file).read_text(encoding="utf-8")
        assert section, f"{lang}/{name}: include a named section, not all of {file}"
        assert f"# --8<-- [start:{section}]" in source, f"{lang}/{name}: no section {target}"


def test_output_includes_are_real_snippet_output(runs):
    """Every output block a page includes is text its section printed in the build's run."""
    for lang in LANGS:
        for name, text in pages(lang).items():
            for target in INCLUDE.findall(text):
                if target.endswith(".txt"):
                    snippet, section = target[:-4].split("/")
                    assert runs[snippet]["outputs"].get(section, "").strip(), f"{target} printed nothing"


def test_built_pages_load_nothing_from_other_hosts(site):
    """No tag loads from another host, and no inline script names one (an import() would)."""
    external = re.compile(r'<(?:script|link|img|iframe|source)\b[^>]*(?:src|href)="(?:https?:)?//', re.I)
    script = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        hits = external.findall(text) + [url for body in script.findall(text)
                                         for url in re.findall(r"https?://[^\s\"'`)]+", body)]
        assert not hits, f"{html.relative_to(site)} loads from another host: {hits[:3]}"
        assert '<script src="">' not in text, f"{html.relative_to(site)}: empty script"


def test_html_lang_matches_the_language(site):
    for html in site.rglob("*.html"):
        rel = html.relative_to(site).as_posix()
        expected = "en" if rel.startswith("en/") else "zh"
        assert f'<html lang="{expected}"' in html.read_text(encoding="utf-8"), rel


def test_internal_links_resolve(site):
    """Every href/src in the built HTML that points into the site names a file that exists."""
    attribute = re.compile(r'\s(?:href|src)="([^"]*)"')
    broken, checked = [], 0
    for html in site.rglob("*.html"):
        if html.name == "404.html":
            continue  # served for any missing path, so its links are root-relative by design
        for link in attribute.findall(html.read_text(encoding="utf-8")):
            if re.match(r"^([a-z][a-z0-9+.-]*:|//|#)", link, re.I):
                continue  # another scheme or an in-page anchor
            path = link.split("#")[0].split("?")[0]
            target = (html.parent / path).resolve()
            checked += 1
            # A root-relative link ("/x") would break when the site is served under a sub-path.
            if path.startswith("/") or not (target.is_file() or (target / "index.html").is_file()):
                broken.append(f"{html.relative_to(site)} -> {link}")
    assert checked > 100 and not broken, broken[:10]


@pytest.mark.parametrize("page", layout.notebook_pages())
def test_inline_blocks_do_not_clobber_the_page_code(page):
    """In the notebook, inline ```python blocks run in the same namespace as the page's code: a name
    they assign must not be one the page's code uses (it would silently change the results)."""
    import ast

    from linreg_build.sections import section_code

    text = pages("en")[f"{page}.md"]
    page_code = "\n".join(section_code(t) for t in INCLUDE.findall(text) if not t.endswith(".txt"))
    used = {n.id for n in ast.walk(ast.parse(page_code)) if isinstance(n, ast.Name)}
    for m in FENCE.finditer(text):
        if m["info"].strip() == "python":
            assigned = set()
            body = re.sub(rf"^{m['indent']}", "", m["body"], flags=re.M)  # a block in a fold is indented
            for statement in ast.parse(body).body:  # module-level names (locals do no harm)
                if isinstance(statement, (ast.FunctionDef, ast.ClassDef)):
                    assigned.add(statement.name)
                else:
                    assigned |= {n.id for n in ast.walk(statement)
                                 if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            assert not assigned & used, f"{page}: an inline block reassigns {sorted(assigned & used)}"


@pytest.mark.parametrize("page", layout.notebook_pages())
def test_notebooks_are_built_and_executed_in_both_languages(site, runs, page):
    """Each code page is also an executed notebook at notebooks/<page>/ and en/notebooks/<page>/,
    with its .ipynb beside it for download, and it printed what the page shows."""
    import nbformat

    outputs = [t for t in INCLUDE.findall(pages("zh")[f"{page}.md"]) if t.endswith(".txt")]
    snippet, section = outputs[-1][:-4].split("/")
    # (timings masked: the notebook's run and the page's run take their own time)
    timing = re.compile(r"[\d.]+ ?(?:ns|µs|us|ms|s)\b")
    last_output = timing.sub("<time>", runs[snippet]["outputs"][section].strip().splitlines()[-1])
    for prefix, lang in (("", "zh"), ("en/", "en")):
        folder = site / prefix / "notebooks" / page
        html = (folder / "index.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in html
        executed = nbformat.read(folder / f"{page}.ipynb", as_version=4)
        code = [c for c in executed.cells if c.cell_type == "code"]
        assert code and all(c.execution_count for c in code), "every code cell was executed"
        assert html.count("jp-OutputArea-output") == sum(len(c.outputs) for c in code) > 0, "its outputs are shown"
        assert last_output in timing.sub("<time>", html), "the notebook ran the page's code and printed the same numbers"
        assert re.search(rf'<a (?=[^>]*\bhref="{page}\.ipynb")(?=[^>]*\bdownload\b)', html), "download button"
        notebook = nbformat.read(folder / f"{page}.ipynb", as_version=4)
        nbformat.validate(notebook)
        prose = " ".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        assert ("的" in prose) == (lang == "zh"), "prose cells are in the page's language"


def test_every_page_was_checked_against_its_twins_current_text():
    """A page changed and its twin was not read against the change: the translation may have drifted."""
    from linreg_build import twins

    stale = [f"docs/{twins.twin_of(lang)}/{page} changed since docs/{lang}/{page} was checked against it"
             for lang, page in twins.stale()]
    assert not stale, "\n".join(stale) + "\n(python -m linreg_build.twins shows what changed; after checking: " \
                                        "python -m linreg_build.twins mark <page>.md)"


def test_code_file_names_link_only_to_files_that_exist(site):
    """With the repository's address known (the publishing workflow), a code block's file name links
    to that file at the built commit; without it (a local build), nothing is linked."""
    from linreg_build import repository

    prefix = repository.files_url(None)
    linked = re.findall(r'<span class="filename"><a href="([^"]+)">', (site / "scratch" / "index.html").read_text())
    if not prefix:
        assert linked == []
        return
    assert linked and all(url.startswith(prefix) and (ROOT / url[len(prefix):]).is_file() for url in linked)
