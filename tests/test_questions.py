"""snippets/questions.py: each answer on the questions page, and the errors it shows, really happen."""
import math
import re

import pytest
import torch
from torch import nn

from conftest import ROOT, numbers, run_snippet

SEEDS = range(3)


@pytest.fixture(scope="module")
def runs():
    return {seed: run_snippet("questions", seed) for seed in SEEDS}


@pytest.fixture(scope="module")
def page(runs):
    """The run the page shows (seed 0)."""
    return runs[0]



# 1. nn.Linear must match the data; LazyLinear infers in_features
def test_linear_shape_mismatch_is_a_runtime_error(page):
    ns, out = page
    X = ns["features"][:5]
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(5x2 and 3x1\)"):
        ns["wrong"](X)
    assert "RuntimeError: mat1 and mat2 shapes cannot be multiplied (5x2 and 3x1)" in out["linear_mismatch"]
    assert "nn.Linear(2, 1)(X): torch.Size([5, 1])" in out["linear_mismatch"]


def test_lazy_linear_reads_in_features_on_the_first_call(page):
    ns, out = page
    assert ns["lazy"].in_features == 2 and ns["lazy"].weight.shape == (1, 2)
    assert "before the first call: <UninitializedParameter>" in out["lazy_linear"]
    assert "Linear(in_features=2, out_features=1, bias=True)" in out["lazy_linear"]
    assert type(ns["lazy"]) is nn.Linear             # after the first call: a plain nn.Linear
    fresh = nn.LazyLinear(1)
    fresh(torch.zeros(4, 7))
    assert fresh.in_features == 7


# 2. zero initialisation: fine for linear regression, hidden units stay identical in a two-layer net
@pytest.mark.parametrize("seed", SEEDS)
def test_zero_init_linear_regression_converges(runs, seed):
    _, out = runs[seed]
    assert numbers(out["zero_init_linear"], "loss ")[0] < 2e-4      # the floor is σ² = 1e-4
    w = [float(x) for x in re.search(r"w: tensor\(\[\[\s*(\S+),\s*(\S+)\]\]\)", out["zero_init_linear"]).groups()]
    b = float(re.search(r"b: tensor\(\[(\S+)\]\)", out["zero_init_linear"]).group(1))
    assert max(abs(w[0] - 2), abs(w[1] + 3.4), abs(b - 4.2)) < 2e-3


@pytest.mark.parametrize("seed", SEEDS)
def test_symmetric_hidden_units_stay_identical(runs, seed):
    ns, out = runs[seed]
    W1 = ns["W1"]
    assert torch.count_nonzero(W1["zeros"]) == 0                    # never moves from 0
    assert (W1["constant"] - W1["constant"][0]).abs().max() < 1e-6  # 3 copies of one unit
    assert not torch.equal(W1["constant"], torch.full((3, 2), 0.1))  # ...that did learn
    assert (W1["random"] - W1["random"][0]).abs().max() > 0.1
    assert "zeros     loss" in out["zero_init_hidden"]
    spreads = numbers(out["zero_init_hidden"], "rows of W1 differ by at most")
    assert spreads[0] == 0 and spreads[1] < 1e-6 and spreads[2] > 0.1
    # all-zero net outputs a constant: its loss is the variance of the labels
    zeros_loss = numbers(out["zero_init_hidden"], "zeros     loss")[0]
    variance = numbers(out["zero_init_hidden"], "variance of the labels:")[0]
    assert zeros_loss == pytest.approx(variance, rel=0.02)
    assert variance == pytest.approx(ns["labels"].var(unbiased=False).item(), rel=1e-3)
    assert "largest |entry| of W1 trained from zeros: 0.0" in out["zero_init_hidden"]


# 3. net(X) is Module.__call__, which runs forward (and the hooks)
def test_call_runs_forward_and_hooks(page):
    ns, out = page
    text = out["call_forward"]
    call, direct = text.split("model.forward(X):")
    assert "forward called" in call and "hook called" in call
    assert "forward called" in direct and "hook called" not in direct
    assert "model(X) == X @ W.T + b: True" in text
    X = ns["features"][:4]
    lin = ns["model"].linear
    assert torch.allclose(ns["model"](X), X @ lin.weight.T + lin.bias)


# 4. the loop, and why zero_grad
def test_training_steps_lower_the_loss(page):
    _, out = page
    losses = numbers(out["train_step"], "loss ")
    assert len(losses) == 3 and losses[0] > losses[1] > losses[2]


def test_backward_accumulates_until_zero_grad(page):
    _, out = page
    g1, g2, g3 = numbers(out["accumulate"], "bias.grad = ")
    assert g2 == pytest.approx(2 * g1, rel=1e-5) and g3 == pytest.approx(3 * g1, rel=1e-5)
    assert "after zero_grad:          bias.grad = None" in out["accumulate"]


@pytest.mark.parametrize("seed", SEEDS)
def test_training_without_zero_grad_fails(runs, seed):
    _, out = runs[seed]
    with_zero, without = numbers(out["no_zero_grad"], "loss ")
    assert with_zero < 2e-4
    assert without > 1 or not math.isfinite(without)


# 5. torch.no_grad() versus .data
def test_in_place_update_of_a_leaf_needs_no_grad(page):
    _, out = page
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in an in-place"):
        w -= 0.1
    assert "RuntimeError: a leaf Variable that requires grad is being used in an in-place operation." \
        in out["inplace_error"]
    assert "after the update: tensor([0.8000, 0.8000], requires_grad=True)" in out["inplace_error"]


def test_data_hides_the_change_no_grad_does_not(page):
    ns, out = page
    assert "w.grad = tensor([1., 1.])" in out["data_pitfall"]        # 2w at w = 0.5, not at w = 1
    w = torch.ones(2, requires_grad=True)
    l = (w ** 2).sum()
    with torch.no_grad():
        w -= 0.5
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        l.backward()
    assert "RuntimeError: one of the variables needed for gradient computation has been modified " \
        "by an inplace operation" in out["data_pitfall"]


# 6. sum vs mean and dividing by the batch size
@pytest.mark.parametrize("seed", SEEDS)
def test_sum_and_mean_need_matching_division(runs, seed):
    _, out = runs[seed]
    right_sum, right_mean, twice, never, small_batch = numbers(out["sum_vs_mean"], "-> loss ")
    assert right_sum == pytest.approx(right_mean, rel=1e-3) and right_sum < 1e-4  # same updates
    assert twice > 1                                 # divided twice: far too slow
    assert not math.isfinite(never) or never > 1e6   # never divided: diverges at batch size 100...
    assert small_batch < 1e-3                        # ...but not at batch size 10, so it goes unseen


# 7. nn.MSELoss has no ½; reduction='sum' multiplies by the batch size
def test_mse_gradient_factors(page):
    ns, _ = page
    assert torch.allclose(ns["g_mse"], 2 * ns["g_half"], rtol=1e-5)
    assert torch.allclose(ns["g_sum"], 10 * ns["g_mse"], rtol=1e-5)


# 8. shuffling matters for data sorted by label
@pytest.mark.parametrize("seed", SEEDS)
def test_sequential_batches_of_sorted_data_go_wrong(runs, seed):
    _, out = runs[seed]
    lines = out["shuffle"].splitlines()
    results = {line.split(":")[0]: (numbers(line, "loss ")[0], numbers(line, ", b ")[0]) for line in lines}
    for key, (loss, b) in results.items():
        if key.startswith("sorted") and "False" in key:
            assert loss > 0.05 and b > 4.2 + 0.2    # pulled towards the large labels seen last
        else:
            assert loss < 2e-4 and abs(b - 4.2) < 2e-3
    assert len(results) == 4


# 9. (n, 1) minus (n,) broadcasts to (n, n)
def test_broadcasting_trap(page):
    _, out = page
    assert "(y_hat - y).shape: torch.Size([3, 3])" in out["broadcast"]
    assert numbers(out["broadcast"], "wrong loss:")[0] == pytest.approx(12 / 9)
    assert numbers(out["broadcast"], "right loss:")[0] == 0
    with pytest.warns(UserWarning, match="different to the input size"):
        wrong = nn.MSELoss()(torch.tensor([[1.0], [2.0], [3.0]]), torch.tensor([1.0, 2.0, 3.0]))
    assert wrong.item() == pytest.approx(12 / 9)
    assert "UserWarning: Using a target size (torch.Size([3]))" in out["broadcast"]


# 10. a learning rate that is too large is caught
def test_divergence_is_detected(page):
    ns, out = page
    with pytest.raises(FloatingPointError, match=r"loss is (inf|nan) at step \d+ with lr=3.0; lower the learning rate"):
        ns["train_checked"](3.0)
    assert re.search(r"FloatingPointError: loss is (inf|nan) at step \d+", out["diverge"])
    growing = [float(x) for x in re.findall(r"lr=3.0, step\s+\d+: loss (\S+)", out["diverge"])]
    assert len(growing) >= 3 and all(a * 100 < b for a, b in zip(growing, growing[1:]))
    assert numbers(out["diverge"], "lr=0.1: final loss")[0] < 0.05


# 11. the last minibatch
def test_last_batch_is_smaller_or_dropped(page):
    _, out = page
    assert "drop_last=False: [4, 4, 2]" in out["last_batch"]
    assert "drop_last=True:  [4, 4]" in out["last_batch"]
    assert numbers(out["last_batch"], "by len(X)=2:")[0] == pytest.approx(0.5)


# 12. integer tensors
def test_integer_weights_break_matmul(page):
    ns, out = page
    assert torch.tensor([[2], [-3]]).dtype == torch.int64 and ns["true_w"].dtype == torch.float32
    with pytest.raises(RuntimeError, match="same dtype"):
        ns["features"][:3] @ ns["w_int"]
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        torch.tensor([2, -3], requires_grad=True)
    assert "RuntimeError: expected m1 and m2 to have the same dtype" in out["int_dtype"]
    assert "with float weights: torch.float32 torch.Size([3, 1])" in out["int_dtype"]


# 13. noise keeps every estimate off the true parameters
@pytest.mark.parametrize("seed", SEEDS)
def test_least_squares_is_close_but_not_exact(runs, seed):
    ns, out = runs[seed]
    ls_error = (ns["theta_ls"] - ns["true_theta"]).abs().max().item()
    assert 1e-5 < ls_error < 2e-3
    assert (ns["theta_sgd"] - ns["theta_ls"]).abs().max() < 2e-3
    assert (ns["clean"] - ns["true_theta"]).abs().max() < 1e-5    # no noise: exact up to rounding
    assert f"max |least squares - true|: {ls_error:.1e}" in out["exact"]


def test_error_shrinks_like_one_over_sqrt_n(page):
    _, out = page
    e100, e1000, e10000 = numbers(out["more_data"], "mean error of least squares")
    for big, small in [(e100, e1000), (e1000, e10000)]:
        assert 2 < big / small < 5          # √10 ≈ 3.2 for ten times the data


@pytest.mark.parametrize("seed", SEEDS)
def test_more_epochs_stop_helping_at_the_noise_level(runs, seed):
    _, out = runs[seed]
    mse = numbers(out["epochs"], "MSE on all the data")
    assert len(mse) == 4
    assert mse[0] > 1.5 * mse[-1]                         # the first epoch is not enough
    assert all(abs(m / mse[-1] - 1) < 0.1 for m in mse[2:])  # from the third on, no more progress
    assert 0.6e-4 < mse[-1] < 1.6e-4                       # at the noise variance σ² = 1e-4
