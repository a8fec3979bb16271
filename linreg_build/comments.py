"""Code comments in the reader's language, from one code source.

The snippets are written once, in Python with English comments. A page in another language shows
the same code with the comments and docstrings translated from a gettext catalogue,
snippets/locale/<lang>/LC_MESSAGES/<snippet>.po (read with Babel). Only the code a page can show is
translated: the named sections. The code itself never changes, so one run serves every language.

A message is a block of consecutive full-line comments (one msgid, its lines joined by newlines), a
comment at the end of a line of code, or a docstring.

    python -m linreg_build.comments update   # add new messages (empty), mark changed ones fuzzy
    python -m linreg_build.comments check    # list what is untranslated, fuzzy or stale (as the tests do)
"""
from __future__ import annotations

import ast
import hashlib
import inspect
import io
import re
import sys
import tokenize
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from . import atomic, memo
from .layout import LANGS, LOCALE, SNIPPETS
from .sections import section_code, split_sections

SOURCE_LANG = "en"  # the language the snippets are written in
PRAGMA = re.compile(r"^(noqa|type:|pragma|fmt:|isort:)")


@dataclass
class Message:
    msgid: str
    start: tuple[int, int]  # (line, column) where the replaced text starts, 1-based lines
    end: tuple[int, int]    # (line, column) just after it
    kind: str               # "block" (full-line comments), "inline" or "docstring"
    column: int             # indentation of a comment block or docstring


def _comment_text(token: str) -> str:
    return token[1:][1:] if token[1:2] == " " else token[1:]


def _chars(line: str, byte_offset: int) -> int:
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8"))


def messages(code: str) -> list[Message]:
    """The translatable pieces of a piece of code, in order."""
    lines = code.splitlines(keepends=True)
    found: list[Message] = []
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type != tokenize.COMMENT:
            continue
        text = _comment_text(tok.string).rstrip()
        if not text or PRAGMA.match(text):
            continue
        (row, col), full_line = tok.start, not lines[tok.start[0] - 1][:tok.start[1]].strip()
        last = found[-1] if found else None
        if (full_line and last and last.kind == "block" and last.end[0] == row - 1
                and last.column == col):
            last.msgid += "\n" + text
            last.end = tok.end
            continue
        found.append(Message(text, tok.start, tok.end, "block" if full_line else "inline", col))
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            first = node.body[0] if node.body else None
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                # ast counts columns in UTF-8 bytes, tokenize (and translate) in characters
                start = (first.lineno, _chars(lines[first.lineno - 1], first.col_offset))
                end = (first.end_lineno, _chars(lines[first.end_lineno - 1], first.end_col_offset))
                found.append(Message(inspect.cleandoc(first.value.value), start, end, "docstring", start[1]))
    return sorted(found, key=lambda m: m.start)


def _replacement(message: Message, text: str) -> str:
    pad = " " * message.column
    if message.kind == "docstring":
        body = text.replace("\n", "\n" + pad) if "\n" in text else text
        return f'"""{body}\n{pad}"""' if "\n" in text else f'"""{text}"""'
    return ("\n" + pad).join(f"# {line}".rstrip() for line in text.split("\n"))


def translate(code: str, lookup) -> str:
    """`code` with every message replaced by lookup(msgid) (None keeps the original)."""
    if lookup is None:
        return code
    lines = code.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    for message in reversed(messages(code)):
        text = lookup(message.msgid)
        if text is None:
            continue
        start = offsets[message.start[0] - 1] + message.start[1]
        end = offsets[message.end[0] - 1] + message.end[1]
        code = code[:start] + _replacement(message, text) + code[end:]
    return code


# Every build compares the notebooks' code in every language: kept for the next process too.
STRIPPED = memo.Memo("stripped", packages=[], code=["comments", "memo"])


@lru_cache(maxsize=1024)
def strip(code: str) -> str:
    """The code without its comments and docstrings (and blank lines): the same in every language."""
    def compute():
        marked = re.sub(r'[ \t]*(# \0|"""\0""")', "", translate(code, lambda msgid: "\0"))
        return "\n".join(line.rstrip() for line in marked.splitlines() if line.strip())
    return STRIPPED.get(hashlib.sha256(code.encode()).hexdigest(), compute)


def shown_messages(path: Path) -> list[tuple[str, str]]:
    """(section, msgid) of every message in the named sections of a snippet file."""
    source = path.read_text(encoding="utf-8")
    names = dict.fromkeys(name for name, _, _ in split_sections(source) if name)
    return [(name, m.msgid) for name in names for m in messages(section_code(f"{path.name}:{name}", source))]


def catalogue_path(lang: str, stem: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{stem}.po"


@lru_cache(maxsize=None)
def _read(path: Path, mtime: float) -> Catalog | None:
    with path.open("rb") as f:
        return read_po(f)


def catalogue(lang: str, stem: str) -> Catalog | None:
    path = catalogue_path(lang, stem)
    return _read(path, path.stat().st_mtime) if path.is_file() else None


def translator(lang: str, stem: str, missing: list[str]):
    """lookup(msgid) for the page's language; collects untranslated msgids in `missing`."""
    if lang == SOURCE_LANG:
        return None  # translate() then leaves the code as it is
    cat = catalogue(lang, stem)

    def lookup(msgid: str) -> str | None:
        entry = cat.get(msgid) if cat else None
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(msgid)
            return None
        return entry.string
    return lookup


def problems(lang: str) -> list[str]:
    """Untranslated, fuzzy and stale messages of every snippet, for language `lang`."""
    found = []
    for path in sorted(SNIPPETS.glob("*.py")):
        wanted = {msgid for _, msgid in shown_messages(path)}
        cat = catalogue(lang, path.stem)
        entries = {m.id: m for m in cat if m.id} if cat else {}
        for msgid in sorted(wanted):
            entry = entries.get(msgid)
            if entry is None or not entry.string:
                found.append(f"{path.name}: untranslated {msgid!r}")
            elif entry.fuzzy:
                found.append(f"{path.name}: fuzzy (source changed) {msgid!r}")
        found += [f"{path.name}: stale, its comment is gone {msgid!r}" for msgid in sorted(entries) if msgid not in wanted]
    return found


def update() -> None:
    """Bring every catalogue in line with the snippets: new messages empty, changed ones fuzzy."""
    for lang in (lang for lang in LANGS if lang != SOURCE_LANG):
        for path in sorted(SNIPPETS.glob("*.py")):
            shown = shown_messages(path)
            if not shown and not catalogue_path(lang, path.stem).exists():
                continue
            template = Catalog(locale=lang, project=path.name)
            for section, msgid in shown:
                if msgid not in template:
                    template.add(msgid, locations=[(path.name, 0)], auto_comments=[f"section {section}"])
            cat = catalogue(lang, path.stem) or Catalog(locale=lang, project=path.name)
            cat.update(template)
            cat.obsolete.clear()
            target = catalogue_path(lang, path.stem)
            po = io.BytesIO()
            write_po(po, cat, width=100, omit_header=True, include_lineno=False)
            atomic.write(target, po.getvalue())  # a build reading it meanwhile sees all of it or none
            todo = sum(1 for m in cat if m.id and (not m.string or m.fuzzy))
            print(f"{target.relative_to(SNIPPETS.parent)}: {len(template)} messages, {todo} to translate")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    else:
        listed = [p for lang in LANGS if lang != SOURCE_LANG for p in problems(lang)]
        print("\n".join(listed) or "every shown comment is translated")
        sys.exit(1 if listed else 0)
