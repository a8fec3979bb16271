"""snippets/linear_model.py: one example at a time equals one matrix product, a loop is slower than one
tensor operation, the noise is what is left, and nn.Linear(2, 1) computes X @ weight.T + bias."""
import re

import pytest
import torch

from conftest import run_snippet

SEEDS = range(6)


@pytest.fixture(scope="module")
def runs():
    return {seed: run_snippet("linear_model", seed) for seed in SEEDS}


def test_per_example_and_matrix_product_agree(runs):
    ns, out = runs[0]
    assert "equal: True" in out["houses"]
    assert torch.allclose(ns["one_by_one"], ns["all_at_once"])
    # By hand: 1.5·90 − 0.5·10 + 20 = 150, 1.5·120 − 0.5·3 + 20 = 198.5, 1.5·60 − 0.5·25 + 20 = 97.5
    assert ns["all_at_once"].tolist() == [150.0, 198.5, 97.5]
    assert torch.equal(ns["X"] @ ns["w"], torch.matmul(ns["X"], ns["w"]))  # "@ is torch.matmul"


@pytest.mark.parametrize("seed", SEEDS)
def test_loop_and_one_tensor_operation_give_the_same_result(runs, seed):
    ns, out = runs[seed]
    lines = out["vectorise"].splitlines()
    assert len(lines) == 2 and all(line.endswith("same result: True") for line in lines)
    assert torch.allclose(ns["add_loop"](), ns["u"] + ns["v"])
    assert torch.allclose(ns["predict_loop"](), ns["X_big"] @ ns["w"] + ns["b"])
    # Timings vary with the machine and its load; only the page's "much slower" is checked, with a
    # wide margin: the printed ratios are in the hundreds to tens of thousands, best of 5 rounds each.
    ratios = [int(r) for r in re.findall(r"loop/op (\d+)x", out["vectorise"])]
    assert len(ratios) == 2 and min(ratios) >= 5


@pytest.mark.parametrize("seed", SEEDS)
def test_true_parameters_leave_exactly_the_noise(runs, seed):
    ns, out = runs[seed]
    leftover = ns["leftover"]
    # The page: the leftover is the noise, mean about 0 and standard deviation about σ = 0.01.
    assert abs(leftover.std().item() - 0.01) < 0.0015
    assert abs(leftover.mean().item()) < 0.002
    assert re.search(r"std 0\.0(09|10)\d", out["noise"])


@pytest.mark.parametrize("seed", SEEDS)
def test_nn_linear_is_the_linear_model(runs, seed):
    ns, out = runs[seed]
    net = ns["net"]
    assert tuple(net.weight.shape) == (1, 2) and tuple(net.bias.shape) == (1,)
    assert "weight: (1, 2) | bias: (1,)" in out["nn_linear"]
    assert "output: (3, 1)" in out["nn_linear"]
    assert torch.allclose(ns["out"], ns["X"] @ net.weight.T + net.bias)
    assert "net(X) equals X @ weight.T + bias: True" in out["nn_linear"]
    # ... which is Xw + b with w = the weight's only row and b = the bias.
    w, b = net.weight.detach()[0], net.bias.detach()
    assert torch.allclose(ns["out"].detach()[:, 0], ns["X"] @ w + b)


def test_same_seed_same_numbers():
    first, second = run_snippet("linear_model", 2)[1], run_snippet("linear_model", 2)[1]
    del first["vectorise"], second["vectorise"]  # timings differ from run to run
    assert first == second


def test_figures_are_saved(figures_to_tmp):
    run_snippet("linear_model")
    for name in ("noise", "network"):
        assert (figures_to_tmp / f"linear_model_{name}.png").stat().st_size > 5000
