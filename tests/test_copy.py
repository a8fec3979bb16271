"""A reader copies a page's code: the titled code blocks of the built page, in order, pasted into a
fresh Python interpreter in an empty folder (the setup folded at the top first). They must run and
print what the page's output blocks show, in both languages; the download code/<page>.py is the
same code in one file. Timings are masked (on the benchmark page, every number)."""
import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import DOCS, LANGS
from linreg_build import atomic, comments, keys, layout, page_code

CODE_PAGES = sorted(p.stem for p in (DOCS / LANGS[0]).glob("*.md") if page_code.blocks(p.read_text(encoding="utf-8")))
SETUP_TITLES = {text["setup_title"] for text in page_code.TEXT.values()}
TIMING = re.compile(r"\d[\d,]*(\.\d+)?(e[-+]?\d+)?( ?(ms|µs|μs|ns|s)\b|x\b|×)")
NUMBER = re.compile(r"\d[\d,]*(\.\d+)?(e[-+]?\d+)?( ?(ms|µs|μs|ns|s|[KMG]B)\b|x\b|×)?")  # and its unit

# Runs in the fresh interpreter: each block as the interactive prompt runs pasted code, in __main__
# (the harness keeps its own names in a function so that a block cannot overwrite them).
HARNESS = '''
def _run_blocks():
    import contextlib, io, json, sys, traceback
    import __main__
    blocks = json.loads(sys.stdin.read())
    results = []
    for number, code in enumerate(blocks):
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"<block {number + 1}>", "exec"), __main__.__dict__)
        except BaseException:
            results.append({"out": out.getvalue(), "error": traceback.format_exc()})
            break
        results.append({"out": out.getvalue()})
    sys.__stdout__.write("\\n<<<results>>>" + json.dumps(results))
_run_blocks()
'''


def page_html(site, lang, page):
    return BeautifulSoup((site / layout.url_prefix(lang) / page / "index.html").read_text(encoding="utf-8"),
                         "html.parser")


def copied_blocks(soup, workers):
    """[(title, code)] of the titled Python blocks in page order: the setup, then every block a reader
    pastes (not the blocks of a worker's file, which is saved instead)."""
    blocks = []
    for block in soup.select("div.highlight"):
        title = block.select_one("span.filename")
        title = title.get_text() if title else None
        if title in SETUP_TITLES or title and title.startswith("snippets/") and Path(title).stem not in workers:
            blocks.append((title, block.select_one("code").get_text()))
    return blocks


def printed_by(targets, runs):
    """What the sections `targets` of a block printed in the build's run: the page's outputs."""
    return "".join(runs[t.partition(":")[0].removesuffix(".py")]["outputs"].get(t.partition(":")[2], "")
                   for t in targets)


def masked(text, page):
    """`text` with its timings (on a benchmark page, every number) replaced by # and the padding
    around them (table columns are as wide as the numbers) made one space."""
    text = "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))
    return re.sub(r" *# *", " # ", (NUMBER if page in layout.BENCHMARKS else TIMING).sub("#", text))


def run_copied(codes, folder, files):
    """What each block printed, pasted in order into a fresh interpreter in `folder`. A run that went
    through is kept in .cache/copied/ under the key of exactly this code, these files, this Python and
    the installed packages the code imports (keys.py, the recipe of the build's own runs): the suite
    runs a page's code again only when something it depends on changed."""
    imported = {alias.name.split(".")[0] if isinstance(node, ast.Import) else (node.module or "").split(".")[0]
                for code in [*codes, *files.values()] for node in ast.walk(ast.parse(code))
                if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    key = keys.cache_key("copied", codes, files, HARNESS, packages=keys.distributions_of(imported - {""}))
    kept = layout.CACHE / "copied" / f"{key[:32]}.json"
    if kept.is_file():
        return json.loads(kept.read_text(encoding="utf-8"))
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", HARNESS], input=json.dumps(codes), cwd=folder, text=True,
                          capture_output=True, env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg",
                                                    "HOME": str(folder)}, timeout=600)
    assert "<<<results>>>" in done.stdout, done.stderr[-3000:]
    results = json.loads(done.stdout.rpartition("<<<results>>>")[2])
    if not any("error" in result for result in results):
        atomic.write(kept, json.dumps(results, ensure_ascii=False))
    return results


@pytest.mark.parametrize("page", CODE_PAGES)
def test_copied_blocks_run_and_print_what_the_page_shows(site, runs, page, tmp_path):
    workers, blocks = {}, {}
    for lang in LANGS:
        soup = page_html(site, lang, page)
        box = soup.select_one("details.run-code")
        assert box is not None, f"{lang}/{page}: no box saying how to run the page's code"
        for link in box.select("a[download]"):
            if link["download"] != f"{page}.py":
                workers[link["download"]] = (site / layout.url_prefix(lang) / page / link["href"]).resolve()
        blocks[lang] = copied_blocks(soup, {Path(name).stem for name in workers})
    # The page's blocks, as its source names them: the sections each shows (the setup shows none).
    sections = [targets for targets in page_code.blocks((DOCS / LANGS[0] / f"{page}.md").read_text(encoding="utf-8"))
                if Path(targets[0].partition(":")[0]).stem not in {Path(w).stem for w in workers}]
    titles = [f"snippets/{targets[0].partition(':')[0]}" for targets in sections]
    # The languages differ only in their comments: the same program runs once for both.
    code = {lang: [comments.strip(c) for _, c in blocks[lang]] for lang in LANGS}
    for lang in LANGS:
        assert code[lang] == code[LANGS[0]], f"{page}: the languages' code differs"
        assert [t for t, _ in blocks[lang] if t.startswith("snippets/")] == titles, f"{lang}/{page}"
    if len(blocks[LANGS[0]]) > len(sections):
        sections.insert(0, [])  # the setup
    files = {name: path.read_text(encoding="utf-8") for name, path in workers.items()}
    results = run_copied([c for _, c in blocks[LANGS[0]]], tmp_path, files)
    for number, ((title, _), targets, result) in enumerate(zip(blocks[LANGS[0]], sections, results), 1):
        where = f"{page}, block {number} ({title}: {', '.join(targets)})"
        assert "error" not in result, f"{where} failed:\n{result['error']}"
        printed, expected = masked(result["out"], page), masked(printed_by(targets, runs), page)
        assert printed == expected, f"{where} printed:\n{printed}\n--- the page shows:\n{expected}"
    assert len(results) == len(blocks[LANGS[0]])


@pytest.mark.parametrize("lang", LANGS)
def test_the_download_is_the_setup_and_the_blocks(site, lang):
    for page in CODE_PAGES:
        soup = page_html(site, lang, page)
        workers = {Path(a["download"]).stem for a in soup.select("details.run-code a[download]")} - {page}
        download = (site / layout.url_prefix(lang) / "code" / f"{page}.py").read_text(encoding="utf-8")
        shown = "\n\n\n".join(code.rstrip("\n") for _, code in copied_blocks(soup, workers)) + "\n"
        assert download == shown, page


@pytest.mark.parametrize("page", ["scratch", "concise"])
def test_a_download_runs_as_a_script(site, runs, page, tmp_path):
    """Run as a script (not pasted), the download prints what the page shows, in order."""
    targets = page_code.blocks((DOCS / LANGS[0] / f"{page}.md").read_text(encoding="utf-8"))
    shown = "".join(printed_by(block, runs) for block in targets)
    (tmp_path / f"{page}.py").write_bytes((site / "code" / f"{page}.py").read_bytes())
    done = subprocess.run([sys.executable, f"{page}.py"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-3000:]
    assert masked(done.stdout, page) == masked(shown, page)


def test_every_code_page_has_a_box_and_only_those(site):
    for lang in LANGS:
        for path in sorted((DOCS / lang).glob("*.md")):
            box = page_html(site, lang, path.stem if path.stem != "index" else "").select_one("details.run-code")
            assert (box is not None) == (path.stem in CODE_PAGES), f"{lang}/{path.stem}"
