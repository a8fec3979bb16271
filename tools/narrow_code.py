"""Fit the code the pages show to a phone: no shown line wider than WIDTH columns, in any language.

    python tools/narrow_code.py snippets/own_model.py [...]   # rewrites the files and their catalogues

Comments and docstrings are what usually make a line long, and they are translated
(linreg_build/comments.py): a comment at the end of a too-long line moves onto its own line above,
a too-long comment or docstring line wraps. The same decisions are applied to the English code and
to each translation, so the messages stay paired; the catalogues get the rewrapped messages with
their translations (wrapped by display width: a CJK character is two columns). Code lines that are
still too long are listed: those a person shortens. Only the named sections (what pages show) change.
"""
from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.pofile import write_po

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from linreg_build import atomic, comments  # noqa: E402
from linreg_build.layout import LANGS  # noqa: E402
from linreg_build.page_code import WIDTH, display_width as width  # noqa: E402
from linreg_build.sections import split_sections  # noqa: E402

WIDE = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
TOKEN = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+|\s+")
NO_LINE_START = set("，。；：、）」』！？,.;:)")


def wrap(text: str, room: int) -> list[str]:
    """`text` in lines of at most `room` columns, broken at spaces or between CJK characters (never
    before a closing punctuation mark: the character before it goes down with it)."""
    lines, line = [], []
    for token in TOKEN.findall(text):
        if line and not token.isspace() and width("".join(line) + token) > room:
            carried = [line.pop()] if token[0] in NO_LINE_START and len(line) > 1 else []
            lines.append("".join(line).rstrip())
            line = carried
        if not (token.isspace() and not line):
            line.append(token)
    return lines + ["".join(line).rstrip()] if "".join(line).strip() else lines


def shown_rows(source: str) -> set[int]:
    rows = set()
    for section, first, code in split_sections(source):
        if section:
            rows.update(range(first, first + code.count("\n") + 1))
    return rows


def decide(sources: dict[str, str], markers: list[str]) -> dict[int, str]:
    """Message index -> "move" (an end-of-line comment goes above) or "wrap", from every language."""
    decisions: dict[int, str] = {}
    for source in sources.values():
        lines, rows = source.split("\n"), shown_rows(show_markers(source, markers))
        for index, m in enumerate(comments.messages(source)):
            span = range(m.start[0], m.end[0] + 1)
            if m.start[0] not in rows or all(width(lines[r - 1]) <= WIDTH for r in span):
                continue
            decisions[index] = "move" if m.kind == "inline" else "wrap"
    return decisions


def apply(source: str, decisions: dict[int, str]) -> str:
    lines = source.split("\n")
    for index, m in reversed(list(enumerate(comments.messages(source)))):
        if index not in decisions:
            continue
        if m.kind == "inline":
            row = m.start[0] - 1
            code = lines[row][:m.start[1]].rstrip()
            indent = code[:len(code) - len(code.lstrip())]
            above = [f"{indent}# {line}" for line in wrap(m.msgid, WIDTH - len(indent) - 2)]
            lines[row:row + 1] = above + [code]
            continue
        room = WIDTH - m.column - (2 if m.kind == "block" else 6)  # """ on both ends
        text = "\n".join(piece for line in m.msgid.split("\n")
                         for piece in (wrap(line, room) if width(line) > room else [line]))
        start, end = m.start[0] - 1, m.end[0] - 1
        before, after = lines[start][:m.start[1]], lines[end][m.end[1]:]
        lines[start:end + 1] = (before + comments._replacement(m, text) + after).split("\n")
    return "\n".join(lines)


STRING_LINE = re.compile(r'^(?P<indent>\s*)(?P<prefix>[rRfF]{0,2})(?P<q>["\'])(?P<body>.*)(?P=q)(?P<tail>[,)]*)$')


def split_strings(source: str) -> str:
    """A shown line that is one long string literal (an argument on its own line, inside brackets)
    becomes several adjacent literals, split at a space or a } outside {}: Python joins them again."""
    lines, rows = source.split("\n"), shown_rows(source)
    out = []
    for number, line in enumerate(lines, 1):
        m = STRING_LINE.match(line)
        if number not in rows or width(line) <= WIDTH or not m or m["q"] in m["body"]:
            out.append(line)
            continue
        room = WIDTH - len(m["indent"]) - len(m["prefix"]) - 2 - len(m["tail"])
        pieces, piece, depth = [], "", 0
        for char in m["body"]:
            depth += (char == "{") - (char == "}")
            piece += char
            if char in " }" and depth == 0 and width(piece) >= room * 0.5:
                pieces.append(piece)
                piece = ""
        pieces = [p for p in pieces + [piece] if p]
        merged = [pieces[0]]  # as few pieces as fit
        for piece in pieces[1:]:
            if width(merged[-1] + piece) <= room:
                merged[-1] += piece
            else:
                merged.append(piece)
        for k, piece in enumerate(merged):
            prefix = m["prefix"] if "{" in piece or "f" not in m["prefix"].lower() else m["prefix"].replace("f", "").replace("F", "")
            out.append(f'{m["indent"]}{prefix}{m["q"]}{piece}{m["q"]}' + (m["tail"] if k == len(merged) - 1 else ""))
    return "\n".join(out)


MARKER = re.compile(r"^# --8<-- \[(start|end):\w+\]$", re.M)


def hide_markers(source: str) -> tuple[str, list[str]]:
    """Section markers are comments: they would join the comment below them into one message."""
    markers = [m.group(0) for m in MARKER.finditer(source)]
    return MARKER.sub("__section_marker__ = 0", source), markers


def show_markers(source: str, markers: list[str]) -> str:
    pieces = source.split("__section_marker__ = 0")
    return pieces[0] + "".join(marker + piece for marker, piece in zip(markers, pieces[1:]))


def narrow(path: Path) -> list[str]:
    """Rewrite `path` and its catalogues; return the shown lines still too long."""
    english, markers = hide_markers(path.read_text(encoding="utf-8"))
    translated = {lang: comments.translate(english, comments.translator(lang, path.stem, []))
                  for lang in LANGS if lang != comments.SOURCE_LANG}
    decisions = decide({comments.SOURCE_LANG: english, **translated}, markers)
    hidden = apply(english, decisions)
    pairs = {lang: {m.msgid: t.msgid for m, t in zip(comments.messages(hidden),
                                                     comments.messages(apply(text, decisions)))
                    if m.msgid != t.msgid}
             for lang, text in translated.items()}
    new_english = split_strings(show_markers(hidden, markers))
    atomic.write(path, new_english.encode("utf-8"))
    comments.update()
    for lang, found in pairs.items():
        cat = comments.catalogue(lang, path.stem)
        for entry in cat:
            if entry.id in found:  # the translation as the rewrapped code has it
                entry.string, entry.flags = found[entry.id], entry.flags - {"fuzzy"}
        po = io.BytesIO()
        write_po(po, cat, width=100, omit_header=True, include_lineno=False)
        atomic.write(comments.catalogue_path(lang, path.stem), po.getvalue())
    rows = shown_rows(new_english)
    return [f"{path.name}:{n}: {line}" for n, line in enumerate(new_english.split("\n"), 1)
            if n in rows and width(line) > WIDTH]


if __name__ == "__main__":
    for name in sys.argv[1:]:
        left = narrow(Path(name))
        print(f"{name}: {len(left)} shown lines still wider than {WIDTH}", *left, sep="\n")
