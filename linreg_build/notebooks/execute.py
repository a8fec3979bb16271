"""Executing a page's notebook once for every language, and writing each language's notebook.

Every language's notebook must run the same code, comments aside (`check_same_code`, on every
build: it is cheap); the source language's notebook is executed in a Jupyter kernel, in a process
of its own (runner.in_own_process: timeout, Ctrl-C), and its outputs are cached in
.cache/notebooks/runs/<page>/<key>.json. The key holds the code that runs and every language's code
without comments, so a code edit in any language executes the notebook again (a translated comment
does not), and its outputs are never shown beside other code.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
import time
from pathlib import Path

from .. import atomic, comments, keys
from ..layout import CACHE, LANGS
from ..runner import RunError, cached, imported_modules, in_own_process, ran_here, timeout
from .convert import code_cells, page_notebook

NOTEBOOKS = CACHE / "notebooks"
BEING_EXECUTED = {
    "zh": "!!! note \"正在执行\"\n    这个笔记本的代码改过，正在重新执行；执行完后这一页会自动刷新并显示输出。",
    "en": "!!! note \"Being executed\"\n    This notebook's code has changed and is being executed again; the page "
          "reloads with its outputs when that is done.",
}


def language_notebooks(page: str, sources: dict[str, str]) -> dict[str, dict]:
    """The page's notebook in every language (without site links: they do not change what runs)."""
    return {lang: page_notebook(lang, page, sources) for lang in LANGS}


def check_same_code(page: str, notebooks: dict[str, dict]) -> None:
    """Every language's notebook must run the same code (comments aside): one execution serves all."""
    code = {lang: [comments.strip(c["source"]) for c in code_cells(nb)] for lang, nb in notebooks.items()}
    first = code[LANGS[0]]
    for lang in LANGS[1:]:
        if code[lang] != first:
            where = next((i for i, (a, b) in enumerate(zip(first, code[lang])) if a != b), min(len(first), len(code[lang])))
            raise RunError(f"notebook {page}: the {LANGS[0]} and {lang} pages do not show the same code "
                           f"(code cell {where + 1}; {len(first)} and {len(code[lang])} code cells)")


def execution_key(notebooks: dict[str, dict]) -> str:
    """The code that runs (the source language's, comments and all) and every other language's code
    without comments (the same, check_same_code makes sure): a translated comment runs nothing again."""
    code = {lang: [c["source"] if lang == comments.SOURCE_LANG else comments.strip(c["source"])
                   for c in code_cells(nb)] for lang, nb in sorted(notebooks.items())}
    modules = {m for cells in code.values() for cell in cells for m in imported_modules(cell)}
    return keys.cache_key("notebook", code, packages=(*keys.distributions_of(modules), "ipykernel", "nbclient"),
                          code=["notebooks/execute", "runner"])


def execution_file(page: str, key: str) -> Path:
    return NOTEBOOKS / "runs" / page / f"{key}.json"


def load_execution(page: str, key: str) -> list[dict] | None:
    try:
        record = json.loads(execution_file(page, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record["cells"] if record.get("key") == key else None


def _execute_in_child(page: str, notebook: dict, out: str) -> None:
    """In a process of its own: run the notebook in a Jupyter kernel; write its outputs (or error)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.from_dict(notebook)
    with tempfile.TemporaryDirectory() as cwd:
        # ast_node_interactivity=none: a cell shows what it prints and draws, not the value of its
        # last line (which after a plot would be a stray `Text(0, 0.5, '$y$')`).
        # (log level ERROR: the kernel would warn that local TCP traffic is not encrypted)
        client = NotebookClient(notebook, kernel_name="python3", timeout=int(timeout()), resources={"metadata": {"path": cwd}},
                                extra_arguments=["--InteractiveShell.ast_node_interactivity=none",
                                                 "--IPKernelApp.log_level=ERROR"])
        try:
            client.execute()
        except CellExecutionError as error:
            atomic.write(Path(out), json.dumps({"error": f"notebook {page} failed:\n{error}"[-4000:]}))
            return
    cells = [{"outputs": joined_streams(c["outputs"]), "execution_count": c["execution_count"]}
             for c in code_cells(notebook)]
    atomic.write(Path(out), json.dumps({"cells": cells}))


def joined_streams(outputs: list) -> list:
    """The kernel may deliver one print in several stream messages, split at random; the page would
    then show one printed line as two. Join consecutive output of the same stream."""
    joined: list = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (output.get("output_type") == "stream" and previous and previous.get("output_type") == "stream"
                and previous.get("name") == output.get("name")):
            previous["text"] += output["text"]
        else:
            joined.append(dict(output))
    return joined


def execute_job(page: str, notebooks: dict[str, dict], key: str, executed: dict[str, list]):
    """A runner job: execute the page's notebook into executed[page] and its cache file."""
    def run() -> str | None:
        record = in_own_process(_execute_in_child, (page, notebooks[comments.SOURCE_LANG]), f"notebook {page}")
        if "error" in record:
            return record["error"]
        atomic.write(execution_file(page, key), json.dumps({"key": key, "cells": record["cells"]}))
        ran_here.add(key)
        executed[page] = record["cells"]
        return None
    return run


def plan(pages: list[str], sources: dict[str, str]) -> tuple[dict, dict, dict]:
    """For each notebook page: its language notebooks, its key, and its cached outputs if any."""
    notebooks, keys_, executed = {}, {}, {}
    for page in pages:
        notebooks[page] = language_notebooks(page, sources)
        check_same_code(page, notebooks[page])
        keys_[page] = execution_key(notebooks[page])
        cells = cached(keys_[page], lambda: load_execution(page, keys_[page]))
        if cells is not None:
            executed[page] = cells
            atomic.touch(execution_file(page, keys_[page]))
    return notebooks, keys_, executed


def write_language_notebook(page: str, lang: str, sources: dict[str, str], cells: list[dict] | None,
                            site_url: str) -> Path:
    """The page's notebook in `lang` with the executed outputs `cells` (None: still being executed,
    and the notebook says so), in a folder named by its content, so that a build that started with
    one version keeps reading that version while another build writes a newer one. Folders unused
    for ten minutes are pruned."""
    notebook = page_notebook(lang, page, sources, site_url)
    if cells is None:
        notebook["cells"].insert(1, {"cell_type": "markdown", "id": "being-executed", "metadata": {},
                                     "source": BEING_EXECUTED[lang]})
        notebook["metadata"]["figure_alts"] = []
    else:
        if len(cells) != len(code_cells(notebook)):
            raise RunError(f"notebook {page}: {len(cells)} executed cells for {len(code_cells(notebook))} "
                           f"code cells in {lang}")
        for cell, run in zip(code_cells(notebook), cells):
            cell["outputs"], cell["execution_count"] = run["outputs"], run["execution_count"]
    text = json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"
    folder = NOTEBOOKS / lang / page
    target = folder / hashlib.sha256(text.encode()).hexdigest()[:16] / f"{page}.ipynb"
    if not target.is_file():
        atomic.write(target, text)
    atomic.touch(target.parent)
    for old in folder.iterdir():
        with contextlib.suppress(OSError):  # another build may prune the same folder
            if old != target.parent and time.time() - old.stat().st_mtime > 600:
                shutil.rmtree(old)
    return target


def prune(days: float = 2) -> None:
    """Forget executions not used for `days`."""
    atomic.forget_unused(NOTEBOOKS / "runs", "*/*.json", days)