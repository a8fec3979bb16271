"""snippets/loss.py: the mean squared loss, and where least squares and total least squares part ways."""
import math
import re

import pytest
import torch

from conftest import DOCS, ROOT, numbers, run_snippet

SEEDS = range(6)


@pytest.fixture(scope="module")
def runs():
    return {seed: run_snippet("loss", seed) for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
def test_loss_at_true_parameters_is_half_the_noise_variance(runs, seed):
    ns, out = runs[seed]
    at_truth = ns["mean_loss"](ns["features"], ns["labels"], ns["true_w"], ns["true_b"]).item()
    assert 3e-5 < at_truth < 8e-5        # ½·0.01² = 5e-5
    assert ns["mean_loss"](ns["features"], ns["labels"], torch.zeros(2), 0.0).item() > 1.0
    assert f"L at the true w, b: {at_truth:.2e}" in out["mean_loss"]


@pytest.mark.parametrize("seed", SEEDS)
def test_maximum_likelihood_is_least_squares_whatever_sigma(runs, seed):
    ns, out = runs[seed]
    theta_ls, theta_ml = ns["theta_ls"], ns["theta_ml"]
    assert set(theta_ml) == {0.01, 1.0}                      # two values of σ, a factor 100 apart
    for theta in theta_ml.values():                          # the same minimiser for both
        assert (theta - theta_ls).abs().max() < 1e-6
    # least squares here is the LS solution: it solves the normal equation of A = [X, 1]
    A, y = ns["A"], ns["y64"]
    assert torch.allclose(A.T @ A @ theta_ls, (A.T @ y)[:, 0], atol=1e-8)
    assert torch.equal(A[:, -1], torch.ones(1000, dtype=torch.float64))   # the ones on the right
    # σ changes the height only: −log p = n/2·log(2πσ²) + (1/σ²)·Σ½r², checked at θ_LS
    nll, X, w, b = ns["neg_log_likelihood"], ns["X64"], theta_ls[:2], theta_ls[2]
    half_sse = ((y[:, 0] - X @ w - b) ** 2).sum() / 2
    for sigma in (0.01, 1.0):
        expected = 1000 / 2 * math.log(2 * math.pi * sigma**2) + half_sse / sigma**2
        assert abs(nll(X, y, w, b, sigma).item() - expected.item()) < 1e-6
    heights = [float(v) for v in re.findall(r"−log p = (-?[0-9.]+)", out["likelihood"])]
    assert len(heights) == 2 and heights[0] < 0 < heights[1]  # "with σ = 0.01 it is negative"
    gap = float(re.search(r"largest difference from least squares: (\S+)", out["likelihood"])[1])
    assert gap < 1e-6


def test_fits_are_exact_without_noise(runs):
    ns, _ = runs[0]
    x = torch.linspace(-2, 2, 50).reshape(-1, 1)
    y = 2 * x + 1
    for fit in (ns["ols_line"], ns["tls_line"]):
        slope, intercept = fit(x, y)
        assert abs(slope - 2) < 1e-4 and abs(intercept - 1) < 1e-4


def test_each_fit_minimises_its_own_distance(runs):
    """OLS has the smaller sum of squared vertical distances, TLS of squared perpendicular ones."""
    ns, _ = runs[0]
    x, y = ns["x"][:, 0], ns["y"][:, 0]

    def vertical(line):
        return ((line[0] * x + line[1] - y) ** 2).sum().item()

    def perpendicular(line):
        return vertical(line) / (1 + line[0] ** 2)

    ols, tls = ns["ols_line"](ns["x"], ns["y"]), ns["tls_line"](ns["x"], ns["y"])
    assert vertical(ols) < vertical(tls)
    assert perpendicular(tls) < perpendicular(ols)


@pytest.mark.parametrize("seed", SEEDS)
def test_noise_in_y_only_ols_is_right_tls_is_biased(runs, seed):
    _, out = runs[seed]
    ols, tls = numbers(out["noise_in_y"], "OLS")[0], numbers(out["noise_in_y"], "TLS")[0]
    assert abs(ols - 2) < 0.1
    assert tls - 2 > 0.2 and tls > ols
    assert numbers(out["noise_in_y"], "OLS")[1] == 2.0
    assert abs(numbers(out["noise_in_y"], "TLS")[1] - (1 + 2 ** 0.5)) < 1e-3  # limit 1 + √2


@pytest.mark.parametrize("seed", SEEDS)
def test_noise_in_x_and_y_tls_is_right_ols_attenuated(runs, seed):
    _, out = runs[seed]
    ols, ols_limit = numbers(out["noise_in_both"], "OLS")[:2]
    tls, tls_limit = numbers(out["noise_in_both"], "TLS")[:2]
    assert abs(tls - 2) < 0.15
    assert 2 - ols > 0.3
    assert abs(ols_limit - 2 / 1.36) < 1e-3 and abs(tls_limit - 2) < 1e-3
    # ... yet OLS predicts y from noisy x better, on new examples.
    errors = [float(v) for v in re.findall(r"mean squared error on new examples: ([0-9.]+)", out["noise_in_both"])]
    assert len(errors) == 2 and errors[0] < errors[1] - 0.1


@pytest.mark.parametrize("seed", SEEDS)
def test_ols_does_not_depend_on_units_tls_does(runs, seed):
    ns, out = runs[seed]
    x, y = ns["x"], ns["y"]
    ols = [ns["ols_line"](x * c, y)[0] * c for c in (0.1, 1.0, 10.0)]
    tls = [ns["tls_line"](x * c, y)[0] * c for c in (0.1, 1.0, 10.0)]
    assert max(ols) - min(ols) < 1e-3
    assert max(tls) - min(tls) > 0.3
    assert abs(tls[2] - ols[1]) < abs(tls[1] - ols[1])   # larger numbers in x: TLS nears OLS
    assert len(re.findall(r"x in units", out["units"])) == 3


def test_same_seed_same_numbers():
    assert run_snippet("loss", 4)[1] == run_snippet("loss", 4)[1]


def test_figure_is_saved(figures_to_tmp):
    run_snippet("loss")
    assert (figures_to_tmp / "loss_residuals.png").stat().st_size > 5000
    assert (figures_to_tmp / "loss_density.png").stat().st_size > 5000


def test_density_formula_of_the_figure_is_the_normal_density():
    """The bell drawn on the page is scipy's normal density (the oracle)."""
    from scipy.stats import norm
    eps = torch.linspace(-5, 5, 401, dtype=torch.float64)
    for s in (0.5, 1.0, 2.0):
        density = torch.exp(-eps**2 / (2 * s**2)) / math.sqrt(2 * math.pi * s**2)
        assert torch.allclose(density, torch.from_numpy(norm.pdf(eps.numpy(), scale=s)))
    source = (ROOT / "snippets/loss.py").read_text(encoding="utf-8")
    assert re.search(r"density = torch\.exp\(-\(?eps\*\*2\)? / \(2 \* s\*\*2\)\) / math\.sqrt\(\s*2 \* math\.pi \* s\*\*2", source)


def test_chinese_page_uses_one_term_per_concept():
    page = (DOCS / "zh" / "loss.md").read_text(encoding="utf-8")
    assert "垂直距离" not in page and "**极大似然估计**" in page
