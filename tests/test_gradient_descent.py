"""snippets/gradient_descent.py: what the gradient-descent page claims, at several seeds."""
import re

import pytest
import torch

from conftest import run_snippet

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
    mean, partial = re.search(r"mean of their slopes: (\S+)\s+dL/dw1: (\S+)", out["tangent"]).groups()
    assert mean == partial


@pytest.mark.parametrize("seed", SEEDS)
def test_tangent_plane_is_right_to_first_order(runs, seed):
    ns, _ = runs[seed]
    predicted, actual, step = ns["parts"].sum().item(), ns["actual"].item(), ns["step"]
    # L is quadratic: the gap is ½δᵀHδ with H = ÃᵀÃ/n ≈ I, so positive and below |δ|².
    assert 0 < actual - predicted < step.norm().item() ** 2
    assert abs(actual - predicted) < 0.01 * abs(actual)
    # second order: half the step, a quarter of the gap
    L, X, y, w0, b0 = ns["loss"], ns["X"], ns["y"], ns["w0"], ns["b0"]
    half = step / 2
    gap_half = (L(X, y, w0 + half[:2].reshape(2, 1), b0 + half[2]) - L(X, y, w0, b0)
                - (ns["grad"] * half).sum()).item()
    assert abs(gap_half / (actual - predicted) - 0.25) < 1e-6


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
    # beta = 0 is plain gradient descent, step for step
    plain = ns["gradient_descent"](ns["X_scaled"], ns["y"], ns["w_start"], ns["b_start"], 0.1, 30)
    for (w1, b1), (w2, b2) in zip(plain, ns["valley"][0]):
        assert torch.allclose(w1, w2) and torch.allclose(b1, b2)


def test_same_seed_same_numbers_and_the_figures(runs, figures_to_tmp):
    assert run_snippet("gradient_descent", 0)[1] == runs[0][1]
    for name in ("trough", "contours", "momentum"):
        size = (figures_to_tmp / f"gradient_descent_{name}.png").stat().st_size
        assert 5_000 < size < 200_000
