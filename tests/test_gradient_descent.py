"""snippets/gradient_descent.py: what the gradient-descent page claims, at several seeds."""
import math
import re

import numpy as np
import pytest
import torch

from conftest import DOCS, numbers, run_snippet

SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def runs():
    return {seed: run_snippet("gradient_descent", seed) for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
def test_formula_matches_autograd(runs, seed):
    ns, out = runs[seed]
    assert ns["diff"] < 1e-6  # the bar; in float64 the difference is rounding, about 1e-15
    assert f"largest difference: {ns['diff']:.1e}" in out["check"]
    # and at more points, far from the optimum and near it
    torch.manual_seed(100 + seed)
    X, y = ns["X"], ns["y"]
    for scale in (10.0, 1.0, 1e-3):
        w = ns["true_w"].double().reshape(2, 1) + scale * torch.randn(2, 1, dtype=torch.float64)
        b = torch.tensor([ns["true_b"]], dtype=torch.float64) + scale * torch.randn(1, dtype=torch.float64)
        dw, db = ns["grad_formula"](X, y, w, b)
        assert torch.allclose(torch.cat([dw[:, 0], db]), ns["autograd_grad"](w, b), rtol=0, atol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_partial_derivative_is_the_mean_of_the_examples_slopes(runs, seed):
    ns, out = runs[seed]
    rising = int(re.search(r"rises with w1: (\d+) of 1000", out["tangent"])[1])
    assert 100 < rising < 900  # some examples' losses rise, others fall
    assert abs(ns["slopes"].mean().item() - ns["grad"][0].item()) < 1e-8
    mean, partial = re.search(r"mean slope over all 1000 examples: (\S+)\s+dL/dw1: (\S+)", out["tangent"]).groups()
    assert mean == partial


@pytest.mark.parametrize("seed", SEEDS)
def test_tangent_plane_is_right_to_first_order(runs, seed):
    ns, out = runs[seed]
    step, grad, gaps = ns["step"], ns["grad"], ns["gaps"]
    L, X, y, w0, b0 = ns["loss"], ns["X"], ns["y"], ns["w0"], ns["b0"]
    actual = (L(X, y, w0 + step[:2].reshape(2, 1), b0 + step[2]) - L(X, y, w0, b0)).item()
    predicted = (grad * step).sum().item()
    assert abs(gaps[0] - (actual - predicted)) < 1e-12
    # L is quadratic: the gap is exactly ½δᵀHδ with H = AᵀA/n, A = [X, 1], so positive and small.
    A = torch.cat([X, torch.ones(len(X), 1, dtype=torch.float64)], dim=1)
    H = A.T @ A / len(X)
    assert abs(gaps[0] - 0.5 * step @ H @ step) < 1e-12
    assert 0 < gaps[0] < step.norm().item() ** 2 and abs(gaps[0]) < 0.01 * abs(actual)
    # second order: half the step, a quarter of the gap, and the page prints both
    assert abs(gaps[1] / gaps[0] - 0.25) < 1e-6
    assert "gap at δ/2 divided by gap at δ: 0.250" in out["tangent"]
    assert out["tangent"].count("tangent plane predicts") == 2


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_is_the_steepest_direction(runs, seed):
    ns, out = runs[seed]
    norm, best = ns["grad"].norm().item(), ns["slope"].max().item()
    assert best <= norm * (1 + 1e-6)          # no direction rises faster than |∇L|
    assert best > 0.98 * norm                 # and the best random one comes close
    angle = float(re.search(r"angle between them: ([0-9.]+) degrees", out["steepest"])[1])
    assert angle < 8


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_descent_reaches_the_noise_level(runs, seed):
    ns, out = runs[seed]
    losses = [ns["loss"](ns["X"], ns["y"], *p).item() for p in ns["path"]]
    assert all(a > b for a, b in zip(losses, losses[1:]))  # every step goes downhill
    assert 3e-5 < losses[-1] < 1e-4                        # ½σ² = 5e-5 is the floor
    w, b = ns["w_gd"], ns["b_gd"]
    assert (w[:, 0] - ns["true_w"].double()).abs().max() < 2e-3 and abs(b.item() - ns["true_b"]) < 2e-3
    assert len(re.findall(r"^step", out["descent"], re.M)) == 7


@pytest.mark.parametrize("seed", SEEDS)
def test_contours_are_nearly_circles(runs, seed):
    ns, _ = runs[seed]
    X = ns["X"]
    eigenvalues = torch.linalg.eigvalsh(X.T @ X / len(X))  # the curvatures of L along w
    assert ((0.85 < eigenvalues) & (eigenvalues < 1.15)).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_heavy_ball_is_faster_in_the_long_valley(runs, seed):
    ns, out = runs[seed]
    steps = {float(beta): int(k) for beta, k in re.findall(r"beta = ([0-9.]+): (\d+) steps", out["momentum"])}
    assert steps[0.5] < 0.6 * steps[0]  # inertia helps along the valley floor
    assert steps[0.9] > steps[0] > steps[0.5]  # too much of it: slower than no inertia at all
    # the valley: both features standardised already (mean 0, variance 1) but correlated
    X_corr = ns["X_corr"]
    assert (X_corr.mean(dim=0).abs() < 0.1).all() and ((X_corr.std(dim=0) - 1).abs() < 0.1).all()
    curvatures = torch.linalg.eigvalsh(X_corr.T @ X_corr / len(X_corr))
    assert curvatures[-1] / curvatures[0] > 6              # a long valley (9 for correlation 0.8)
    assert 0.5 * curvatures[-1] < 2                        # and η = 0.5 is stable along its steepest direction
    # beta = 0 is plain gradient descent, step for step
    plain = ns["gradient_descent"](X_corr, ns["y_corr"], ns["w_start"], ns["b_start"], 0.5, 30)
    for (w1, b1), (w2, b2) in zip(plain, ns["valley"][0]):
        assert torch.allclose(w1, w2) and torch.allclose(b1, b2)


@pytest.mark.parametrize("seed", SEEDS)
def test_too_large_a_step_overshoots_and_diverges(runs, seed):
    ns, out = runs[seed]
    path = ns["overshoot"]
    small, swing, wild = path[0.5], path[1.5], path[2.5]
    assert all(0 < b < a for a, b in zip(small, small[1:]))              # ηL'' < 1: never crosses 0
    assert all(a * b < 0 and abs(b) < abs(a) for a, b in zip(swing, swing[1:]))   # crosses, closer
    assert all(a * b < 0 and abs(b) > abs(a) for a, b in zip(wild, wild[1:]))     # crosses, further
    assert all(b**2 > a**2 for a, b in zip(wild, wild[1:]))              # and higher: L grows
    # On the data: 1.5 < 2/λ_max < 2.5, so full-batch descent converges at 1.5 and diverges at 2.5.
    assert 1.5 < 2 / ns["mu_max"] < 2.5
    final = {float(lr): float(v) for lr, v in re.findall(r"eta = ([0-9.]+): L after 30 steps = (\S+)", out["overshoot"])}
    assert final[1.5] < 1e-4 and final[2.5] > 1e6


@pytest.mark.parametrize("seed", SEEDS)
def test_raw_house_features_diverge_or_crawl_where_standardised_ones_converge(runs, seed):
    ns, out = runs[seed]
    curv = ns["curvatures"]
    assert curv[-1] > 5000 and curv[0] < 1                         # "over ten thousand", "below 1"
    floor = 0.5                                                    # ½σ² with σ = 1
    standardised = ns["loss"](ns["X_std"], ns["y_raw"], ns["w_std"], ns["b_std"]).item()
    assert abs(standardised - floor) < 0.1                         # at the noise level in 100 steps
    fast, slow = ns["raw_fast"], ns["raw_slow"]
    assert fast[0] > 1e30 and math.isnan(fast[1])                  # η = 0.3: absurd, then nan
    assert "after 100 = nan" in out["houses"]
    assert slow[1] < slow[0] and slow[1] > 10 * standardised       # η = 1e-4: still far off after 10000
    assert 1e-4 < 2 / curv[-1].item() < 0.3                        # 1e-4 is safe, 0.3 is not


@pytest.mark.parametrize("seed", SEEDS)
def test_standardising_keeps_the_training_statistics_and_converts_back(runs, seed):
    ns, out = runs[seed]
    X_raw, X_std = ns["X_raw"], ns["X_std"]
    assert torch.allclose(X_std.mean(dim=0), torch.zeros(2, dtype=torch.float64), atol=1e-12)
    assert torch.allclose(X_std.std(dim=0), torch.ones(2, dtype=torch.float64))
    assert torch.equal(ns["mean"], X_raw.mean(dim=0)) and torch.equal(ns["std"], X_raw.std(dim=0))
    back = torch.cat([ns["w_back"][:, 0], ns["b_back"]])
    assert torch.allclose(back, ns["theta_ls"], rtol=0, atol=1e-8)  # the raw-scale least squares
    assert (back[:2] - torch.tensor([1.5, -0.5], dtype=torch.float64)).abs().max() < 0.05
    # new inputs go through the same training statistics
    assert torch.allclose(ns["via_std"], ns["via_raw"])
    manual = ((ns["X_new"] - X_raw.mean(dim=0)) / X_raw.std(dim=0)) @ ns["w_std"] + ns["b_std"]
    assert torch.allclose(ns["via_std"], manual)
    assert "same with raw-scale weights: True" in out["standardise"]
    lines = out["standardise"].splitlines()
    assert lines[1].split("w =")[1] == lines[2].split("w =")[1]     # printed: the same numbers


def test_same_seed_same_numbers_and_the_figures(runs, figures_to_tmp):
    assert run_snippet("gradient_descent", 0)[1] == runs[0][1]
    for name in ("trough", "contours", "momentum", "overshoot", "axes"):
        size = (figures_to_tmp / f"gradient_descent_{name}.png").stat().st_size
        assert 5_000 < size < 200_000


def hessian_numpy(X):
    """AᵀA/n with A = [X, 1], built in NumPy from the snippet's features."""
    A = np.hstack([X.numpy(), np.ones((len(X), 1))])
    return A.T @ A / len(A)


@pytest.mark.parametrize("seed", SEEDS)
def test_curvatures_are_the_eigenvalues_of_the_hessian(runs, seed):
    ns, out = runs[seed]
    text = out["curvature"]
    # NumPy as the oracle for the eigenvalues printed, on the page's data and the correlated data
    oracle = np.linalg.eigvalsh(hessian_numpy(ns["X"]))
    printed = [float(v) for v in re.search(r"eigenvalues of H: \[(.*)\]", text)[1].split(",")]
    assert np.allclose(printed, oracle, rtol=0, atol=6e-5)
    assert np.allclose(ns["mu"].numpy(), oracle, rtol=1e-12, atol=1e-12)
    oracle_corr = np.linalg.eigvalsh(hessian_numpy(ns["X_corr"]))
    printed_corr = [float(v) for v in re.search(r"eigenvalues, correlated: \[(.*)\]", text)[1].split(",")]
    assert np.allclose(printed_corr, oracle_corr, rtol=0, atol=6e-5)
    # the Hessian really is the matrix of second derivatives of L (autograd, at any point)
    theta = torch.tensor([0.3, 0.7, -1.1], dtype=torch.float64)
    L = lambda t: ns["loss"](ns["X"], ns["y"], t[:2].reshape(2, 1), t[2:])
    H_autograd = torch.autograd.functional.hessian(L, theta)
    assert np.allclose(H_autograd.numpy(), hessian_numpy(ns["X"]), atol=1e-12)
    # the curvature measured along each eigenvector is its eigenvalue, printed to 4 decimals
    pairs = re.findall(r"along eigenvector (\d): L'' = (\S+)\s+mu = (\S+)", text)
    assert len(pairs) == 3
    for k, measured, mu in pairs:
        assert measured == mu
        assert abs(float(measured) - oracle[int(k)]) < 6e-5
    # positive definite: every eigenvalue above 0, and the page's data is almost round
    assert "positive definite): True" in text and oracle.min() > 0
    assert 0.9 < oracle.min() and oracle.max() < 1.2                 # "all three close to 1"
    # the correlated valley: ratio and half-axes as printed
    ratio = oracle_corr.max() / oracle_corr.min()
    assert numbers(text, "mu_max / mu_min =") == [round(ratio, 2)]
    assert numbers(text, "longest / shortest half-axis =") == [round(ratio ** 0.5, 2)]
    assert 6 < ratio < 12                                            # 9 in theory for correlation 0.8
    # the limit of section 7 uses the same largest eigenvalue
    assert ns["mu_max"] == pytest.approx(oracle.max(), rel=1e-12)


def test_pages_quote_the_printed_valley_numbers():
    _, out = run_snippet("gradient_descent", 0)
    ratio = numbers(out["curvature"], "mu_max / mu_min =")[0]
    axes = numbers(out["curvature"], "longest / shortest half-axis =")[0]
    for lang in ("en", "zh"):
        page = (DOCS / lang / "gradient_descent.md").read_text(encoding="utf-8")
        assert page.count(f"{ratio:.2f}") == 2 and f"{axes:.2f}" in page
        assert page.index('"gradient_descent.py:curvature"') < page.index('"gradient_descent.py:overshoot"')
        assert "\\lambda" not in page                              # λ is kept for the ridge strength
