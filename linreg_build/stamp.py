"""What each page's outputs were produced with: the Python and PyTorch versions and the date of the
runs it shows, from the runs themselves (runner.snippet_job records them), so that a reader years
later knows what ran. A page that shows no output gets no stamp."""
from __future__ import annotations

from .includes import INCLUDE

TEXT = {
    "zh": "本页的输出是 {date} 用 Python {python} 和 PyTorch {torch} 运行本页代码得到的。",
    "en": "The outputs on this page were produced on {date} by running its code with Python {python} "
          "and PyTorch {torch}.",
}


def line(markdown: str, runs: dict[str, dict], lang: str) -> str:
    """The stamp paragraph for a page whose source is `markdown` (empty if it shows no output)."""
    shown = [runs[t.partition("/")[0]] for t in INCLUDE.findall(markdown)
             if t.endswith(".txt") and t.partition("/")[0] in runs]
    made = [run["made_with"] for run in shown if "made_with" in run]
    if not made:
        return ""
    latest = max(made, key=lambda m: m["date"])
    return f'\n\n<p class="verified" markdown>{TEXT[lang].format(**latest)}</p>\n'
