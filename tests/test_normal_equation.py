"""snippets/normal_equation.py: the lstsq solution, X^T e = 0, conditioning, and rank deficiency."""
import re

import pytest
import torch

from conftest import run_snippet

SEEDS = range(6)


@pytest.fixture(scope="module")
def runs():
    return {seed: run_snippet("normal_equation", seed) for seed in SEEDS}


def test_the_column_of_ones_carries_the_bias(runs):
    ns, out = runs[0]
    assert torch.equal(ns["X"][:, 0], torch.ones(1000))
    assert "Xβ equals Xw + b: True" in out["augment"]


@pytest.mark.parametrize("seed", SEEDS)
def test_lstsq_error_is_of_order_1e_4(runs, seed):
    ns, out = runs[seed]
    err = ns["beta_err"].abs().max().item()
    assert err < 2e-3                       # the promise shared with the from-scratch page
    assert 2e-5 < err < 1.5e-3              # order 1e-4: noise, not rounding, sets it
    assert f"max |error|: {err:.1e}" in out["lstsq"]


@pytest.mark.parametrize("seed", SEEDS)
def test_lstsq_solves_the_normal_equation(runs, seed):
    ns, _ = runs[seed]
    X, y = ns["X"].double(), ns["labels"].double()
    beta = torch.linalg.solve(X.T @ X, X.T @ y)   # fine here: this X is well-conditioned
    assert torch.allclose(ns["beta"].double(), beta, atol=1e-5)


@pytest.mark.parametrize("seed", SEEDS)
def test_residual_is_perpendicular_to_every_column(runs, seed):
    ns, _ = runs[seed]
    X, e = ns["X"], ns["e"]
    assert (X.T @ e).abs().max() < 1e-2                      # raw X^T e, float32, n = 1000
    cos32 = ns["cosines"](X, e).abs().max().item()
    cos64 = ns["cosines"](ns["X64"], ns["e64"]).abs().max().item()
    assert 1e-7 < cos32 < 1e-3                               # "order 1e-4": rounding in float32
    assert cos64 < 1e-11                                     # "around 1e-13" in float64
    torch.manual_seed(seed)
    assert ns["cosines"](X, torch.randn(1000, 1)).abs().max() > 3e-3   # a random vector is not


@pytest.mark.parametrize("seed", SEEDS)
def test_normal_equation_loses_twice_the_digits(runs, seed):
    ns, out = runs[seed]
    digits = {name: ns["correct_digits"](ns[name]) for name in ("via_lstsq", "via_inverse", "via_solve")}
    assert digits["via_lstsq"] >= 3
    assert digits["via_inverse"] <= 1 and digits["via_solve"] <= 1
    conds = [float(v) for v in re.findall(r"= ([0-9.]+)", out["conditioning"].splitlines()[1])]
    assert abs(conds[1] - 2 * conds[0]) < 0.15             # κ(XᵀX) = κ(X)²
    assert f"correct digits of β: lstsq {digits['via_lstsq']} " in out["conditioning"]


@pytest.mark.parametrize("seed", SEEDS)
def test_repeated_feature_rank_and_minimum_norm_solution(runs, seed):
    ns, out = runs[seed]
    X_rep, fit, other = ns["X_rep"], ns["fit"], ns["other"]
    assert X_rep.shape[1] == 4
    assert torch.linalg.matrix_rank(X_rep) == 3 and torch.linalg.matrix_rank(X_rep.T @ X_rep) == 3
    assert "columns: 4 | rank of X: 3 | rank of X^T X: 3" in out["repeated"]
    assert fit.rank.item() == 3
    w_copies = fit.solution[2:, 0]
    assert abs(w_copies[0] - w_copies[1]) < 1e-4            # split evenly ...
    assert abs(w_copies.sum() - ns["beta"][2, 0]) < 1e-4    # ... and summing to the one-copy weight
    assert torch.allclose(torch.linalg.pinv(X_rep) @ ns["labels"], fit.solution, atol=1e-4)
    assert torch.allclose(X_rep @ other, X_rep @ fit.solution, atol=1e-5)
    assert other.norm() > fit.solution.norm()
    assert "same predictions: True" in out["repeated"]


def test_default_driver_on_the_page_run_and_gels(runs):
    _, out = runs[0]
    assert "gelsy: same β as gelsd: True | rank found: 3" in out["drivers"]
    assert "sum to -3.40" in out["drivers"] and "each over 100 in size: True" in out["drivers"]


def test_gelsy_batch_gives_a_wrong_rank_in_torch_2_13(runs):
    """The page says so; if a PyTorch upgrade fixes it, this fails and the page must change."""
    _, out = runs[0]
    assert "batch, gelsy: ranks [3, 0], second solution [0.0, 0.0, 0.0]" in out["drivers"]
    assert "batch, gelsd: ranks [3, 2], second solution [0.0, 1.0, 1.0]" in out["drivers"]


def test_projection_figure_has_a_right_angle(runs, figures_to_tmp):
    ns, _ = run_snippet("normal_equation")
    assert (ns["small"].T @ ns["e3"]).tolist() == pytest.approx([0.0, 0.0], abs=1e-5)
    assert ns["e3"].norm() > 0.5                            # y is visibly off the plane
    assert (figures_to_tmp / "normal_equation_projection.png").stat().st_size > 5000


def test_same_seed_same_numbers():
    assert run_snippet("normal_equation", 1)[1] == run_snippet("normal_equation", 1)[1]
