"""snippets/loss.py: the mean squared loss, and where least squares and total least squares part ways."""
import re

import pytest
import torch

from conftest import numbers, run_snippet

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
