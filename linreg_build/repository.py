"""Where the code lives: the repository's address and the commit the site is built from.

They come from mkdocs.yml's `repo_url`, or else from the environment the publishing workflow has
(GitHub Actions sets GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA in every step). A local
build knows neither, and then the pages link nothing rather than something wrong: each code block's
file name links to that file at that commit, and the home page says where the repository is.
(The address is not given to Material as `repo_url`: its header would then ask GitHub's API for the
repository's stars from every page, a request to another host.)
"""
from __future__ import annotations

import os

TEXT = {
    "zh": "代码仓库：<{url}>（本网站由提交 `{commit}` 构建，代码块上的文件名链接到这个版本的文件）。",
    "en": "The repository: <{url}> (this site was built from commit `{commit}`; the file name above a "
          "code block links to that file in this version).",
}
MARKER = "<!-- repository -->"


def address(repo_url: str | None) -> str | None:
    if repo_url:
        return repo_url.rstrip("/")
    server, name = os.environ.get("GITHUB_SERVER_URL"), os.environ.get("GITHUB_REPOSITORY")
    return f"{server.rstrip('/')}/{name}" if server and name else None


def commit() -> str:
    return os.environ.get("GITHUB_SHA") or "main"


def files_url(repo_url: str | None) -> str:
    """The prefix of a file's address in the repository at this commit ("" when unknown)."""
    url = address(repo_url)
    return f"{url}/blob/{commit()}/" if url else ""


def fill(markdown: str, repo_url: str | None, lang: str) -> str:
    """The home page's marker becomes the sentence saying where the repository is (or nothing)."""
    if MARKER not in markdown:
        return markdown
    url = address(repo_url)
    return markdown.replace(MARKER, TEXT[lang].format(url=url, commit=commit()[:12]) if url else "")
