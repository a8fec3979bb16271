"""Teaching code a learner can copy: what every snippet avoids (issue: `.data`, an unnamed lstsq
driver, the old `trainer` name, the import that clashes with snippets/data.py)."""
import ast
import re
import textwrap

import pytest

from conftest import layout

SNIPPETS = sorted(layout.SNIPPETS.glob("*.py"))
PITFALL_PAGE = "questions.py"  # question 5 shows `.data` on purpose, as the pitfall it is


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.name)
def test_no_data_attribute_outside_the_page_that_warns_against_it(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    uses = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "data"
            and not (isinstance(n.value, ast.Attribute) and n.value.attr == "utils")]  # torch.utils.data
    if path.name == PITFALL_PAGE:
        assert uses, "the pitfall itself is shown"
    else:
        assert not uses, f"{path.name} uses .data on lines {uses}: nn.init or .detach() instead"


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.name)
def test_every_lstsq_call_names_its_driver(path):
    """The default CPU driver (gelsy) misbehaves in torch 2.13: every call says which one it uses."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and n.func.attr == "lstsq"]
    unnamed = [c.lineno for c in calls if not any(k.arg == "driver" for k in c.keywords)]
    assert not unnamed, f"{path.name}: lstsq without driver= on lines {unnamed}"


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.name)
def test_modern_names_and_imports(path):
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"\btrainer\b", source), "the optimiser is called `optimizer`"
    assert "from torch.utils import data" not in source, "clashes with snippets/data.py"


@pytest.mark.parametrize("lang", layout.LANGS)
def test_shown_code_fits_a_phone(lang):
    """Every line of code a page shows (its comments in the page's language) and every generated
    setup fits page_code.WIDTH columns, a CJK character counting two: on a phone the code reads
    without scrolling sideways line by line (tools/narrow_code.py fits a snippet)."""
    from linreg_build import includes, page_code, runner

    sources = runner.read_sources()
    too_wide = []
    for path in sorted((layout.DOCS / lang).glob("*.md")):
        markdown = path.read_text(encoding="utf-8")
        where = f"{lang}/{path.name}"
        code = page_code.page_code(markdown, lang, sources, where)
        shown = [includes.expand(textwrap.dedent(m["body"]), lang, {}, sources, where, [])
                 for m in includes.FENCE.finditer(markdown) if m["info"].strip().startswith("python")]
        for block in shown + [code.setup if code else ""]:
            too_wide += [f"{path.name}: {line}" for line in block.split("\n")
                         if page_code.display_width(line.rstrip()) > page_code.WIDTH]
    assert not too_wide, "\n".join(too_wide)
