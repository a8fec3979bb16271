"""A page's code as a reader runs it: its titled blocks copied in order into a fresh interpreter, or
the whole page downloaded as one file.

A block shows sections of a snippet. What the sections need from elsewhere (imports, the seed,
helpers from data.py or training.py, names bound in lines of the snippet the page does not show) is
the page's *setup*, generated here from the snippets, never written by hand:

1. Walk the page's blocks in order and note each name a statement reads that no earlier block bound
   (a name read inside a function counts only if no block binds it at all: the function runs later).
2. Find the statement binding it among the lines the page does not show, and what that statement
   needs in turn. `from data import synthetic_data` is replaced by data.py's statements that bind
   `synthetic_data`. A name bound only by a shown import is imported again (the setup runs first).
3. A default taken from the command line (`seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0`)
   becomes the default (`seed = 0`): in Jupyter, sys.argv holds the kernel's own arguments.

The setup is folded at the top of the page, and the page's whole code (setup, then every block, its
comments in the page's language) is the download code/<page>.py. A module whose functions run in
other processes (WORKERS) cannot be pasted into an interpreter: its import stays, and the page offers
its file to save beside the code. tests/test_copy.py copies the built pages' blocks into a fresh
interpreter in an empty folder and compares what they print with the pages.
"""
from __future__ import annotations

import ast
import builtins
import hashlib
import json
import re
import symtable
import textwrap
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache

from . import comments, includes, memo
from .includes import FENCE, INCLUDE
from .layout import DOCS, url_prefix
from .sections import section_code, split_sections

WORKERS = {"scale_dist"}  # snippet modules holding functions that other processes import
WIDTH = 70  # the widest line of code a page shows, in columns: about what a phone held sideways fits
BUILTINS = frozenset(dir(builtins)) | {"__file__", "__name__"}
COMPREHENSIONS = {"listcomp", "setcomp", "dictcomp", "genexpr"}
TITLED = re.compile(r'^python\s+title="snippets/[\w.]+\.py"')


def display_width(line: str) -> int:
    """Columns `line` takes in a monospace font: a CJK character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


@dataclass(frozen=True)
class Statement:
    file: str
    line: int
    code: str
    binds: frozenset[str]
    reads: frozenset[str]   # when the statement runs
    later: frozenset[str]   # inside functions it defines: when they are called
    imports_from: str | None = None  # the module of a `from ... import ...`


def _names(code: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(bound, read now, read later) by one top-level statement."""
    table = symtable.symtable(code, "<statement>", "exec")
    binds = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    reads = {s.get_name() for s in table.get_symbols() if s.is_referenced()}
    later: set[str] = set()

    def visit(scope, now: bool):
        for child in scope.get_children():
            runs_now = now and (child.get_type() == "class" or child.get_name() in COMPREHENSIONS)
            names = {s.get_name() for s in child.get_symbols() if s.is_global() and s.is_referenced()}
            (reads if runs_now else later).update(names)
            visit(child, runs_now)
    visit(table, True)
    return frozenset(binds), frozenset(reads - binds - BUILTINS), frozenset(later - binds - BUILTINS)


class _ArgvDefault(ast.NodeTransformer):
    """`x if <test on sys.argv> else default` becomes `default`."""
    def visit_IfExp(self, node):
        if "sys.argv" in ast.unparse(node.test):
            return self.visit(node.orelse)
        return self.generic_visit(node)


@lru_cache(maxsize=4096)  # a rebuild analyses again only the code that changed
def statements(file: str, code: str, first_line: int = 1) -> tuple[Statement, ...]:
    """The top-level statements of `code` (lines numbered from `first_line`)."""
    found, lines = [], code.splitlines(keepends=True)
    for node in ast.parse(code).body:
        # ast.get_source_segment, without splitting the whole code again for every statement
        last = lines[node.end_lineno - 1].encode()[:node.end_col_offset].decode()
        text = "".join(lines[node.lineno - 1:node.end_lineno - 1]) + last
        if "sys.argv" in text and isinstance(node, ast.Assign):
            node = _ArgvDefault().visit(node)
            text = ast.unparse(node)
            if isinstance(node.value, ast.Name) and ast.unparse(node.targets[0]) == node.value.id:
                continue  # `seed = seed`: the command line only overrode a default the page shows
        binds, reads, later = _names(text)
        module = node.module if isinstance(node, ast.ImportFrom) and not node.level else None
        found.append(Statement(file, node.lineno + first_line - 1, text, binds, reads, later, module))
    return tuple(found)


def _hidden(file: str, source: str, shown: set[str]) -> list[Statement]:
    """The statements of a snippet outside the sections `shown` (not its docstring, not its
    `if __name__ == "__main__":` part)."""
    found = []
    for section, first, code in split_sections(source, file):
        if section in shown:
            continue
        for statement in statements(file, code, first):
            if statement.code.startswith(("if __name__", '"""')):
                continue
            found.append(statement)
    return found


def blocks(markdown: str) -> list[list[str]]:
    """The include targets of each titled Python block of a page (`snippets/x.py` titles), in order."""
    return [INCLUDE.findall(body) for body in _bodies(markdown)]


def _bodies(markdown: str) -> list[str]:
    return [textwrap.dedent(m["body"]) for m in FENCE.finditer(markdown) if TITLED.match(m["info"].strip())]


class _Setup:
    def __init__(self, page_blocks: list[list[str]], sources: dict[str, str], lang: str):
        self.sources, self.lang = sources, lang
        self.shown = {}  # file -> its sections this page shows
        for targets in page_blocks:
            for target in targets:
                file, _, section = target.partition(":")
                self.shown.setdefault(file, set()).add(section)
        self.hidden = {file: _hidden(file, sources[file], sections) for file, sections in self.shown.items()}
        self.modules: dict[str, list[Statement]] = {}  # every statement of an imported snippet module
        self.shown_imports: dict[str, Statement] = {}
        self.chosen: dict[tuple[str, int], Statement] = {}
        self.workers: set[str] = set()

    def need(self, name: str, file: str) -> None:
        """Provide `name` for code of `file`: a statement that binds it, and what that one needs."""
        if any(name in s.binds for s in self.chosen.values()):
            return
        candidates = self.modules[file] if file in self.modules else self.hidden.get(file, [])
        statement = next((s for s in candidates if name in s.binds), None)
        if statement is None:
            statement = self.shown_imports.get(name)
            if statement is None:
                return  # not ours to provide (the tests find out if something is missing)
        elif statement.imports_from and f"{statement.imports_from}.py" in self.sources:
            if statement.imports_from in WORKERS:
                self.workers.add(statement.imports_from)
            else:
                module = f"{statement.imports_from}.py"
                if module not in self.modules:
                    self.modules[module] = _hidden(module, self.sources[module], set())
                return self.need(name, module)
        self.chosen[(statement.file, statement.line)] = statement  # before its needs: no cycles
        for needed in sorted(statement.reads | statement.later):
            self.need(needed, statement.file)
        # what it needs comes first
        self.chosen[(statement.file, statement.line)] = self.chosen.pop((statement.file, statement.line))

    def code(self, page_blocks: list[list[str]]) -> str:
        shown = [(target.partition(":")[0], s) for targets in page_blocks for target in targets
                 for s in statements(target.partition(":")[0],
                                     section_code(target, self.sources[target.partition(":")[0]]))]
        for file, s in shown:
            if s.code.startswith(("import ", "from ")):
                self.shown_imports.update(dict.fromkeys(s.binds, s))
        bound: set[str] = set()
        for file, s in shown:
            for name in sorted(s.reads - bound):
                self.need(name, file)
            bound |= s.binds
        for file, s in shown:
            for name in sorted(s.later - bound):
                self.need(name, file)
        # Imports first, then the rest as the files have it: imported modules first, each in its order.
        files = [*self.modules, *self.shown]
        chosen = sorted(self.chosen.values(), key=lambda s: (files.index(s.file), s.line))
        imports = sorted({s.code for s in chosen if s.code.startswith(("import ", "from "))},
                         key=lambda code: (code.startswith("from "), code))
        rest = [self._translated(s) for s in chosen if not s.code.startswith(("import ", "from "))]
        code = "\n".join(imports)
        for before, text in zip([code, *rest], rest):  # a blank line around what spans lines
            code += ("\n\n" if "\n" in before or "\n" in text or before is code else "\n") + text
        return code.strip("\n")

    def _translated(self, statement: Statement) -> str:
        lookup = comments.translator(self.lang, statement.file.removesuffix(".py"), [])
        return comments.translate(statement.code, lookup)


@dataclass
class PageCode:
    setup: str           # the folded setup ("" if the first block imports everything)
    program: str         # setup and blocks: the download
    workers: list[str]   # snippet modules to save beside it (their blocks are not pasted)
    files: list[str]     # the snippet files the page shows


# The setups and programs, kept for the next process (analysing every page takes half a second).
MEMO = memo.Memo("page_code", packages=["babel"], code=["page_code", "comments", "includes", "sections", "memo"])


def page_code(markdown: str, lang: str, sources: dict[str, str], where: str = "") -> PageCode | None:
    """The setup and whole program of page `where` (None if it shows no titled code)."""
    if not blocks(markdown):
        return None
    key = hashlib.sha256(json.dumps([markdown, lang, sorted(sources.items())]).encode()
                         + _catalogues(lang)).hexdigest()
    return PageCode(**MEMO.get(key, lambda: asdict(_page_code(markdown, lang, sources, where))))


def _catalogues(lang: str) -> bytes:
    """A digest of language `lang`'s comment catalogues, read again only when one changed."""
    paths = sorted(comments.catalogue_path(lang, "x").parent.glob("*.po"))
    return _catalogues_of(tuple((path, path.stat().st_mtime_ns) for path in paths))


@lru_cache(maxsize=8)
def _catalogues_of(paths_and_times: tuple) -> bytes:
    return hashlib.sha256(b"".join(path.read_bytes() for path, _ in paths_and_times)).digest()


def _page_code(markdown: str, lang: str, sources: dict[str, str], where: str) -> PageCode:
    page_blocks = blocks(markdown)
    # The blocks as the page shows them, expanded as the page is (a broken include names its line).
    shown = [includes.expand(body, lang, {}, sources, where, []).strip("\n") for body in _bodies(markdown)]
    setup = _Setup(page_blocks, sources, lang)
    code = setup.code(page_blocks)
    pasted = [block for block, targets in zip(shown, page_blocks)  # a worker's file is saved, not pasted
              if not any(t.partition(":")[0].removesuffix(".py") in WORKERS for t in targets)]
    files = list(dict.fromkeys(t.partition(":")[0] for targets in page_blocks for t in targets))
    return PageCode(code, "\n\n\n".join(([code] if code else []) + pasted) + "\n", sorted(setup.workers), files)


TEXT = {
    "zh": {
        "title": "自己运行本页的代码",
        "copy": "把本页标有文件名的代码块按顺序复制到一个新的 Python 解释器或 Jupyter 笔记本里运行，"
                "打印的结果和页面上一样（计时的数字因机器而异）。",
        "setup": "先运行下面的准备代码。它导入本页用到的库，定义本页用到、但写在别的页面或 {files} "
                 "里没有展示的部分的函数和变量；它由构建从这些文件自动生成。",
        "no_setup": "第一个代码块已经导入了所需的一切，不需要别的准备。",
        "download": "也可以下载本页的全部代码 [{page}.py](code/{page}.py){{ download=\"{page}.py\" }}，"
                    "在一个空文件夹里用 `python {page}.py` 一次运行完。",
        "workers": "标题为 {titles} 的代码块是另一个文件的内容，不要粘贴：别的进程要从文件里导入其中的函数。"
                   "把它下载到同一个文件夹：{links}。",
        "setup_title": "准备代码",
    },
    "en": {
        "title": "Run this page's code yourself",
        "copy": "Copy the code blocks of this page that carry a file name, in order, into a fresh Python "
                "interpreter or Jupyter notebook: they print what the page shows (timings vary by machine). ",
        "setup": "Run the setup below first. It imports the libraries the page uses and defines the functions "
                 "and variables it uses from other pages or from the parts of {files} it does not show; "
                 "the build generates it from those files.",
        "no_setup": "The first block imports everything needed; there is no other setup.",
        "download": "Or download the page's whole code, [{page}.py](code/{page}.py){{ download=\"{page}.py\" }}, "
                    "and run it in an empty folder with `python {page}.py`.",
        "workers": "The blocks titled {titles} are the contents of another file: do not paste them, since "
                   "other processes import its functions from the file. Download it into the same folder: "
                   "{links}.",
        "setup_title": "Setup",
    },
}


def fold(code: PageCode, page: str, lang: str) -> str:
    """The collapsed box at the top of a page: how to run its code, its setup, its downloads."""
    text = TEXT[lang]
    files = ", ".join(f"`snippets/{file}`" for file in code.files)
    lines = [f'??? tip run-code "{text["title"]}"', "", "    " + text["copy"]
             + (text["setup"].format(files=files) if code.setup else text["no_setup"]),
             "", "    " + text["download"].format(page=page)]
    if code.workers:
        titles = ", ".join(f"`snippets/{w}.py`" for w in code.workers)
        links = ", ".join(f'[{w}.py](code/{w}.py){{ download="{w}.py" }}' for w in code.workers)
        lines += ["", "    " + text["workers"].format(titles=titles, links=links)]
    if code.setup:
        lines += ["", f'    ```python title="{text["setup_title"]}"']
        lines += [f"    {line}" if line else "" for line in code.setup.split("\n")] + ["    ```"]
    return "\n".join(lines) + "\n"


def insert(markdown: str, box: str) -> str:
    """`box` after the first paragraph under the page's title."""
    at = re.search(r"^# .*\n+(?:.+\n)+\n", markdown, re.M)
    at = at.end() if at else 0
    return markdown[:at] + box + "\n" + markdown[at:]


def files(config, lang: str, codes: dict[str, PageCode], sources: dict[str, str]) -> list:
    """The downloads of language `lang`: code/<page>.py, and the worker modules as they are."""
    from mkdocs.structure.files import File

    contents = {page: code.program for page, code in codes.items()}
    contents.update({w: sources[f"{w}.py"] for code in codes.values() for w in code.workers})
    generated = []
    for name, content in contents.items():
        file = File.generated(config, f"{lang}/code/{name}.py", content=content)
        file.dest_uri = f"{url_prefix(lang)}code/{name}.py"
        generated.append(file)
    return generated


def codes(lang: str, sources: dict[str, str]) -> dict[str, PageCode]:
    """The code of every page of language `lang` that shows titled code."""
    found = {}
    for path in sorted((DOCS / lang).glob("*.md")):
        code = page_code(path.read_text(encoding="utf-8"), lang, sources, f"{lang}/{path.name}")
        if code:
            found[path.stem] = code
    return found
