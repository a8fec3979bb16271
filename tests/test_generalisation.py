"""snippets/generalisation.py: what the generalisation page claims, at several seeds."""
import math
import re

import pytest
import torch

from conftest import numbers, run_snippet

SEEDS = range(5)
SIGMA = 0.01       # noise of snippets/data.py
SIGMA_POLY = 0.2   # noise of the polynomial example


@pytest.fixture(scope="module")
def runs():
    return {seed: run_snippet("generalisation", seed) for seed in SEEDS}


def test_split_is_600_200_200_and_disjoint(runs):
    ns, out = runs[0]
    assert "training: torch.Size([600, 2]) validation: torch.Size([200, 2]) test: torch.Size([200, 2])" \
        in out["split"]
    used = torch.cat([ns["train_idx"], ns["val_idx"], ns["test_idx"]])
    assert torch.equal(used.sort().values, torch.arange(1000))


@pytest.mark.parametrize("seed", SEEDS)
def test_validation_mse_settles_at_the_noise_variance(runs, seed):
    ns, out = runs[seed]
    train = numbers(out["fit_linear"], "training MSE")
    val = numbers(out["fit_linear"], "validation MSE")
    assert len(train) == len(val) == 5
    # From the second epoch on, both errors sit near σ² (200 validation examples: about ±10 %).
    for mse in train[1:] + val[1:]:
        assert 0.6 * SIGMA ** 2 < mse < 1.6 * SIGMA ** 2
    assert val[0] > 10 * SIGMA ** 2  # the first epoch starts far above it
    assert numbers(out["fit_linear"], "validation MSE / σ² =") == [round(ns["val_mse"] / SIGMA ** 2, 2)]
    assert numbers(out["fit_linear"], "training MSE / σ² =") == [round(ns["train_mse"] / SIGMA ** 2, 2)]
    assert abs(ns["train_mse"] - ns["val_mse"]) < 0.5 * SIGMA ** 2  # "almost the same"


def poly_errors(out):
    train = numbers(out["poly_fit"], "training MSE")
    val = numbers(out["poly_fit"], "validation MSE")
    return dict(zip((1, 3, 15), train)), dict(zip((1, 3, 15), val))


@pytest.mark.parametrize("seed", SEEDS)
def test_degree_15_overfits_and_degree_1_underfits(runs, seed):
    _, out = runs[seed]
    train, val = poly_errors(out)
    assert train[15] < train[3] < train[1]          # training error lowest at degree 15
    assert val[15] > max(val[1], val[3])            # validation error above the low degrees
    assert val[3] < val[1]
    assert train[1] > 2 * SIGMA_POLY ** 2 and val[1] > 2 * SIGMA_POLY ** 2  # underfitting: both high
    assert 0.3 * SIGMA_POLY ** 2 < train[3] < 2 * SIGMA_POLY ** 2           # degree 3: near σ²
    assert 0.5 * SIGMA_POLY ** 2 < val[3] < 2.5 * SIGMA_POLY ** 2


@pytest.mark.parametrize("seed", SEEDS)
def test_over_20_draws_training_error_falls_and_validation_error_is_u_shaped(runs, seed):
    ns, out = runs[seed]
    errors, median = ns["errors"], ns["median"]
    train, val = errors[..., 0], errors[..., 1]
    # Nested least-squares models: the training error never rises with the degree, in every draw.
    assert (train[:, 1:] <= train[:, :-1] * (1 + 1e-9)).all()
    assert (median[2:, 0] < SIGMA_POLY ** 2).all()  # below the noise from degree 3 on
    assert median[-1, 0] < 0.5 * SIGMA_POLY ** 2  # far below the noise at degree 15
    best = int(median[:, 1].argmin()) + 1
    assert best in (3, 4, 5)
    assert median[-1, 1] > 100 * median[best - 1, 1]
    above = int((val[:, -1] > val[:, [0, 2]].max(dim=1).values).sum())
    assert above >= 18
    assert f"in {above} of 20 draws" in out["degrees"]


@pytest.mark.parametrize("seed", SEEDS)
def test_ridge_matrix_is_invertible_where_least_squares_is_not(runs, seed):
    _, out = runs[seed]
    assert "A: (10, 16)  rank of A (and of AᵀA): 10" in out["invertible"]
    assert "rank of AᵀA + nλI': 16 of 16" in out["invertible"]


@pytest.mark.parametrize("seed", SEEDS)
def test_shifting_the_labels_shifts_the_predictions_only_without_bias_decay(runs, seed):
    _, out = runs[seed]
    free, decayed = out["bias"].strip().splitlines()
    assert "bias not decayed" in free and numbers(free, "move by") == [100.0] and " to 100.000000" in free
    low, high = numbers(decayed, "move by")[0], numbers(decayed, " to")[0]
    assert high - low > 0.1 and min(abs(low - 100), abs(high - 100)) > 0.01


def test_closed_form_solves_the_penalised_normal_equation(runs):
    ns, _ = runs[0]
    x, y = ns["train_set"]
    A = ns["augment"](ns["powers"](x, 15))
    theta = ns["ridge"](ns["train_set"], 15, 1e-2)
    # The gradient of ½-loss + (λ/2)|w|² vanishes there, and the bias is not in the penalty.
    gradient = A.T @ (A @ theta - y) / len(A) + 1e-2 * torch.cat([theta[:-1], torch.zeros(1, dtype=theta.dtype)])
    assert gradient.abs().max() < 1e-10


@pytest.mark.parametrize("seed", SEEDS)
def test_sgd_with_weight_decay_agrees_with_the_closed_form(runs, seed):
    ns, out = runs[seed]
    distance = (ns["theta_gd"] - ns["theta_ridge"]).norm().item()
    # Justified tolerance: the contraction bound (1 - μ_min/μ_max)^t |θ_ridge| of full-batch GD with
    # η = 1/μ_max, plus float64 rounding.
    assert distance <= ns["bound"].item() + 1e-12
    assert distance < 1e-8 * ns["theta_ridge"].norm().item()  # what the page says
    assert abs(ns["mu"][0].item() - 1e-2) < 1e-6  # μ_min is almost exactly λ = 1e-2
    A = ns["augment"](ns["powers"](ns["train_set"][0], 15))
    assert torch.linalg.eigvalsh(A.T @ A / len(A))[0] < 1e-6  # nearly collinear powers
    assert f"|θ_GD - θ_ridge| = {distance:.1e}" in out["gd"]


@pytest.mark.parametrize("seed", SEEDS)
def test_lambda_is_chosen_on_validation_and_the_test_error_is_near_the_noise(runs, seed):
    ns, out = runs[seed]
    rows = [line.split() for line in out["choose"].splitlines()[1:9]]
    lams = [float(row[0]) for row in rows]
    train = [float(row[1]) for row in rows]
    val = [float(row[2]) for row in rows]
    assert lams == ns["lams"]
    assert ns["best_lam"] > 0 and val[lams.index(ns["best_lam"])] == min(val)
    assert val[1] < val[0] / 10                    # a tiny penalty already helps a lot
    assert all(a <= b for a, b in zip(train, train[1:]))  # training error rises with λ
    assert val[-1] > 3 * min(val) and train[-1] > 5 * SIGMA_POLY ** 2  # λ = 1 underfits
    test_mse = numbers(out["choose"], "computed once:")[0]
    assert 0.5 * SIGMA_POLY ** 2 < test_mse < 3 * SIGMA_POLY ** 2
    assert out["choose"].count("test MSE") == 1


@pytest.mark.parametrize("seed", SEEDS)
def test_raw_features_diverge_and_standardised_ones_train(runs, seed):
    ns, out = runs[seed]
    raw = numbers(out["raw_sgd"], "training MSE")
    assert len(raw) == 1 and (math.isnan(raw[0]) or raw[0] > 1e6)
    val = numbers(out["pipeline"], "validation MSE")
    assert 0.6 * SIGMA ** 2 < val[-1] < 1.6 * SIGMA ** 2
    test_mse = numbers(out["pipeline"], "computed once:")[0]
    assert 0.6 * SIGMA ** 2 < test_mse < 1.6 * SIGMA ** 2


@pytest.mark.parametrize("seed", SEEDS)
def test_statistics_come_from_the_training_set_only(runs, seed):
    ns, _ = runs[seed]
    assert torch.equal(ns["mean"], ns["raw_train"].mean(dim=0))
    assert torch.equal(ns["std"], ns["raw_train"].std(dim=0))
    z = ns["standardise"](ns["raw_val"])
    # Close to mean 0 and standard deviation 1 on the validation set, but not exactly.
    assert (z.mean(dim=0).abs() < 0.2).all() and (z.mean(dim=0) != 0).all()
    assert ((z.std(dim=0) - 1).abs() < 0.2).all() and (z.std(dim=0) != 1).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_predictions_on_new_inputs_are_within_the_noise(runs, seed):
    ns, out = runs[seed]
    new = ns["new"]
    predictions = ns["predict"](new)
    with torch.no_grad():
        assert torch.equal(predictions, ns["net"]((new - ns["mean"]) / ns["std"]).reshape(-1))
    truth = ((new - torch.tensor([100.0, 10.0])) / torch.tensor([30.0, 5.0])) @ ns["true_w"] + ns["true_b"]
    assert torch.allclose(ns["true_f"](new), truth)
    assert (predictions - truth).abs().max() < SIGMA
    assert len(out["predict"].strip().splitlines()) == 1 + len(new)


def test_same_seed_same_numbers(runs):
    assert run_snippet("generalisation", 0)[1] == runs[0][1]


def test_figures_are_saved(runs, figures_to_tmp):
    for name in ("generalisation_fits", "generalisation_degrees"):
        assert (figures_to_tmp / f"{name}.png").stat().st_size > 5000


@pytest.mark.parametrize("seed", SEEDS)
def test_chance_scatter_and_training_optimism_are_printed_right(runs, seed):
    ns, out = runs[seed]
    # the scatter of a mean of m squared N(0, σ²) values is σ²·√(2/m): check by simulation
    m = len(ns["X_val"])
    assert f"chance scatter of a {m}-example MSE: ±{(2 / m) ** 0.5:.0%} of σ²" in out["fit_linear"]
    generator = torch.Generator().manual_seed(seed)
    means = (torch.randn(20000, 100, generator=generator, dtype=torch.float64) * 0.2).pow(2).mean(dim=1)
    scatter = numbers(out["choose"], "chance scatter of a 100-point MSE: ±")[0]
    assert abs(means.std().item() - scatter) < 0.0003
    # E[training MSE] = σ²(1 − p/n) for the correct degree 3 (p = 4, n = 20): simulate the fits
    expected = numbers(out["degrees"], "σ²(1 − 4/20) =")[0]
    torch.manual_seed(1000 + seed)
    fits = []
    for _ in range(2000):
        draw = ns["sample"](20)
        fits.append(ns["mse"](ns["fit_ls"](draw, 3), draw, 3))
    assert abs(sum(fits) / len(fits) - expected) < 0.0015
    # and the page's point: the median training MSE at degrees 2 and 3 is below σ² already
    rows = {int(line.split()[0]): float(line.split()[1])
            for line in out["degrees"].splitlines()[1:9]}
    assert rows[3] < SIGMA_POLY ** 2 and rows[1] > SIGMA_POLY ** 2
    if seed == 0:  # the page: "from degree 2 or 3 on"
        assert rows[2] < SIGMA_POLY ** 2


def test_pages_quote_the_printed_numbers(runs):
    from conftest import DOCS
    _, out = runs[0]
    test_mse = numbers(out["choose"], "computed once:")[0]
    scatter = numbers(out["choose"], "chance scatter of a 100-point MSE: ±")[0]
    relative = re.search(r"200-example MSE: ±(\d+)%", out["fit_linear"])[1]
    for lang in ("en", "zh"):
        page = (DOCS / lang / "generalisation.md").read_text(encoding="utf-8")
        assert f"{test_mse:.4f}" in page and f"{scatter:.4f}" in page
        assert re.search(rf"\b{relative} ?%", page)
        assert "\\lambda_{\\max}" not in page and "\\lambda_{\\min}" not in page  # λ: the ridge strength only
