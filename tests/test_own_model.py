"""snippets/own_model.py: what the page "Training your own model" claims, at several seeds; scikit-learn
checks the penalty conventions, ridge, the lasso and K-fold cross-validation independently."""
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn.linear_model import Lasso, Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, cross_val_score

from conftest import numbers, run_snippet
from linreg_build.sections import section_code

SEEDS = range(3)
SIGMA = 2.0  # the noise of the 25-feature problem


@pytest.fixture(scope="module")
def runs():
    runs = {seed: run_snippet("own_model", seed) for seed in SEEDS}
    yield runs
    for ns, _ in runs.values():  # the temporary folder each run saved its model in
        shutil.rmtree(ns["path"].parent, ignore_errors=True)


def table(text, first_line=1):
    """The rows of a printed table, split on whitespace."""
    return [line.split() for line in text.strip().splitlines()[first_line:]]


# ---------------------------------------------------------------- 1. when to stop

@pytest.mark.parametrize("seed", SEEDS)
def test_validation_error_turns_up_while_training_error_falls(runs, seed):
    ns, out = runs[seed]
    train, val = ns["history"][:, 0], ns["history"][:, 1]
    assert (train[1:] <= train[:-1]).all()            # full-batch GD: the training error only falls
    best = ns["best_epoch"]
    assert 5 <= best <= 100
    assert val[-1] > 1.2 * val.min()                  # and the validation error has turned up
    assert (val[best:] >= val[best - 1:-1]).all()      # and rises for the rest of the run
    assert train[-1] < SIGMA ** 2 < val.min()  # below the noise on training data only
    assert "<- lowest validation MSE" in out["curve"]


@pytest.mark.parametrize("seed", SEEDS)
def test_each_stopping_rule_stops_where_the_page_says(runs, seed):
    ns, out = runs[seed]
    rules, best = ns["rules"], ns["best_epoch"]
    assert rules["a fixed number of epochs (300)"] == 300
    assert rules["training MSE below 0.1"] == 300     # never reached: the rule runs to the budget
    assert ns["history"][:, 0].min() > 0.1
    assert rules["training MSE improves by < 0.5 %"] != best  # knows nothing of the validation error
    patience = rules["no new best validation MSE in 20 epochs"]
    assert patience == best + 20
    val = ns["history"][:, 1]
    for epoch in rules.values():
        assert val[epoch - 1] >= val.min()


@pytest.mark.parametrize("seed", SEEDS)
def test_early_stopping_keeps_the_best_epoch(runs, seed):
    ns, out = runs[seed]
    assert ns["kept"] == ns["best_epoch"] and ns["stopped"] == ns["best_epoch"] + 20
    assert ns["mse"](ns["early_net"], ns["X_val"], ns["y_val"]) == pytest.approx(ns["history"][:, 1].min().item(), rel=1e-5)
    assert ns["last_val"] > ns["history"][:, 1].min()
    # the early-stopped model beats least squares (where training would end) on the test set
    theta_ls = ns["ridge"](ns["X_train"].double(), ns["y_train"].double(), 0.0)
    ls_test = ns["mse_theta"](theta_ls, ns["X_test"].double(), ns["y_test"].double())
    assert numbers(out["early_stopping"], "computed once:")[0] < ls_test


# ---------------------------------------------------------------- 2. optimisers and weight decay

@pytest.mark.parametrize("seed", SEEDS)
def test_momentum_and_adam_reach_the_noise_level_plain_sgd_does_not(runs, seed):
    _, out = runs[seed]
    rows = {line[:32].strip(): [float(v) for v in line[32:].split()] for line in out["optimisers"].splitlines()[1:5]}
    noise = 0.01 ** 2 / 2
    assert rows["SGD, lr 0.009"][-1] > 100 * noise
    for name in ("SGD + momentum 0.9, lr 0.009", "Adam, lr 0.1", "SGD, lr 0.5, standard units"):
        assert rows[name][-1] < 1.2 * noise
        assert rows[name][1] < rows["SGD, lr 0.009"][1] / 100
    assert numbers(out["optimisers"], "2/μ_max =")[0] > 0.009


def test_parameter_groups_decay_the_weight_only(runs):
    _, out = runs[0]
    assert out["param_groups"].splitlines() == ["shapes [(1, 2)] weight_decay 0.5 lr 0.1",
                                                "shapes [(1,)] weight_decay 0.0 lr 0.1"]


@pytest.mark.parametrize("seed", SEEDS)
def test_adam_weight_decay_ends_at_ridge_adamw_elsewhere(runs, seed):
    ns, out = runs[seed]
    X, y, lam = ns["X_small"], ns["y_small"], ns["lam_decay"]
    # our ridge is scikit-learn's Ridge with alpha = nλ (summed loss)
    reference = Ridge(alpha=len(X) * lam).fit(X.numpy(), y.numpy().ravel())
    assert np.allclose(ns["theta_ridge"][:-1].numpy(), reference.coef_, atol=1e-10)
    assert ns["theta_ridge"][-1].item() == pytest.approx(reference.intercept_, abs=1e-10)
    ends = {}
    for line in out["adam_adamw"].splitlines()[3:]:
        name, values = line[:22].strip(), [float(v) for v in line[22:].split()]
        ends[name] = values
    assert set(ends) == {"Adam, lr 0.2", "Adam, lr 0.1", "AdamW, lr 0.2", "AdamW, lr 0.1"}
    for lr in (0.2, 0.1):
        assert ends[f"Adam, lr {lr}"][3] < 1e-3
        assert ends[f"AdamW, lr {lr}"][3] > 0.1
    adamw = [torch.tensor(ends[f"AdamW, lr {lr}"][:3]) for lr in (0.2, 0.1)]
    assert (adamw[0] - adamw[1]).norm() > 0.02  # AdamW's end point depends on the learning rate


@pytest.mark.parametrize("seed", SEEDS)
def test_weight_decay_for_each_convention_reaches_its_closed_form(runs, seed):
    ns, out = runs[seed]
    lines = out["conventions"].splitlines()[1:]
    assert len(lines) == 3
    for line in lines:
        assert numbers(line, "θ_closed form| =")[0] < 1e-10
    assert numbers(lines[0], "weight_decay =") == [0.2]
    assert numbers(lines[1], "weight_decay =") == numbers(lines[2], "weight_decay =") == [0.004]
    # scikit-learn's Ridge(alpha=λ) minimises Σr² + λ|w|²: the third convention
    X, y = ns["X_c"], ns["y_c"]
    reference = Ridge(alpha=ns["lam_book"]).fit(X.numpy(), y.numpy().ravel())
    theta = ns["solve_convention"](X, y, 1.0, ns["lam_book"])
    assert np.allclose(theta[:-1].numpy(), reference.coef_, atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_schedule_keeps_the_end_point_weight_decay_moves_it(runs, seed):
    _, out = runs[seed]
    rows = {line[:34].strip(): [float(v) for v in line[34:].split()] for line in out["schedule"].splitlines()[1:]}
    for name in ("constant lr 0.05", "lr × 0.1 every 5 epochs"):
        to_ls, to_ridge = rows[name]
        assert to_ls < 0.1 < 1 < to_ridge
    to_ls, to_ridge = rows["constant lr, weight_decay 0.5"]
    assert to_ridge < 0.15 < 1 < to_ls


# ---------------------------------------------------------------- 3. more on generalisation

@pytest.mark.parametrize("seed", SEEDS)
def test_learning_curve(runs, seed):
    ns, _ = runs[seed]
    curve = ns["curve"]
    assert (curve[1:, 0] > curve[:-1, 0]).all()  # training error rises with n
    assert (curve[1:, 1] < curve[:-1, 1]).all()  # validation error falls
    assert curve[0, 1] > 3 * SIGMA ** 2 and curve[0, 0] < 0.25 * SIGMA ** 2
    assert abs(curve[-1, 0] / SIGMA ** 2 - 1) < 0.15 and abs(curve[-1, 1] / SIGMA ** 2 - 1) < 0.15


@pytest.mark.parametrize("seed", SEEDS)
def test_ridge_shrinks_the_weights(runs, seed):
    _, out = runs[seed]
    rows = [[float(v) for v in row] for row in table(out["ridge_path"])]
    norms, train, val = [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]
    assert all(a > b for a, b in zip(norms, norms[1:]))
    assert all(a <= b for a, b in zip(train, train[1:]))
    assert val.index(min(val)) not in (0, len(val) - 1)  # falls, then rises again


@pytest.mark.parametrize("seed", SEEDS)
def test_l1_sets_weights_to_zero_and_agrees_with_scikit_learn(runs, seed):
    ns, out = runs[seed]
    w1 = ns["theta_l1"][:-1]
    assert (w1 == 0).sum() >= 12 and (ns["theta_l2"][:-1] != 0).all()
    assert (w1[:2] != 0).all()  # the two features that matter stay
    val = numbers(out["l1_l2"], "validation MSE")
    assert val[0] < val[1]  # most features are useless here: L1 validates better
    # Lasso minimises (1/2n)|y - Xw - b|² + α|w|₁: the same objective
    X, y = ns["X_train"].double().numpy(), ns["y_train"].double().numpy().ravel()
    reference = Lasso(alpha=0.3, tol=1e-8, max_iter=1_000_000).fit(X, y)
    assert np.allclose(w1.numpy(), reference.coef_, atol=1e-5)
    assert ((w1 == 0).numpy() == (reference.coef_ == 0)).all()
    assert f"weights exactly 0: {(w1 == 0).sum().item():2d} of 25" in out["l1_l2"]


@pytest.mark.parametrize("seed", SEEDS)
def test_map_with_a_gaussian_prior_is_ridge(runs, seed):
    ns, out = runs[seed]
    assert ns["lam_map"] == pytest.approx(SIGMA ** 2 / 30)
    assert numbers(out["map"], "θ_ridge(λ)| =")[0] < 1e-3


@pytest.mark.parametrize("seed", SEEDS)
def test_k_fold_agrees_with_scikit_learn(runs, seed):
    ns, out = runs[seed]
    X, y = ns["X_train"].double().numpy(), ns["y_train"].double().numpy().ravel()
    for lam, ours in zip(ns["cv_lams"], ns["cv"]):
        # the training part of each fold has 24 examples: alpha = 24λ for our (1/n)Σ½r² + (λ/2)|w|²
        scores = cross_val_score(Ridge(alpha=24 * lam), X, y, cv=KFold(5), scoring="neg_mean_squared_error")
        assert -scores.mean() == pytest.approx(ours, rel=1e-5)  # our data are float32
    chosen = numbers(out["kfold"], "by 5-fold CV")[0]
    assert chosen == ns["cv_lams"][ns["cv"].index(min(ns["cv"]))]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_validation_chosen_lambda_is_optimistic(runs, seed):
    ns, _ = runs[seed]
    chosen, fixed = ns["chosen"], ns["fixed"]
    optimism = chosen[1] - chosen[0]
    assert optimism > 0.1 * SIGMA ** 2
    assert abs(fixed[1] - fixed[0]) < optimism / 2


@pytest.mark.parametrize("seed", SEEDS)
def test_the_largest_stable_learning_rate_does_not_grow_with_the_batch(runs, seed):
    ns, out = runs[seed]
    ceiling = 2 / ns["lam_max"]
    found = numbers(out["stable_lr"], "largest stable lr")
    assert len(found) == 3
    assert all(0.85 * ceiling < lr < 1.1 * ceiling for lr in found)
    assert max(found) / min(found) < 1.2  # 100 times the batch: not 100 times the learning rate
    assert found[2] <= ceiling < found[2] + 0.05  # full batch: the largest grid value below 2/μ_max


# ---------------------------------------------------------------- 4. scaling and reading the fit

@pytest.mark.parametrize("seed", SEEDS)
def test_one_wild_value_squeezes_min_max_most(runs, seed):
    _, out = runs[seed]
    rows = {row[0]: [float(v) for v in row[1:]] for row in table(out["scalings"])[:3]}
    spread, wild, ratio = ({name: values[i] for name, values in rows.items()} for i in range(3))
    assert spread["min-max"] < 0.01 < spread["z-score"] < 0.1 < 0.5 < spread["median/IQR"]
    assert wild["min-max"] == 1 and wild["z-score"] > 15 and wild["median/IQR"] > 100
    assert ratio["z-score"] < 1.5 and ratio["min-max"] > 100 and ratio["median/IQR"] > 100
    assert "tensor([nan, nan])" in out["scalings"]


@pytest.mark.parametrize("seed", SEEDS)
def test_raw_unit_coefficients_reproduce_the_scaled_model(runs, seed):
    ns, out = runs[seed]
    assert numbers(out["target"], "on the test set:")[0] < 1e-3
    direct = ns["direct"]
    assert torch.allclose(ns["w_raw"], direct[:-1], rtol=1e-3)
    assert ns["b_raw"].item() == pytest.approx(direct[-1].item(), rel=1e-3)


@pytest.mark.parametrize("seed", SEEDS)
def test_r2_agrees_with_scikit_learn_and_the_mean_scores_at_most_0(runs, seed):
    ns, out = runs[seed]
    y, y_hat = ns["price_test"].reshape(-1).numpy(), ns["test_hat"].numpy()
    assert numbers(out["r2"], "R²")[0] == pytest.approx(r2_score(y, y_hat), abs=1e-4)
    baseline = numbers(out["r2"], "mean: R²")[0]
    assert baseline <= 0 and baseline == pytest.approx(r2_score(y, ns["train_mean"].numpy()), abs=1e-4)
    assert numbers(out["r2"], "R²")[0] > 0.9


# ---------------------------------------------------------------- 5. using a model

def test_eval_no_grad_and_inference_mode_do_different_things(runs):
    _, out = runs[0]
    lines = out["modes"].splitlines()
    assert lines[0].endswith("two calls equal: False | records: True")
    assert lines[1].endswith("two calls equal: True | records: True")
    assert lines[2].endswith("records: False")
    assert lines[3].endswith("records: False | inference tensor: True")
    assert lines[4].startswith("RuntimeError: Inference tensors cannot be saved for backward")


def test_the_saved_model_predicts_raw_inputs_in_a_fresh_process(runs, tmp_path):
    """The load section alone, in a new Python process, with nothing but the file."""
    ns, out = runs[0]
    code = "\n".join([
        "import torch", "from torch import nn",
        section_code("own_model.py:load").split("predict = load_predictor")[0],
        f"predict = load_predictor({str(ns['path'])!r})",
        "print(predict(torch.tensor([[120.0, 5.0], [80.0, 20.0]])).tolist())",
    ])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    fresh = torch.tensor(eval(result.stdout))
    assert torch.allclose(fresh, ns["predict"](ns["new_houses"]))
    assert torch.allclose(fresh, ns["predict_price"](ns["new_houses"]), rtol=1e-5)
    assert "predicted prices: tensor([" in out["load"]


def test_a_model_on_another_device_raises_a_mismatch(runs):
    _, out = runs[0]
    assert "device: cpu | parameters on: cpu | batch on: cpu" in out["device"]
    assert "RuntimeError: Tensor on device meta is not on the expected device cpu!" in out["device"]


def test_same_seed_same_numbers(runs):
    ns, out = run_snippet("own_model", 0)
    shutil.rmtree(ns["path"].parent, ignore_errors=True)
    assert out == runs[0][1]


def test_figures_are_saved(runs, figures_to_tmp):
    for name in ("own_model_curve", "own_model_data_size"):
        assert (figures_to_tmp / f"{name}.png").stat().st_size > 5000
