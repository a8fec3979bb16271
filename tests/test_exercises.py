"""snippets/exercises.py: what each solution on the exercises page claims."""
import math
import re

import pytest
import torch

from conftest import ROOT, numbers, run_snippet

SEEDS = range(3)


@pytest.fixture(scope="module")
def runs():
    return {seed: run_snippet("exercises", seed) for seed in SEEDS}


@pytest.fixture(scope="module")
def page(runs):
    return runs[0]



# 1. zero initialisation
@pytest.mark.parametrize("seed", SEEDS)
def test_zero_init_trains_as_well_as_random_init(runs, seed):
    ns, out = runs[seed]
    truth = ns["true_theta"]
    assert (ns["from_zero"] - truth).abs().max() < 2e-3
    assert (ns["from_random"] - truth).abs().max() < 2e-3
    start = numbers(out["zero_init"], "gradient at w = 0, b = 0: tensor([")
    assert start and abs(start[0]) > 0.5                     # the gradient at 0 is not 0
    b_grad = numbers(out["zero_init"], ") tensor([")[0]
    assert b_grad == pytest.approx(-ns["labels"].mean().item(), abs=1e-4)   # dL/db = -mean label
    assert numbers(out["zero_init"], "minus the mean label:     tensor(")[0] == b_grad


# 2. Ohm's law
@pytest.mark.parametrize("seed", SEEDS)
def test_resistance_is_recovered(runs, seed):
    ns, out = runs[seed]
    R_closed = ns["R_closed"].item()
    assert abs(R_closed - 4.7) < 0.07                        # σ/√(ΣI²) ≈ 0.014: 5 standard errors
    R_gd = numbers(out["ohm"], "gradient descent: R =")[0]
    assert R_gd == pytest.approx(R_closed, abs=1.5e-3)       # printed to 3 decimals
    R_offset, offset = ns["with_offset"].tolist()
    assert abs(R_offset - R_closed) < 0.02 and abs(offset) < 0.07   # the offset is only noise


# 3. absolute-value and Huber loss
def test_robust_loss_gradients(page):
    ns, out = page
    r = ns["r"]
    assert torch.equal(ns["abs_grad"], torch.tensor([-1.0, -1.0, 0.0, 1.0, 1.0]))
    assert torch.equal(ns["huber_grad"], torch.tensor([-1.0, -0.5, 0.0, 0.5, 1.0]))
    assert torch.equal(ns["huber"](r), torch.tensor([2.5, 0.125, 0.0, 0.125, 2.5]))
    for claim in ("d|r|/dr == sign(r): True", "dhuber/dr == clamp(r, -1, 1): True",
                  "huber == nn.HuberLoss: True"):
        assert claim in out["robust_grads"]
    # continuity at |r| = delta: both pieces give ½ and slope 1
    edge = torch.tensor([1.0 - 1e-4, 1.0 + 1e-4])
    assert ns["huber"](edge).tolist() == pytest.approx([0.5 - 1e-4, 0.5 + 1e-4], abs=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_robust_losses_ignore_outliers(runs, seed):
    _, out = runs[seed]
    b = dict(zip(("squared", "absolute", "Huber"), numbers(out["robust_fit"], "b ")))
    assert b["squared"] - 4.2 > 0.8                         # pulled up by the 10 labels + 20
    assert abs(b["absolute"] - 4.2) < 0.15 and abs(b["Huber"] - 4.2) < 0.15


# 4. learning-rate sweep
@pytest.mark.parametrize("seed", SEEDS)
def test_learning_rate_sweep(runs, seed):
    ns, _ = runs[seed]
    sweep = ns["sweep"]
    assert sweep[0.001] > 1                                   # too small: far from done
    for lr in (0.01, 0.03, 0.1, 0.3):
        assert sweep[lr] < 1e-3                               # near the floor σ² = 1e-4
    assert sweep[0.03] < 2e-4
    assert sweep[0.01] > sweep[0.03]                          # 0.01: not quite there yet
    assert sweep[0.3] > max(sweep[0.03], sweep[0.1])          # 0.3: noisier near the end
    for lr in (1.0, 3.0):
        assert not math.isfinite(sweep[lr]) or sweep[lr] > 1e6   # diverges


@pytest.mark.parametrize("seed", SEEDS)
def test_largest_eigenvalue_sets_the_full_batch_limit(runs, seed):
    ns, out = runs[seed]
    np = pytest.importorskip("numpy")
    A = np.hstack([ns["features"].double().numpy(), np.ones((len(ns["features"]), 1))])
    mu_max = np.linalg.eigvalsh(A.T @ A / len(A)).max()
    assert ns["mu_max"] == pytest.approx(mu_max, rel=1e-5)
    assert 1 - 1e-5 <= ns["mu_max"] < 1.3             # the bias entry of M is 1: μmax ≥ 1 always
    assert numbers(out["lr_limit"], "1/mu_max =") == [round(1 / mu_max, 2)]
    assert numbers(out["lr_limit"], "2/mu_max =") == [round(2 / mu_max, 2)]
    assert ns["sweep"][1.0] > 1e6 or not math.isfinite(ns["sweep"][1.0])  # lr 1 > 1/μmax: diverges


@pytest.mark.parametrize("seed", SEEDS)
def test_minibatch_eigenvalues_give_a_much_too_strict_limit(runs, seed):
    ns, out = runs[seed]
    assert ns["mu_batches"].min() >= 1 - 1e-5          # every batch: the bias entry is 1
    assert ns["mu_batches"].median() > 1.3             # small batches: a larger largest eigenvalue
    strict = 1 / ns["mu_batches"].median().item()
    assert numbers(out["lr_batches"], "1 / median =") == [round(strict, 2)]
    # Far below the learning rates that converge in every run: sufficient, not necessary.
    assert strict < 0.75 and ns["fine"][0.8].max() < 0.1


def fine_rows(out):
    rows = {}
    for line in out["lr_fine"].splitlines():
        lr = float(re.match(r"lr = ([0-9.]+)", line).group(1))
        rows[lr] = (numbers(line, "½ loss:")[0], numbers(line, "median loss")[0], numbers(line, "worst")[0],
                    int(re.search(r"diverged in (\d) of 5 runs", line).group(1)))
    return rows


@pytest.mark.parametrize("seed", SEEDS)
def test_fine_sweep_below_the_full_batch_limit_converges(runs, seed):
    """0.7 and 0.8 converge in every run at every seed, with losses above σ² (they jitter)."""
    ns, out = runs[seed]
    rows = fine_rows(out)
    assert list(rows) == [0.7, 0.8, 0.85, 0.9]
    for lr, (half, median, worst, diverged) in rows.items():
        assert half == 2 * lr
        assert median == float(f"{ns['fine'][lr].median():.1e}") and worst == float(f"{ns['fine'][lr].max():.1e}")
    for lr in (0.7, 0.8):
        assert rows[lr][3] == 0 and rows[lr][2] < 0.1
        assert ns["fine"][lr].median() > 1.5e-4      # above σ² = 1e-4: long steps jitter
    assert 0.8 < 1 / ns["mu_max"]                    # all of this is below the full-batch limit


def test_page_bracket_of_the_minibatch_limit(page):
    """Seed 0, as the exercise, the minibatch page and troubleshooting say: 0.85 never diverges (but
    its worst run ends far above the noise), 0.9 always does although it is below 1/μmax."""
    ns, out = page
    rows = fine_rows(out)
    assert rows[0.85][3] == 0 and rows[0.85][2] > 1e-2
    assert rows[0.9][3] == 5 and 0.9 < 1 / ns["mu_max"]
    assert 1.7 == rows[0.85][0] and 1.8 == rows[0.9][0]
    for lang, pair in (("en", "between 0.85 and 0.9, or between 1.7 and 1.8"), ("zh", "界限在 0.85 和 0.9 之间，换成 ½ 损失就是 1.7 和 1.8 之间")):
        assert pair in (ROOT / f"docs/{lang}/exercises.md").read_text(encoding="utf-8")
    strict = f"{1 / ns['mu_batches'].median().item():.2f}"
    assert "That condition would allow only about " + strict in (ROOT / "docs/en/exercises.md").read_text(encoding="utf-8")
    assert "学习率最多只能到 " + strict in (ROOT / "docs/zh/exercises.md").read_text(encoding="utf-8")
    # The minibatch page quotes the same bracket in its own (½-loss) units.
    en = (ROOT / "docs/en/minibatch_sgd.md").read_text(encoding="utf-8")
    zh = (ROOT / "docs/zh/minibatch_sgd.md").read_text(encoding="utf-8")
    assert "the limit lies between\n  1.7 and 1.8" in en and "界限在 1.7 和 1.8 之间" in zh
    # Troubleshooting's lr-0.7 entry quotes the bracket and the full-batch limit in nn.MSELoss units.
    limit = f"{1 / ns['mu_max']:.2f}"
    assert numbers(out["lr_limit"], "1/mu_max =")[0] == float(limit)
    en = (ROOT / "docs/en/troubleshooting.md").read_text(encoding="utf-8")
    zh = (ROOT / "docs/zh/troubleshooting.md").read_text(encoding="utf-8")
    assert f"between 0.85 and 0.9 on, just below the full-batch limit {limit}" in en
    assert f"从 0.85 到 0.9 之间的某处开始训练就会发散，略低于全批量的界限 {limit}" in zh


def test_mse_loss_at_lr_takes_the_steps_of_the_half_loss_at_twice_lr(page):
    ns, _ = page
    def run(lr, loss_fn):
        torch.manual_seed(0)
        net = torch.nn.Linear(2, 1)
        ns["fit"](net, ns["features"], ns["labels"], lr=lr, loss_fn=loss_fn)
        return torch.cat([net.weight.detach().flatten(), net.bias.detach()])
    half_loss = lambda y_hat, y: ((y_hat - y) ** 2 / 2).mean()  # noqa: E731
    assert torch.allclose(run(0.8, None), run(1.6, half_loss), atol=1e-5)



# 5. MSELoss(reduction='sum') and its learning rate
@pytest.mark.parametrize("seed", SEEDS)
def test_sum_reduction_with_lr_over_batch_size_is_the_same_run(runs, seed):
    ns, out = runs[seed]
    assert (ns["mean_run"] - ns["sum_run"]).abs().max() < 1e-4
    assert (ns["mean_run"] - ns["true_theta"]).abs().max() < 2e-3
    diverged = out["mse_sum"].splitlines()[-1]
    values = [float(x) for x in re.findall(r"[-+]?\d+\.\d+e[-+]\d+|nan|inf", diverged)]
    assert values and all(not math.isfinite(v) or abs(v) > 1e6 for v in values)


# 6. closed form of b given w
@pytest.mark.parametrize("seed", SEEDS)
def test_best_b_is_mean_label_minus_mean_prediction(runs, seed):
    ns, _ = runs[seed]
    assert abs(ns["best_b"](ns["true_w"]) - 4.2) < 2e-3
    assert ns["best_b"](ns["w_ls"]) == pytest.approx(ns["b_ls"].item(), abs=1e-5)
    assert abs(ns["b"].grad.item()) < 1e-5


# 7. nearly collinear features
@pytest.mark.parametrize("seed", SEEDS)
def test_steps_grow_with_the_condition_number(runs, seed):
    ns, out = runs[seed]
    collinear = ns["collinear"]
    kappas = [collinear[d][0] for d in (1.0, 0.3, 0.1)]
    steps = [collinear[d][1] for d in (1.0, 0.3, 0.1)]
    assert None not in steps and steps[0] < steps[1] < steps[2]
    assert kappas[0] < kappas[1] < kappas[2]
    for kappa, count in zip(kappas, steps):
        assert 6 < count / kappa < 9                 # steps ∝ κ (reference: 7.4 to 7.9)
    for delta in (0.3, 0.1):                         # κ ≈ 4/δ² for small δ
        assert collinear[delta][0] * delta ** 2 / 4 == pytest.approx(1, rel=0.15)
    assert kappas[2] / kappas[1] > 5 and steps[2] / steps[1] > 5   # δ ÷ 3: about ten times
    for line, count in zip(out["collinear"].splitlines()[1:], steps):
        assert f" {count} " in line


@pytest.mark.parametrize("seed", SEEDS)
def test_collinear_features_pin_down_only_the_sum(runs, seed):
    ns, _ = runs[seed]
    thetas = {delta: ns["collinear"][delta][2] for delta in (1.0, 0.3, 0.1)}
    for theta in thetas.values():
        assert abs(theta[0] + theta[1] - (2 - 3.4)) < 3e-3       # w1 + w2 stays accurate
        assert abs(theta[2] - 4.2) < 3e-3
    # ...while w1 on its own moves away from 2 as δ shrinks (its error grows like 1/δ).
    assert abs(thetas[0.1][0] - 2) > abs(thetas[1.0][0] - 2)


def test_gradient_descent_count_matches_a_direct_check(page):
    ns, _ = page
    A = torch.tensor([[1.0, 0.0], [0.0, 0.1]], dtype=torch.float64)   # M = diag(1, 0.01): κ = 100
    y = torch.tensor([[1.0], [1.0]], dtype=torch.float64)
    steps, _ = ns["steps_to_converge"](A * 2 ** 0.5, y * 2 ** 0.5, lr=1.0)
    # the slow component: 10 * 0.99^t < 1e-3  ⇔  t > ln(1e4) / -ln(0.99) ≈ 917
    assert steps == 917


# 8. net[0].weight.grad
def test_weight_grad_matches_the_formula(page):
    ns, out = page
    assert "before backward: None" in out["weight_grad"]
    assert "torch.Size([1, 2])" in out["weight_grad"]
    assert "equal: True True" in out["weight_grad"]
    net, X, y = ns["net"], ns["features"][:10], ns["labels"][:10]
    assert net[0].weight.grad.shape == net[0].weight.shape == (1, 2)
    with torch.no_grad():
        residual = net(X) - y
    assert torch.allclose(net[0].weight.grad, 2 * (residual * X).mean(dim=0, keepdim=True), atol=1e-5)
    assert torch.allclose(net[0].bias.grad, 2 * residual.mean(dim=0), atol=1e-5)


# 9. the noise level from the fit
@pytest.mark.parametrize("seed", SEEDS)
def test_residual_mse_estimates_the_noise_variance(runs, seed):
    _, out = runs[seed]
    for sigma, root in zip((0.01, 0.1, 1.0), numbers(out["noise_level"], "sqrt(MSE)")):
        assert root == pytest.approx(sigma, rel=0.1)


# 10. Laplace noise and the absolute-value loss
@pytest.mark.parametrize("seed", SEEDS)
def test_laplace_negative_log_likelihood_is_the_absolute_loss(runs, seed):
    ns, out = runs[seed]
    r = ns["residuals"]
    nll = -ns["laplace"].log_prob(r).sum().double()
    assert nll.item() == pytest.approx(r.abs().sum().double().item() + len(r) * math.log(2), rel=1e-6)
    nll_printed, identity_printed = numbers(out["laplace_nll"], ":")
    assert nll_printed == identity_printed


@pytest.mark.parametrize("seed", SEEDS)
def test_absolute_loss_jitters_at_a_fixed_learning_rate(runs, seed):
    ns, _ = runs[seed]
    errors = ns["laplace_sgd"]
    squared = errors["squared, lr 0.03, 3 epochs"]
    fixed3, fixed6 = errors["absolute, lr 0.03, 3 epochs"], errors["absolute, lr 0.03, 6 epochs"]
    shrinking = errors["absolute, shrinking lr, 6 epochs"]
    assert fixed3 > 5 * squared and fixed6 > 5 * squared    # an order of magnitude (reference 11-40x)
    assert fixed6 > 0.5 * fixed3                            # more epochs do not help
    assert shrinking < 3e-3 and shrinking < fixed3 / 5      # back to the order of 1e-3


@pytest.mark.parametrize("seed", SEEDS)
def test_absolute_loss_is_the_better_estimate_under_laplace_noise(runs, seed):
    ns, out = runs[seed]
    mean_error = ns["mean_error"]
    ratio = mean_error["absolute (SGD, shrinking lr)"] / mean_error["squared (lstsq)"]
    assert 0.6 < ratio < 0.9        # clearly smaller; theory: about 1/√2 (reference 0.71-0.77)
    assert f"absolute / squared: {ratio:.2f}" in out["laplace_fit"]
