"""notebooks/: a page becomes a notebook; every language must run the same code; the executed
outputs never sit beside other code; mkdocs-jupyter's HTML is fixed through a parser."""
import base64

import pytest
from mkdocs.exceptions import PluginError

from linreg_build.notebooks import convert, execute, html

SOURCES = {"s.py": "# --8<-- [start:a]\nx = 1  # one\nprint(x)\n# --8<-- [end:a]\n"}
PAGE = {"en": '---\ntwin: 0123456789ab\n---\n\n# Page\n\nSee [loss](loss.md#top).\n\n```python title="s.py"\n--8<-- "s.py:a"\n```\n\n'
              '```text\n--8<-- "s/a.txt"\n```\n\n![A plot](f.png)\n\n??? note "More"\n    Folded text.\n',
        "zh": '# 页\n\n见[损失](loss.md#top)。\n\n```python title="s.py"\n--8<-- "s.py:a"\n```\n\n'
              '```text\n--8<-- "s/a.txt"\n```\n\n![一张图](f.png)\n\n??? note "更多"\n    折叠的文字。\n'}


@pytest.fixture
def docs(tmp_path, monkeypatch):
    for lang, text in PAGE.items():
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "p.md").write_text(text)
    monkeypatch.setattr(convert, "DOCS", tmp_path)
    return tmp_path


def test_a_page_as_a_notebook(docs):
    nb = convert.page_notebook("en", "p", SOURCES, "https://x.org/")
    kinds = [c["cell_type"] for c in nb["cells"]]
    assert kinds == ["markdown", "code", "markdown"]
    assert nb["cells"][0]["source"].startswith("# Page (notebook)\n\nSee [loss](https://x.org/en/loss/#top).")
    assert nb["cells"][1]["source"] == "x = 1  # one\nprint(x)"
    assert "**More**\n\nFolded text." in nb["cells"][2]["source"] and "f.png" not in nb["cells"][2]["source"]
    assert nb["metadata"]["figure_alts"] == ["A plot"]
    assert convert.page_notebook("en", "p", SOURCES)["cells"][0]["source"].startswith("# Page (notebook)\n\nSee loss.")


def test_the_languages_must_run_the_same_code_and_any_of_them_changes_the_key(docs):
    notebooks = execute.language_notebooks("p", SOURCES)
    execute.check_same_code("p", notebooks)  # comments differ only
    key = execute.execution_key(notebooks)
    (docs / "zh" / "p.md").write_text(PAGE["zh"] + "\n```python\ny = 2\n```\n")
    changed = execute.language_notebooks("p", SOURCES)
    assert execute.execution_key(changed) != key
    with pytest.raises(PluginError, match="notebook p: the zh and en pages do not show the same code"):
        execute.check_same_code("p", changed)


def test_outputs_are_written_only_beside_the_code_they_came_from(docs, tmp_path, monkeypatch):
    monkeypatch.setattr(execute, "NOTEBOOKS", tmp_path / "nb")
    with pytest.raises(PluginError, match="2 executed cells for 1 code cells"):
        execute.write_language_notebook("p", "zh", SOURCES, [{"outputs": [], "execution_count": 1}] * 2, "")
    waiting = execute.write_language_notebook("p", "zh", SOURCES, None, "")
    assert "正在执行" in waiting.read_text()


PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 8 + (40).to_bytes(4, "big") + (30).to_bytes(4, "big")).decode()
NOTEBOOK_HTML = (
    '<html><head><title>t</title></head><body><!-- Load mathjax --><script src=""> </script>'
    '<script type="text/x-mathjax-config">MathJax.Hub.Config({})</script>'
    '<article class="md-content__inner md-typeset"><style>.jp-Cell{color:var(--jp-a)}.unused{color:red}'
    ':root{--jp-a:#000;--jp-b:#fff}</style><div class="jp-Cell"><img alt="No description has been provided for this image" '
    f'src="data:image/png;base64,{PNG}"></div></article>'
    '<script type="module">document.addEventListener("DOMContentLoaded", async () => {const diagrams = '
    'document.querySelectorAll(".jp-Mermaid")})</script></body></html>')


def test_the_notebook_page_is_fixed_through_a_parser():
    out, assets = html._fix(NOTEBOOK_HTML, "../../", "zh", ["一张图"], "p.ipynb")
    css = [name for name in assets if name.endswith(".css")]
    assert len(css) == 1 and assets[css[0]] == b".jp-Cell{color:var(--jp-a)}:root{--jp-a:#000}"
    assert f'href="../../{css[0]}"' in out and "<style" not in out
    assert 'alt="一张图"' in out and 'width="40"' in out and 'height="30"' in out and "data:image" not in out
    assert "mathjax" not in out.lower() and "jp-Mermaid" not in out
    assert '<a href="p.ipynb" download class="md-content__button md-icon"' in out and "下载笔记本" in out
    assert "<script src" not in out
    with pytest.raises(html.NotebookHtmlError, match="1 figures but 2 alt texts"):
        html._fix(NOTEBOOK_HTML, "../../", "zh", ["a", "b"], "p.ipynb")


def test_one_print_split_by_the_kernel_is_joined():
    outputs = [{"output_type": "stream", "name": "stdout", "text": "Xw:"},
               {"output_type": "stream", "name": "stdout", "text": " torch.Size([10, 1])\n"},
               {"output_type": "display_data", "data": {}},
               {"output_type": "stream", "name": "stdout", "text": "b\n"},
               {"output_type": "stream", "name": "stderr", "text": "warning\n"}]
    assert [o.get("text") for o in execute.joined_streams(outputs)] == [
        "Xw: torch.Size([10, 1])\n", None, "b\n", "warning\n"]


def test_a_translated_comment_does_not_execute_the_notebook_again(docs):
    def write(zh_comment, en_code="y = 2  # two"):
        (docs / "zh" / "p.md").write_text(PAGE["zh"] + f"\n```python\ny = 2  # {zh_comment}\n```\n")
        (docs / "en" / "p.md").write_text(PAGE["en"] + f"\n```python\n{en_code}\n```\n")
        notebooks = execute.language_notebooks("p", SOURCES)
        execute.check_same_code("p", notebooks)
        return execute.execution_key(notebooks)
    key = write("二")
    assert write("两") == key
    with pytest.raises(PluginError):
        write("二", "y = 3  # three")
    (docs / "zh" / "p.md").write_text(PAGE["zh"] + "\n```python\ny = 3  # 三\n```\n")
    assert execute.execution_key(execute.language_notebooks("p", SOURCES)) != key
