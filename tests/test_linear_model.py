"""snippets/linear_model.py: one example at a time equals one matrix product; the noise is what is left."""
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


@pytest.mark.parametrize("seed", SEEDS)
def test_true_parameters_leave_exactly_the_noise(runs, seed):
    ns, out = runs[seed]
    leftover = ns["leftover"]
    # The page: the leftover is the noise, mean about 0 and standard deviation about σ = 0.01.
    assert abs(leftover.std().item() - 0.01) < 0.0015
    assert abs(leftover.mean().item()) < 0.002
    assert re.search(r"std 0\.0(09|10)\d", out["noise"])


def test_same_seed_same_numbers():
    assert run_snippet("linear_model", 2)[1] == run_snippet("linear_model", 2)[1]


def test_figure_is_saved(figures_to_tmp):
    run_snippet("linear_model")
    assert (figures_to_tmp / "linear_model_noise.png").stat().st_size > 5000
