"""repository.py: code links only where the repository's address is known, never a guessed one."""
from linreg_build import content, repository
from linreg_build.soup import parse, serialize

BLOCK = '<div class="language-python highlight"><span class="filename">snippets/scratch.py</span><pre>x</pre></div>'


def test_no_address_no_links(monkeypatch):
    for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"):
        monkeypatch.delenv(name, raising=False)
    assert repository.files_url(None) == ""
    assert repository.fill("Code. <!-- repository --> More.", None, "en") == "Code.  More."
    soup = parse(BLOCK)
    content.link_files(soup, repository.files_url(None))
    assert serialize(soup) == BLOCK


def test_the_publishing_workflows_address_and_commit(monkeypatch):
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "team/linreg")
    monkeypatch.setenv("GITHUB_SHA", "0123456789abcdef0123")
    url = repository.files_url(None)
    assert url == "https://github.com/team/linreg/blob/0123456789abcdef0123/"
    assert repository.files_url("https://example.org/x/") == "https://example.org/x/blob/0123456789abcdef0123/"
    soup = parse(BLOCK)
    content.link_files(soup, url)
    assert f'<a href="{url}snippets/scratch.py">snippets/scratch.py</a>' in serialize(soup)
    assert "<https://github.com/team/linreg>" in repository.fill("<!-- repository -->", None, "zh")
    assert "`0123456789ab`" in repository.fill("<!-- repository -->", None, "en")
