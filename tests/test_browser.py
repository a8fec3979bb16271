"""The built site in a real browser (Debian's Chromium driven by Playwright), served on 127.0.0.1 under
a sub-path, as a project site is published: what a reader actually sees, in both languages.

Without /usr/bin/chromium these tests skip, except under CI=true, where that is a failure.
"""
import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT


CHROMIUM = "/usr/bin/chromium"
MOUNT = "/linreg/"  # the sub-path the site is served under, like https://<user>.github.io/linreg/
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing; .ci/run installs it (apt-get install chromium)",
                    pytrace=False)
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); browser tests skipped",
                allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402


class SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site folder at MOUNT and nothing anywhere else."""

    def translate_path(self, path):
        path = urlsplit(path).path
        if not path.startswith(MOUNT):
            return "/nonexistent"
        return super().translate_path("/" + path[len(MOUNT):])

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the browser dropping a connection when it navigates away is not an error here


@pytest.fixture(scope="module")
def base_url(site):
    handler = functools.partial(SubPathHandler, directory=str(site))
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{MOUNT}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Watched:
    """A browser tab that records console errors, failed requests and requests to other hosts."""

    def __init__(self, browser, base_url, **context_options):
        self.origin = urlsplit(base_url).netloc
        self.context = browser.new_context(accept_downloads=True, **context_options)
        self.page = self.context.new_page()
        self.errors, self.failed, self.foreign, self.requests, self.urls = [], [], [], 0, []
        self.context.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        # ERR_ABORTED is a load cancelled by the next navigation, not a missing file (a 404 is
        # caught below as a response status).
        self.page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")
                     and self.failed.append(f"{r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} {r.status}"))

    def _route(self, route):
        self.requests += 1
        self.urls.append(route.request.url)
        if urlsplit(route.request.url).netloc != self.origin:
            self.foreign.append(route.request.url)
            return route.abort()
        return route.continue_()

    def goto(self, url):
        """Open url and wait until images have loaded (lazy ones too: scrolled into view, again and
        again: on a long page, cells laid out only near the screen (content-visibility) change height
        as they appear and can push an image away before it starts loading; an image that never
        loads fails the image check instead of hanging the test). A figure in a closed fold loads
        when the reader opens the fold: the folds holding figures are opened, as a reader would."""
        self.page.goto(url, wait_until="load")
        self.page.evaluate("""async () => {
            for (const img of document.querySelectorAll('details img[loading=lazy]')) {
                img.closest('details').open = true;
            }
            for (const img of document.querySelectorAll('img[loading=lazy]')) {
                for (let i = 0; i < 100 && !img.complete; i++) {
                    img.scrollIntoView({block: 'center'});
                    await new Promise(r => setTimeout(r, 100));
                }
            }
            window.scrollTo(0, 0);
        }""")

    def assert_clean(self, where):
        assert not self.foreign, f"{where}: requests to other hosts {self.foreign[:5]}"
        assert not self.failed, f"{where}: failed requests {self.failed[:5]}"
        assert not self.errors, f"{where}: console errors {self.errors[:5]}"

    def close(self):
        self.context.close()


@pytest.fixture
def tab(browser, base_url):
    t = Watched(browser, base_url)
    yield t
    t.close()


def page_paths(site):
    """Every page of the Chinese site, as paths relative to the site root ('' is the home page)."""
    paths = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        if rel == "en" or rel.startswith(("en/", "assets/", "search/")):
            continue
        paths.append("" if rel == "." else rel + "/")
    return paths


def test_site_has_pages(site):
    assert len(page_paths(site)) >= 3


MATH_STATE = """() => ({
  text: document.querySelector('article').innerText,
  formulas: document.querySelectorAll('.arithmatex').length,
  withoutKatex: [...document.querySelectorAll('.arithmatex')].filter(e => !e.querySelector('.katex')).length,
  withoutMathml: [...document.querySelectorAll('.arithmatex')].filter(e => !e.querySelector('.katex-mathml math')).length,
  katexErrors: document.querySelectorAll('.katex-error').length,
})"""

IMAGES = """() => [...document.querySelectorAll('article img')].map(i => ({
  src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0, alt: i.alt.trim(),
  sized: i.hasAttribute('width') && i.hasAttribute('height') }))"""

# On a phone: the page never scrolls sideways, and a display formula or a table that is wider than
# the screen scrolls inside its own block instead of being cut off.
NARROW = """() => {
  const cut = [...document.querySelectorAll('article .katex-display, article table')].filter(e => {
    const box = e.closest('.md-typeset__scrollwrap') || e;
    const overflow = getComputedStyle(box).overflowX;
    return box.scrollWidth > box.clientWidth + 1 && !['auto', 'scroll'].includes(overflow);
  }).map(e => e.textContent.slice(0, 40));
  return { pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth, cut };
}"""
PHONE = {"width": 360, "height": 780}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_cleanly_on_a_phone(site, base_url, browser, lang):
    """On a 360 px screen: math rendered at build time (KaTeX HTML with MathML; no math script is
    loaded), nothing wider than the screen, figures loaded with alt text, width and height, <html lang>
    right, no console errors, no failed requests, no request to any other host, the language menu
    links the counterpart page, and the playground's script is loaded by one page only."""
    tab = Watched(browser, base_url, viewport=PHONE)
    other = "en" if lang == "zh" else "zh"
    prefix = {"zh": "", "en": "en/"}
    checked, with_playground = 0, []
    for path in page_paths(site):
        url = base_url + prefix[lang] + path
        tab.urls.clear()
        tab.goto(url)
        assert tab.page.evaluate("document.documentElement.lang") == lang, url
        state = tab.page.evaluate(MATH_STATE)
        assert state["withoutKatex"] == state["withoutMathml"] == state["katexErrors"] == 0, (url, state)
        for raw in ("\\(", "\\[", "$$"):
            assert raw not in state["text"], f"{url}: raw {raw} left in the text"
        scripts = [u for u in tab.urls if u.endswith(".js")]
        assert not [u for u in scripts if "katex" in u], f"{url} loads a math script"
        if any(u.endswith("/playground.js") for u in scripts):
            with_playground.append(path)
        for image in tab.page.evaluate(IMAGES):
            assert image["ok"], f"{url}: image {image['src']} did not load"
            assert image["alt"], f"{url}: image {image['src']} has no alt text"
            assert image["sized"] or image["src"].startswith("data:"), f"{url}: {image['src']} has no size"
        narrow = tab.page.evaluate(NARROW)
        assert narrow["pageWidth"] <= narrow["viewport"], f"{url} scrolls sideways: {narrow}"
        assert not narrow["cut"], f"{url}: cut off at 360 px: {narrow['cut']}"
        # The header's language menu points at the same page in the other language (the loop over
        # that language then checks that page); test_language_switch_by_click clicks it for real.
        switch = tab.page.eval_on_selector(f"a.md-select__link[hreflang='{other}']", "a => a.href")
        assert switch == base_url + prefix[other] + path, url
        checked += 1
    assert with_playground == ["minibatch_sgd/"], with_playground
    tab.assert_clean(f"{lang} pages")
    tab.close()
    print(f"{lang}: {checked} pages, {tab.requests} requests checked")


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_notebook_outputs_visible_and_download_works(site, base_url, tab, prefix):
    import nbformat

    for html in sorted((site / prefix / "notebooks").glob("*/index.html")):
        url = base_url + html.parent.relative_to(site).as_posix() + "/"
        tab.goto(url)
        outputs = tab.page.locator(".jp-OutputArea-output")
        assert tab.page.locator("article .katex").count() > 0, f"{url}: math not rendered"
        link = tab.page.locator("a.md-content__button[download]")
        with tab.page.expect_download() as download:
            link.click()
        notebook = nbformat.read(download.value.path(), as_version=4)
        nbformat.validate(notebook)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert code and all(c.execution_count for c in code), f"{url}: not every cell was executed"
        # every output the notebook holds is on the page, and visible
        assert outputs.count() == sum(len(c.outputs) for c in code) > 0 and outputs.first.is_visible(), url
    tab.assert_clean("notebooks")


@pytest.mark.parametrize("path", ["", "scratch/", "notebooks/scratch/"])
def test_language_switch_by_click(base_url, tab, path):
    """As a reader does it: open the menu, click English, land on the same page; then back."""
    url = base_url + path
    tab.goto(url)
    for target, expected in [("en", base_url + "en/" + path), ("zh", url)]:
        tab.page.hover(".md-header__option .md-select")  # the menu opens on hover
        with tab.page.expect_navigation():
            tab.page.click(f"a.md-select__link[hreflang='{target}']")
        assert tab.page.url == expected
    tab.assert_clean("language switch")


SEARCHES = [
    ("zh", "梯度", "gradient_descent/"),
    ("zh", "正规方程", "normal_equation/"),
    ("zh", "小批量", "minibatch_sgd/"),
    ("en", "normal equation", "en/normal_equation/"),
    ("en", "gradient", "en/gradient_descent/"),
]


@pytest.mark.parametrize("lang,query,expected", SEARCHES, ids=[q for _, q, _ in SEARCHES])
def test_search_finds_the_right_page(site, base_url, tab, lang, query, expected):
    """The page about the query is the first result (for a Chinese query: among the first three
    pages; Material splits a Chinese query differently from jieba's segmentation of the index,
    so the ranking of short Chinese queries is coarse)."""
    tab.goto(base_url + ("en/" if lang == "en" else ""))
    open_search(tab)
    type_query(tab, query)
    first = tab.page.locator(".md-search-result__item a").first
    first.wait_for(timeout=30_000)  # the index is built in the browser: slow on a busy machine
    tab.page.wait_for_timeout(500)  # the results of the whole query, not of its first characters
    pages = tab.page.eval_on_selector_all(
        ".md-search-result__item > a", "as => as.map(a => new URL(a.href).pathname)")
    pages = list(dict.fromkeys(pages))  # one entry per page, in order
    top = pages[:3] if lang == "zh" else pages[:1]
    assert MOUNT + expected in top, f"{query!r}: first results {pages[:3]}"
    tab.assert_clean(f"search {query}")


def open_search(tab):
    """Focus the search box once Material's search worker has built the index (typing earlier can
    leave the results empty on a busy machine)."""
    tab.page.click("input.md-search__input")
    tab.page.wait_for_function("""() => {
        const meta = document.querySelector('.md-search-result__meta');
        return meta && !/正在初始化|Initializing/.test(meta.textContent); }""", timeout=60_000)


def type_query(tab, query):
    """Type as a reader does. Playwright types Chinese characters as inserted text, without the key
    events an input method ends with, and Material searches on key events: end with a key press."""
    tab.page.keyboard.type(query)
    tab.page.keyboard.press("End")


MESSAGES = ["implicitly created only for scalar outputs",
            "backward through the graph a second time",
            "Size mismatch between tensors"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("message", MESSAGES)
def test_search_for_an_error_message_lands_on_troubleshooting(base_url, tab, lang, message):
    """Learners paste the error into the search box: the first result is the troubleshooting entry,
    in the page's language (the messages are English on both sites)."""
    prefix = "en/" if lang == "en" else ""
    tab.goto(base_url + prefix)
    open_search(tab)
    type_query(tab, message)
    first = tab.page.locator(".md-search-result__item a").first
    first.wait_for(timeout=30_000)
    tab.page.wait_for_timeout(500)  # the results of the whole message, not of its first words
    with tab.page.expect_navigation():
        first.click()
    assert urlsplit(tab.page.url).path == MOUNT + prefix + "troubleshooting/", (message, tab.page.url)
    assert message in tab.page.inner_text("article"), "the page shows the message"
    tab.assert_clean(f"search for {message!r}")


def test_dark_palette_toggle_and_figures_stay_readable(site, base_url, tab):
    tab.goto(base_url + "scratch/")
    scheme = lambda: tab.page.evaluate("document.body.getAttribute('data-md-color-scheme')")  # noqa: E731
    before = scheme()
    tab.page.click("form[data-md-component='palette'] label:not([hidden])")
    assert scheme() != before and {before, scheme()} == {"default", "slate"}
    if scheme() != "slate":
        tab.page.click("form[data-md-component='palette'] label:not([hidden])")
    # Figures keep a white card behind their dark ink in the dark palette.
    backgrounds = tab.page.evaluate(
        "[...document.querySelectorAll('article img.figure')].map(i => getComputedStyle(i).backgroundColor)")
    assert backgrounds and set(backgrounds) == {"rgb(255, 255, 255)"}
    tab.assert_clean("palette toggle")


def test_code_blocks_have_a_copy_button(base_url, tab):
    tab.goto(base_url + "scratch/")
    blocks = tab.page.locator("article pre").count()
    buttons = tab.page.locator("article pre button.md-code__button[data-md-type='copy']").count()
    assert blocks > 5 and buttons == blocks


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshots_for_people(base_url, browser, lang):
    """Home and a theory page per language, saved for a person to look at (test-artifacts/)."""
    ARTIFACTS.mkdir(exist_ok=True)
    t = Watched(browser, base_url, viewport={"width": 1280, "height": 900})
    prefix = "en/" if lang == "en" else ""
    for name, path in [("home", ""), ("theory", "gradient_descent/")]:
        t.goto(base_url + prefix + path)
        shot = ARTIFACTS / f"{lang}-{name}.png"
        t.page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 10_000
    t.assert_clean(f"screenshots {lang}")
    t.close()


# The SGD playground on the minibatch SGD page (docs/assets/playground.js).
PLAY = ".sgd-playground"


def set_learning_rate(page, lr):
    found = page.eval_on_selector(f"{PLAY} input[name=lr]", """(input, lr) => {
        const i = JSON.parse(input.dataset.rates).indexOf(lr);
        if (i >= 0) { input.value = i; input.dispatchEvent(new Event('input', {bubbles: true})); }
        return i >= 0; }""", lr)
    assert found, f"the playground offers no learning rate {lr}"
    assert page.eval_on_selector(f"{PLAY} output", "o => o.textContent") == str(lr).removesuffix(".0")


def run_to_end(page):
    page.click(f"{PLAY} button.md-button--primary")
    page.wait_for_function(f"""() => {{ const p = document.querySelector('{PLAY}');
        return p.dataset.diverged === 'true' || p.querySelector('button.md-button--primary').disabled === false
               && Number(p.dataset.steps) > 0; }}""", timeout=20_000)
    return page.eval_on_selector(PLAY, "p => ({...p.dataset, status: p.querySelector('.sgd-status').textContent})")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_playground_trains_like_the_python_snippet(site, base_url, tab, lang):
    from conftest import run_snippet

    tab.goto(base_url + ("en/" if lang == "en" else "") + "minibatch_sgd/")
    assert tab.page.locator(PLAY).count() == 1
    labels = tab.page.eval_on_selector_all(f"{PLAY} label", "ls => ls.map(l => l.textContent)")
    assert ("学习率 η" in labels) == (lang == "zh") and ("learning rate η" in labels) == (lang == "en")
    # Moving a control changes the plot.
    before = tab.page.inner_html(f"{PLAY} svg.sgd-path")
    set_learning_rate(tab.page, 0.3)
    tab.page.click(f"{PLAY} button >> nth=0")  # one step
    assert tab.page.inner_html(f"{PLAY} svg.sgd-path") != before
    # The page's default settings (lr 0.03, batch 10, 3 epochs) reach the same accuracy as Python.
    set_learning_rate(tab.page, 0.03)
    result = run_to_end(tab.page)
    assert result["diverged"] == "false" and float(result["maxError"]) < 2e-3, result
    assert int(result["steps"]) == 300  # 3 epochs of 1000 examples in batches of 10
    ARTIFACTS.mkdir(exist_ok=True)
    tab.page.locator(PLAY).screenshot(path=str(ARTIFACTS / f"playground-{lang}.png"))
    # A learning rate that diverges in the Python snippet diverges here, with a message, not NaN.
    ns, _ = run_snippet("minibatch_sgd")
    divergent = min(ns["diverging"])
    set_learning_rate(tab.page, divergent)
    result = run_to_end(tab.page)
    assert result["diverged"] == "true", (divergent, result)
    assert "NaN" not in tab.page.inner_text(PLAY) and ("发散" in result["status"] or "diverged" in result["status"])
    tab.assert_clean(f"playground {lang}")


def test_playground_on_a_phone_screen_and_by_keyboard(base_url, browser):
    t = Watched(browser, base_url, viewport={"width": 375, "height": 800})
    t.goto(base_url + "minibatch_sgd/")
    width = t.page.evaluate("document.querySelector('.sgd-playground').scrollWidth")
    assert width <= 375, "the widget fits a phone-width screen"
    t.page.focus(f"{PLAY} input[name=lr]")
    t.page.keyboard.press("ArrowRight")  # the slider moves from the keyboard and the run resets
    assert t.page.eval_on_selector(f"{PLAY} output", "o => o.textContent") == "0.05"
    ARTIFACTS.mkdir(exist_ok=True)
    t.page.locator(PLAY).screenshot(path=str(ARTIFACTS / "playground-phone.png"))
    t.assert_clean("playground phone")
    t.close()
