"""page_cache.py round trip on a tiny MkDocs site: a cached page is the page rendered, and it replays
what its rendering logged, so a warm strict build fails where the cold one did (reliability probe 12:
the second and third --strict builds once passed and wrote a broken link)."""
import logging

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from linreg_build import page_cache

HOOK = """from linreg_build import page_cache
FINGERPRINT = {}
def on_files(files, config):
    FINGERPRINT["site"] = page_cache.site_fingerprint(files)
    return files
def on_page_markdown(markdown, page, config, files):
    page_cache.install(page, markdown, FINGERPRINT["site"], "en")
    return markdown
"""


@pytest.fixture
def tiny_site(tmp_path, monkeypatch):
    monkeypatch.setattr(page_cache, "PAGES", tmp_path / "pages")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\n## Part\n\nSee [the other](other.md#b).\n")
    (tmp_path / "docs" / "other.md").write_text("# Other\n\n## B\n")
    (tmp_path / "hook.py").write_text(HOOK)
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nstrict: true\nhooks: [hook.py]\n"
                                         "markdown_extensions: [toc]\n")
    logging.getLogger("mkdocs").propagate = True
    return tmp_path


def built(site):
    build(load_config(str(site / "mkdocs.yml"), site_dir=str(site / "site")))
    html = (site / "site" / "index.html").read_text()
    return html[:html.rindex("<!--")]  # without the build date at the end


def test_a_cached_page_is_the_page_rendered(tiny_site):
    cold = built(tiny_site)
    assert len(list((tiny_site / "pages").rglob("*.json"))) == 2
    assert built(tiny_site) == cold and 'id="part"' in cold


def test_a_broken_link_fails_every_strict_build(tiny_site, caplog):
    index = tiny_site / "docs" / "index.md"
    index.write_text(index.read_text() + "\n[x](nope.md)\n")
    for attempt in range(3):
        caplog.clear()
        with pytest.raises(Abort, match="1 warnings in strict mode"):
            built(tiny_site)
        assert "contains a link 'nope.md'" in caplog.text, attempt
    assert len(list((tiny_site / "pages").rglob("*.json"))) == 2  # the second and third came from the cache
