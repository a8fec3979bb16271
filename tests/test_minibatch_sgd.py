"""snippets/minibatch_sgd.py: what the minibatch-SGD page claims, at several seeds."""
import math
import re

import pytest
import torch

from conftest import numbers, run_snippet

SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def runs():
    return {seed: run_snippet("minibatch_sgd", seed) for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
def test_the_notation_ones_on_the_right_and_theta_ls(runs, seed):
    ns, out = runs[seed]
    A, y, theta_ls = ns["A"], ns["y"], ns["theta_ls"]
    assert torch.equal(A[:, -1], torch.ones(len(A), dtype=torch.float64))   # A = [X, 1]
    assert torch.allclose(A.T @ A @ theta_ls, A.T @ y, atol=1e-9)            # the LS solution
    assert (theta_ls[:, 0] - torch.tensor([2.0, -3.4, 4.2], dtype=torch.float64)).abs().max() < 2e-3
    assert out["data"].startswith("least squares θ_LS (w1, w2, b): [")


@pytest.mark.parametrize("seed", SEEDS)
def test_minibatch_gradient_is_unbiased(runs, seed):
    ns, out = runs[seed]
    for g in (ns["g10"], ns["g100"]):
        standard_error = g.std(dim=0) / math.sqrt(len(g))
        # The mean of many minibatch gradients is the full gradient, up to sampling error:
        # "no more than about two standard errors".
        assert ((g.mean(dim=0) - ns["full"]).abs() < 2.5 * standard_error).all()
    z = [float(v) for v in re.search(r"difference / standard error: +\[(.*)\]", out["spread"])[1].split(",")]
    assert len(z) == 3 and max(abs(v) for v in z) < 2.5
    # One minibatch of 10 is noticeably off: its spread is a sizeable part of the gradient.
    assert (ns["g10"].std(dim=0).norm() > 0.3 * ns["full"].norm())
    # Each minibatch holds distinct examples, drawn with randperm.
    torch.manual_seed(seed)
    batch = torch.randperm(ns["n"])[:10]
    assert len(set(batch.tolist())) == 10


@pytest.mark.parametrize("seed", SEEDS)
def test_spread_shrinks_like_one_over_root_batch_size(runs, seed):
    ns, _ = runs[seed]
    ratio = ns["g10"].std(dim=0) / ns["g100"].std(dim=0)
    # √10 ≈ 3.16, times √(990/900) ≈ 1.05 for drawing without replacement from 1000 examples
    assert ((2.8 < ratio) & (ratio < 3.9)).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_same_work_many_small_steps_win(runs, seed):
    ns, out = runs[seed]
    assert len(ns["full_step"]) == 2 and len(ns["small_steps"]) == 101  # 1 step vs 100 steps
    L = ns["loss"]
    full, small = L(ns["A"], ns["y"], ns["full_step"][-1]), L(ns["A"], ns["y"], ns["small_steps"][-1])
    assert small < full / 50
    assert "  1 step  with |B| = 1000" in out["budget"] and "100 steps with |B| = 10" in out["budget"]


@pytest.mark.parametrize("seed", SEEDS)
def test_learning_rate_3_diverges_and_the_others_do_not(runs, seed):
    ns, out = runs[seed]
    final = {lr: ns["curves"][lr][-1].item() for lr in ns["lrs"]}
    L0 = ns["L0"]
    assert not final[3] < 1e6  # blows up (or overflows to inf/nan)
    assert "smallest learning rate that diverges: 3" in out["lr_scan"]
    for lr in (0.03, 0.1, 0.3, 1):
        assert final[lr] < 3e-4, lr  # at the noise level, ½σ² = 5e-5, within a few times
    for lr in (0.001, 0.003):
        assert 0.1 < final[lr] < L0, lr  # going down, but too slowly to get there in 3 epochs
    curve = ns["curves"][0.003]
    assert (curve[1:] < curve[:-1]).float().mean() > 0.9  # small steps: "almost all the way down"
    assert final[3] > 1e100                                # "absurdly large" after 3 epochs (float64)
    assert out["lr_scan"].count("diverges") == 2  # the line for lr 3 and the summary line
    assert 1 < 2 / ns["mu_max"] < 3  # the full-batch limit lies between the last good and the bad lr


@pytest.mark.parametrize("seed", SEEDS)
def test_larger_learning_rates_arrive_sooner_and_jitter_more(runs, seed):
    ns, _ = runs[seed]
    curves = ns["curves"]
    arrival = [int((curves[lr] < 2e-4).nonzero()[0]) for lr in (0.03, 0.1, 0.3, 1)]
    assert arrival == sorted(arrival, reverse=True) and arrival[0] > arrival[-1]
    jitter = [(curves[lr][-100:] - curves[lr][-100:].min()).mean().item() for lr in (0.1, 0.3, 1)]
    assert jitter[0] < jitter[1] < jitter[2]


@pytest.mark.parametrize("seed", SEEDS)
def test_paths_smaller_batches_wander_more(runs, seed):
    ns, _ = runs[seed]
    paths, n = ns["paths"], ns["n"]
    assert all(len(p) == 41 for p in paths.values())
    gd = paths[n]
    off = {size: (paths[size] - gd).norm(dim=1).mean().item() for size in (100, 10)}
    assert off[10] > 2 * off[100]
    assert off[100] < 0.05  # |B| = 100 stays close to full-batch descent (the plot spans several units)
    for p in paths.values():  # all three head for the optimum
        start, end = (p[[0, -1], :, 0] - ns["theta_ls"][:2, 0]).norm(dim=1)
        assert end < 0.1 * start


@pytest.mark.parametrize("seed", SEEDS)
def test_noise_floor(runs, seed):
    ns, out = runs[seed]
    rms = {lr: t.norm(dim=1).pow(2).mean().sqrt().item() for lr, t in ns["tails"].items()}
    centre = {lr: t.mean(dim=0).norm().item() for lr, t in ns["tails"].items()}
    assert rms[0.03] > 1e-4                    # started at θ_LS, SGD does not stay there
    assert rms[0.003] < rms[0.03] / 2          # a smaller η jitters less
    for lr in rms:
        assert centre[lr] < rms[lr] / 3        # the jitter is centred on θ_LS
    # With η = 0.03 the jitter is of the same order as θ_LS's own distance from the truth.
    truth = torch.tensor([*ns["true_w"].tolist(), ns["true_b"]], dtype=torch.float64)
    assert torch.equal(ns["theta_true"][:, 0], truth)
    ratio = rms[0.03] / (ns["theta_ls"][:, 0] - truth).norm().item()
    assert 0.2 < ratio < 5
    assert "θ_LS is" in out["noise_scale"] and "from θ_true" in out["noise_scale"]
    assert len(re.findall(r"RMS distance", out["noise_floor"])) == 2


@pytest.mark.parametrize("seed", SEEDS)
def test_schedule_gets_both_speed_and_precision(runs, seed):
    ns, _ = runs[seed]
    rms = ns["rms_at_the_end"]
    large, small, decayed = rms(ns["fixed_large"]), rms(ns["fixed_small"]), rms(ns["decayed"])
    assert small > 10 * large     # a small η alone is still far away after 15 epochs
    assert decayed < 0.5 * large  # dropping η later lowers the noise floor


def test_same_seed_same_numbers_and_the_figures(runs, figures_to_tmp):
    assert run_snippet("minibatch_sgd", 0)[1] == runs[0][1]
    for name in ("lr", "paths", "jitter"):
        size = (figures_to_tmp / f"minibatch_sgd_{name}.png").stat().st_size
        assert 5_000 < size < 200_000


def test_no_theta_star_and_every_lstsq_names_its_driver():
    from conftest import ROOT
    source = (ROOT / "snippets/minibatch_sgd.py").read_text(encoding="utf-8")
    assert "theta_star" not in source and "θ*" not in source
    calls = re.findall(r"torch\.linalg\.lstsq\(([^\n]*)", source)
    assert calls and all("driver=" in call for call in calls)


def test_the_function_is_shown_before_it_is_used():
    from conftest import DOCS
    for lang in ("zh", "en"):
        page = (DOCS / lang / "minibatch_sgd.md").read_text(encoding="utf-8")
        assert page.index('"minibatch_sgd.py:sgd"') < page.index('"minibatch_sgd.py:budget"')


@pytest.mark.parametrize("seed", SEEDS)
def test_jitter_rule_of_thumb(runs, seed):
    """Independent draws jitter about as the rule σ√(η(d+1)/(2|B|)) says; one shuffle per epoch
    jitters less, and much less at the small learning rate."""
    ns, out = runs[seed]
    rows = {}
    for line in out["jitter_rule"].splitlines():
        lr = float(re.match(r"lr ([0-9.]+):", line)[1])
        rows[lr] = (numbers(line, "rule of thumb")[0], numbers(line, "independent draws")[0],
                    numbers(line, "one shuffle per epoch")[0])
    assert list(rows) == [0.03, 0.003]
    for lr, (rule, independent, shuffled) in rows.items():
        assert rule == float(f"{0.01 * (lr * 3 / 20) ** 0.5:.1e}")
        assert 0.7 < independent / rule < 1.3          # "the rule fits"
        assert shuffled < independent                  # "shuffling once per epoch jitters less"
        rms = ns["tails"][lr].norm(dim=1).pow(2).mean().sqrt().item()
        assert shuffled == float(f"{rms:.1e}")         # the same runs as the noise_floor section
    assert rows[0.003][2] < rows[0.003][1] / 2         # "much less at the small learning rate"
    assert rows[0.003][1] / rows[0.003][2] > rows[0.03][1] / rows[0.03][2]

