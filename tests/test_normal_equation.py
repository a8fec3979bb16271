"""snippets/normal_equation.py: A = [X, 1], the lstsq solution, A^T e = 0, conditioning, rank deficiency."""
import ast
import re

import pytest
import torch

from conftest import run_snippet

SEEDS = range(6)


@pytest.fixture(scope="module")
def runs():
    return {seed: run_snippet("normal_equation", seed) for seed in SEEDS}


def test_the_column_of_ones_on_the_right_carries_the_bias(runs):
    ns, out = runs[0]
    A = ns["A"]
    assert A.shape == (1000, 3) and torch.equal(A[:, -1], torch.ones(1000))   # A = [X, 1]
    assert torch.equal(A[:, :2], ns["features"])
    assert ns["theta_true"].tolist() == pytest.approx([2.0, -3.4, 4.2])        # θ = (w1, w2, b)
    assert "Aθ equals Xw + b: True" in out["augment"]


@pytest.mark.parametrize("seed", SEEDS)
def test_lstsq_error_is_of_order_1e_4(runs, seed):
    ns, out = runs[seed]
    err = ns["theta_err"].abs().max().item()
    assert err < 2e-3                       # the promise shared with the from-scratch page
    assert 2e-5 < err < 1.5e-3              # order 1e-4: noise, not rounding, sets it
    assert f"max |error|: {err:.1e}" in out["lstsq"]


@pytest.mark.parametrize("seed", SEEDS)
def test_lstsq_solves_the_normal_equation(runs, seed):
    ns, _ = runs[seed]
    A, y = ns["A"].double(), ns["labels"].double()
    theta = torch.linalg.solve(A.T @ A, A.T @ y)   # fine here: this A is well-conditioned
    assert torch.allclose(ns["theta_ls"].double(), theta, atol=1e-5)


@pytest.mark.parametrize("seed", SEEDS)
def test_residual_is_perpendicular_to_every_column(runs, seed):
    ns, out = runs[seed]
    A, e = ns["A"], ns["e"]
    assert (A.T @ e).abs().max() < 1e-2                      # raw A^T e, float32, n = 1000
    cos32 = ns["cosines"](A, e).abs().max().item()
    cos64 = ns["cosines"](ns["A64"], ns["e64"]).abs().max().item()
    assert 1e-5 < cos32 < 1e-3                               # "1e-5 to 1e-4": rounding in float32
    assert cos64 < 1e-11                                     # "around 1e-13" in float64
    torch.manual_seed(seed)
    assert ns["cosines"](A, torch.randn(1000, 1)).abs().max() > 3e-3   # a random vector is not
    # The last row of A^T e = 0 is the sum of the residuals: the mean residual is 0.
    assert abs(ns["e64"].mean().item()) < 1e-12
    assert re.search(r"mean residual, float64: -?\de-1[2-9]", out["orthogonal"])


@pytest.mark.parametrize("seed", SEEDS)
def test_normal_equation_loses_twice_the_digits(runs, seed):
    ns, out = runs[seed]
    digits = {name: ns["correct_digits"](ns[name]) for name in ("via_lstsq", "via_inverse", "via_solve")}
    assert digits["via_lstsq"] >= 3
    assert digits["via_inverse"] <= 1 and digits["via_solve"] <= 1
    conds = [float(v) for v in re.findall(r"= ([0-9.]+)", out["conditioning"].splitlines()[1])]
    assert abs(conds[1] - 2 * conds[0]) < 0.15             # κ(AᵀA) = κ(A)²
    assert f"correct digits of θ: lstsq {digits['via_lstsq']} " in out["conditioning"]


@pytest.mark.parametrize("seed", SEEDS)
def test_repeated_feature_rank_and_minimum_norm_solution(runs, seed):
    ns, out = runs[seed]
    A_rep, fit, other = ns["A_rep"], ns["fit"], ns["other"]
    assert A_rep.shape[1] == 4 and torch.equal(A_rep[:, 1], A_rep[:, 2])   # [x1, x2, x2, 1]
    assert torch.linalg.matrix_rank(A_rep) == 3 and torch.linalg.matrix_rank(A_rep.T @ A_rep) == 3
    assert "columns: 4 | rank of A: 3 | rank of A^T A: 3" in out["repeated"]
    assert fit.rank.item() == 3
    w_copies = fit.solution[1:3, 0]
    assert abs(w_copies[0] - w_copies[1]) < 1e-4                # split evenly ...
    assert abs(w_copies.sum() - ns["theta_ls"][1, 0]) < 1e-4    # ... and summing to the one-copy weight
    assert abs(fit.solution[3, 0] - ns["theta_ls"][2, 0]) < 1e-4   # the bias is last and unchanged
    assert torch.allclose(torch.linalg.pinv(A_rep) @ ns["labels"], fit.solution, atol=1e-4)
    assert torch.allclose(A_rep @ other, A_rep @ fit.solution, atol=1e-5)
    assert other.norm() > fit.solution.norm()
    assert "same predictions: True" in out["repeated"]
    # The optimal solutions form a convex set: any point between two of them is optimal too.
    for t in (0.25, 0.5, 0.75):
        between = t * fit.solution + (1 - t) * other
        assert torch.allclose(A_rep @ between, A_rep @ fit.solution, atol=1e-5)
    assert "the midpoint predicts the same too: True" in out["repeated"]


@pytest.mark.parametrize("seed", SEEDS)
def test_gels_splits_the_copies_wildly_but_keeps_their_sum(runs, seed):
    ns, out = runs[seed]
    copies = ns["gels"][1:3, 0]
    assert (copies.abs() > 100).all() and copies[0] * copies[1] < 0   # huge, of opposite sign
    assert abs(copies.sum() - ns["theta_ls"][1, 0]) < 5e-3            # only the sum is right
    assert "each over 100 in size: True" in out["drivers"]


def test_gelsy_batch_gives_a_wrong_rank_in_torch_2_13(runs):
    """The page says so; if a PyTorch upgrade fixes it, this fails and the page must change."""
    _, out = runs[0]
    assert "batch, gelsy: ranks [3, 0], second solution [0.0, 0.0, 0.0]" in out["drivers"]
    assert "batch, gelsd: ranks [3, 2], second solution [0.0, 1.0, 1.0]" in out["drivers"]


def test_every_lstsq_call_names_its_driver():
    from conftest import ROOT
    source = (ROOT / "snippets/normal_equation.py").read_text(encoding="utf-8")
    calls = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
             and ast.unparse(node.func) == "torch.linalg.lstsq"]
    assert len(calls) >= 7 and all(any(k.arg == "driver" for k in call.keywords) for call in calls)


def test_projection_figure_has_a_right_angle(runs, figures_to_tmp):
    ns, _ = run_snippet("normal_equation")
    assert (ns["small"].T @ ns["e3"]).tolist() == pytest.approx([0.0, 0.0], abs=1e-5)
    assert ns["e3"].norm() > 0.5                            # y is visibly off the plane
    assert (figures_to_tmp / "normal_equation_projection.png").stat().st_size > 5000


def test_same_seed_same_numbers():
    assert run_snippet("normal_equation", 1)[1] == run_snippet("normal_equation", 1)[1]
