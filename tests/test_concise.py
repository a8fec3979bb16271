"""snippets/concise.py: the torch.nn version of the training, and what the concise page says of it."""
import re

import pytest
import torch

from conftest import ROOT, run_snippet

SEEDS = range(10)


@pytest.fixture(scope="module")
def runs():
    return {seed: run_snippet("concise", seed) for seed in SEEDS}


def max_error(ns):
    return max(ns["w_err"].abs().max().item(), abs(ns["b_err"]))


def test_training_reaches_small_parameter_error(runs):
    errors = [max_error(ns) for ns, _ in runs.values()]
    for (ns, out), error in zip(runs.values(), errors):
        assert f"max |error|: {error:.1e}" in out["errors"]
    # The page: of the order of 1e-4, as on the from-scratch page (reference, seeds 0-9: 4e-4 to 1e-3).
    assert max(errors) < 2.5e-3
    errors.sort()
    assert 1e-4 < errors[len(errors) // 2] < 1.2e-3  # of order 1e-4, not 0


@pytest.mark.parametrize("seed", SEEDS)
def test_predictions_on_new_examples(runs, seed):
    ns, out = runs[seed]
    difference = (ns["y_new"] - ns["y_true"]).abs().max().item()
    assert f"max |difference|: {difference:.1e}" in out["predict"]
    assert difference < 5e-3  # of the order of the parameter errors
    assert difference <= 3.5 * max_error(ns) + 1e-6


def test_training_does_not_depend_on_the_demonstrations(runs):
    """Seeded again right before the initialisation: a fresh layer, the seed, nn.init and the loop
    give exactly the page's parameters, whatever the page did before."""
    ns, _ = runs[0]
    train_loader = torch.utils.data.DataLoader(ns["dataset"], 10, shuffle=True)
    net = torch.nn.Linear(2, 1)
    torch.manual_seed(0)
    torch.nn.init.normal_(net.weight, mean=0, std=0.01)
    torch.nn.init.zeros_(net.bias)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
    for epoch in range(3):
        for X, y in train_loader:
            loss = torch.nn.MSELoss()(net(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    assert torch.equal(net.weight.detach(), ns["net"][0].weight.detach())
    assert torch.equal(net.bias.detach(), ns["net"][0].bias.detach())


def test_the_page_code_uses_no_data_attribute():
    source = (ROOT / "snippets/concise.py").read_text()
    assert not re.search(r"(?<!torch\.utils)\.data\b", source)  # nn.init and .detach() instead
    assert "import random" not in source and "random.seed" not in source  # DataLoader uses torch's
    assert "from torch.utils.data import DataLoader, TensorDataset" in source


@pytest.mark.parametrize("seed", [0, 3])
def test_same_data_as_the_from_scratch_page(runs, seed):
    ns, _ = runs[seed]
    torch.manual_seed(seed)  # what snippets/scratch.py does before generating its data
    features, labels = ns["synthetic_data"](ns["true_w"], ns["true_b"], 1000)
    assert torch.equal(ns["features"], features) and torch.equal(ns["labels"], labels)


def test_dataloader_batches(runs):
    ns, out = runs[0]
    assert "one minibatch: torch.Size([10, 2]) torch.Size([10, 1])" in out["data"]
    assert "minibatches per epoch: 100" in out["data"]
    seen = sorted(x for X, _ in ns["train_loader"] for x in X[:, 0].tolist())
    assert seen == sorted(ns["features"][:, 0].tolist())  # every example once per epoch
    first = [next(iter(ns["train_loader"]))[0][0, 0].item() for _ in range(3)]
    assert len(set(first)) == 3  # shuffle=True: a new order at every pass


def test_layer_shapes_and_lazy_linear(runs):
    ns, out = runs[0]
    assert "weight: torch.Size([1, 2]) bias: torch.Size([1])" in out["model"]
    assert "cannot be multiplied (10x2 and 3x1)" in out["shapes"]
    assert "before the first call: LazyLinear(in_features=0, out_features=1" in out["shapes"]
    assert "after the first call:  Linear(in_features=2, out_features=1" in out["shapes"]
    assert ns["lazy"].weight.shape == (1, 2)


def initial_weights(text):
    numbers = re.search(r"weight: tensor\(\[\[(.*?)\]\]\)", text)[1]
    return [float(x) for x in numbers.split(",")]


def test_initialisation(runs):
    for _, out in runs.values():
        assert "bias: tensor([0.])" in out["init"]
    weights = torch.tensor([w for _, out in runs.values() for w in initial_weights(out["init"])])
    assert weights.abs().max() < 0.05 and 0.004 < weights.std() < 0.02  # drawn from N(0, 0.01²)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mse_gradient_is_twice_the_from_scratch_gradient(runs, seed):
    ns, out = runs[seed]
    assert torch.allclose(ns["g_mse"], 2 * ns["g_scratch"], rtol=1e-5, atol=1e-7)
    assert "ratio:         tensor([2.0000, 2.0000, 2.0000])" in out["factor2"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sum_reduction_multiplies_the_gradient_by_the_batch_size(runs, seed):
    ns, out = runs[seed]
    assert torch.allclose(ns["g_sum"], ns["batch_size"] * ns["g_mse"], rtol=1e-5, atol=1e-7)
    assert "tensor([10.0000, 10.0000, 10.0000])" in out["reduction"]


def test_sum_reduction_with_lr_over_batch_size_takes_the_same_step(runs):
    """What the page concludes from the factor: lr / batch_size with 'sum' = lr with 'mean'."""
    ns, _ = runs[0]
    X, y = ns["features"][:10], ns["labels"][:10]
    steps = []
    for reduction, lr in [("mean", 0.03), ("sum", 0.03 / 10), ("sum", 0.03)]:
        torch.manual_seed(0)
        net = torch.nn.Linear(2, 1)
        start = net.weight.detach().clone()
        optimizer = torch.optim.SGD(net.parameters(), lr=lr)
        torch.nn.MSELoss(reduction=reduction)(net(X), y).backward()
        optimizer.step()
        steps.append(net.weight.detach() - start)
    assert torch.allclose(steps[0], steps[1], rtol=1e-4)
    assert torch.allclose(steps[2], 10 * steps[0], rtol=1e-4)


@pytest.mark.parametrize("seed", SEEDS)
def test_loss_settles_near_the_noise_variance(runs, seed):
    _, out = runs[seed]
    losses = [float(x) for x in re.findall(r"loss ([0-9.]+)", out["train"])]
    assert len(losses) == 3 and losses[0] > losses[-1]
    # nn.MSELoss has no ½: the floor is σ² = 1e-4, twice the from-scratch page's ½σ².
    assert 7e-5 < losses[-1] < 1.5e-4


def test_grad_is_the_last_minibatch_gradient_and_zero_grad_sets_none(runs):
    ns, out = runs[0]
    assert ns["net"][0].weight.grad is None and ns["net"][0].bias.grad is None
    assert "after zero_grad(): None" in out["params"]
    assert out["params"].count("grad: tensor(") == 2  # before zero_grad there was a gradient


def test_same_seed_same_numbers(runs):
    assert run_snippet("concise", 0)[1] == runs[0][1]


def test_the_whole_program_block_runs_and_prints_the_page_numbers():
    """The fold 'the whole program in one block': its includes, joined as the page shows them, are a
    program that runs on its own and prints the numbers of the sections above."""
    import contextlib
    import io

    from linreg_build.sections import section_code

    for lang in ("en", "zh"):
        page = (ROOT / f"docs/{lang}/concise.md").read_text(encoding="utf-8")
        block = page.split('title="snippets/data.py + snippets/concise.py"')[1].split("```")[0]
        targets = re.findall(r'--8<-- "([^"]+)"', block)
        assert targets[:3] == ["concise.py:imports", "data.py:synthetic_data", "data.py:true_params"]
        assert "concise.py:train" in targets and "concise.py:errors" in targets
    program = "\n\n".join(section_code(t) for t in targets)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(program, "whole_program.py", "exec"), {"__name__": "whole_program"})
    _, out = run_snippet("concise", 0)
    assert out["train"] in printed.getvalue() and out["errors"] in printed.getvalue()
    assert out["predict"] in printed.getvalue()
