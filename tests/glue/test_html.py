"""The modules that change HTML, on small fixtures: math, figures, search, the PDF's chapters."""
import json

import pytest

from linreg_build import content, figures, katex, pdf, search


class FakeMath:
    def render(self, tex, display, where):
        return f"<k{'d' if display else 'i'}>{tex}</k>"


class FakeRenderer(FakeMath):
    path = katex.CACHE / "katex" / "fake.json"


@pytest.fixture
def finished(tmp_path, monkeypatch):
    monkeypatch.setattr(content, "FINISHED", tmp_path / "content")
    return lambda html, sizes={}: content.finish(html, FakeRenderer(), sizes, "p.md")


def test_formulas_are_rendered_and_code_is_left_alone(finished):
    html = ('<p><span class="arithmatex">\\(a &lt; b\\)</span></p><div class="arithmatex">\\[x^2\\]</div>'
            '<pre><code>\\(not math\\)</code></pre>')
    out = finished(html)
    assert '<span class="arithmatex"><ki>a < b</k></span>' in out and '<div class="arithmatex"><kd>x^2</k></div>' in out
    assert "<pre><code>\\(not math\\)</code></pre>" in out
    assert finished("<pre><code>a &lt;= b &amp;&amp; c</code></pre>") == "<pre><code>a &lt;= b &amp;&amp; c</code></pre>"
    assert finished(html) == out  # from the cache


def test_notebook_math_outside_code():
    html = ('<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput" data-mime-type="text/markdown">'
            '<p>$w$ and $$b$$ cost <code>$5</code></p></div>')
    out = katex.render_notebook(html, FakeMath(), "nb")
    assert "<ki>w</k>" in out and "<kd>b</kd>" not in out and "<kd>b</k>" in out and "<code>$5</code>" in out


def test_a_formula_katex_cannot_parse_names_the_page_and_line(monkeypatch):
    """(KaTeX itself is exercised by the site build; here, what the build says when it refuses.)"""
    import io

    from mkdocs.exceptions import PluginError

    class FakeNode:
        def __init__(self, replies):
            self.stdin, self.stdout = io.StringIO(), io.StringIO("".join(json.dumps(r) + "\n" for r in replies))

        def wait(self):
            return 1
    renderer = katex.Renderer()
    renderer.cache, renderer.new = {}, 0
    refusal = {"error": "KaTeX parse error: Unexpected end of input"}
    monkeypatch.setattr(renderer, "_node", lambda: node)
    node = FakeNode([refusal, refusal, {"html": "<span class=katex>x</span>"}])
    with pytest.raises(PluginError, match=r"^p.md: KaTeX cannot render the formula '\\\\frac\{1\}\{': KaTeX parse"):
        renderer.render("\\frac{1}{", False, "p.md")
    with pytest.raises(PluginError, match=r"^en/loss.md, line \d+: KaTeX cannot render the formula '\\\\frac\{1"):
        renderer.render("\\frac{1}{2}\\left(", True, "en/loss.md")  # a formula of that page, broken
    assert "katex" in renderer.render("x", False, "p.md")
    node = FakeNode([])  # Node died: its output ends
    with pytest.raises(PluginError, match=r"KaTeX's Node process ended \(exit code 1\) while rendering 'y'"):
        renderer.render("y", False, "p.md")


def test_figures_get_their_size_and_lazy_loading_below_the_first_heading(finished):
    from mkdocs.exceptions import PluginError

    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 8 + (400).to_bytes(4, "big") + (300).to_bytes(4, "big")
    html = '<img alt="a" src="../assets/figures/f.png" /><h2>x</h2><img alt="b" src="../assets/figures/f.png" width="200" />'
    out = finished(html, {"f": figures.size(png)})
    assert '<img alt="a" src="../assets/figures/f.png" width="400" height="300" decoding="async"/>' in out
    assert 'width="200" height="150" loading="lazy" decoding="async"' in out
    with pytest.raises(PluginError, match="p.md: no figure g.png"):
        finished(html.replace("f.png", "g.png"))


def test_search_leaves_out_code_and_splits_the_index_by_language(tmp_path):
    assert search.without_code("<p>a</p><pre><code>x</code></pre><p>b</p>") == "<p>a</p><p>b</p>"
    (tmp_path / "search").mkdir()
    docs = [{"location": "loss/", "text": "损失"}, {"location": "en/loss/", "text": "loss"}]
    (tmp_path / "search" / "search_index.json").write_text(json.dumps({"config": {}, "docs": docs}))
    search.split_by_language(str(tmp_path))
    zh = json.loads((tmp_path / "search" / "search_index.json").read_text())["docs"]
    en = json.loads((tmp_path / "en" / "search" / "search_index.json").read_text())["docs"]
    assert zh == [docs[0]] and en == [{"location": "loss/", "text": "loss"}]


def test_search_base_of_an_other_language_page():
    page = '<script id="__config" type="application/json">{"base": "..", "search": "x.js"}</script>'
    assert json.loads(search.search_base(page, "en")[len(search.CONFIG):-len("</script>")])["base"] == "../en/"
    assert search.search_base(page, "zh") == page


def test_a_pdf_chapter_links_inside_the_book(tmp_path):
    (tmp_path / "loss").mkdir()
    (tmp_path / "loss" / "index.html").write_text(
        '<html><body><article class="md-content__inner md-typeset"><a class="md-content__button" href="e">edit</a>'
        '<h1 id="t">Loss <span class="katex"><span class="katex-mathml">m</span>x</span></h1>'
        '<h2 id="s">Part<a class="headerlink" href="#s">¶</a></h2><p><a href="../scratch/#a">s</a> '
        '<a href="#s">here</a> <a href="../notebooks/x/">nb</a></p><img src="../assets/f.png" loading="lazy">'
        '<details><summary>S</summary>x</details><div class="sgd-playground"></div></article></body></html>')
    title, body, sections = pdf._chapter(tmp_path, "loss/", {"loss/", "scratch/"}, "https://x.org/", "en")
    assert title == 'Loss <span class="katex">x</span>'
    assert sections == [("loss--s", "Part")]
    assert 'href="#scratch--a"' in body and 'href="#loss--s"' in body and 'href="https://x.org/notebooks/x/"' in body
    assert "headerlink" not in body and "edit" not in body and "loading" not in body and "<details open" in body
    assert f'src="{(tmp_path / "assets" / "f.png").as_uri()}"' in body and "https://x.org/loss/" in body


def test_two_snippets_saving_one_figure_name_is_an_error():
    from mkdocs.exceptions import PluginError

    runs = {"a": {"figures": {"f": ""}}, "b": {"figures": {"f": ""}}}
    with pytest.raises(PluginError, match="snippets/a.py and snippets/b.py both save a figure named f.png"):
        figures.collect(runs)
