"""Shared figure style and saving for the snippets (not a page snippet itself).

Figures have a white background and dark ink so they read the same in the light and the dark
palette, and carry only math labels ($w_1$, $y$): matplotlib's default font has no CJK glyphs,
so words go into the page's caption instead.
"""
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed; the build and CI run headless
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams.update({
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.facecolor": "white",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "font.size": 10,
})


def save_figure(fig, name):
    """Save `fig` as <name>.png in $LINREG_FIGURES (the build sets it), else ./figures."""
    folder = Path(os.environ.get("LINREG_FIGURES", "figures"))
    folder.mkdir(parents=True, exist_ok=True)
    # No timestamp or version in the metadata, so the same code gives the same bytes.
    fig.savefig(folder / f"{name}.png", bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
