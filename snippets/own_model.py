"""Training your own model: when to stop, optimisers and weight decay, choosing λ, scaling and reading the
fit, using a saved model: the page "训练自己的模型 / Training your own model".

Run: python snippets/own_model.py [seed]   (the page shows seed 0)
"""

# --8<-- [start:imports]
import copy
import math
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from torch import nn

seed = 0  # change it for another run
# --8<-- [end:imports]
import sys

from _plot import save_figure  # the site's figure style, and saving for the page
from data import synthetic_data, true_b, true_w  # shown on the page from snippets/data.py

seed = int(sys.argv[1]) if len(sys.argv) > 1 else seed  # python snippets/own_model.py 7

# ================================================================ 1. when to stop

# --8<-- [start:wide_data]
torch.manual_seed(seed)
num_features, sigma = 25, 2.0
# only the first two features matter
w_wide = torch.cat([true_w, torch.zeros(num_features - 2)])
X, y = synthetic_data(w_wide, true_b, 30 + 100 + 1000, noise=sigma)
X_train, y_train = X[:30], y[:30]  # 30 examples for 26 parameters
X_val, y_val = X[30:130], y[30:130]
X_test, y_test = X[130:], y[130:]
print(
    "training:",
    tuple(X_train.shape),
    "validation:",
    tuple(X_val.shape),
    "test:",
    tuple(X_test.shape),
)
# --8<-- [end:wide_data]


# --8<-- [start:curve]
def mse(net, X, y):
    """nn.MSELoss of `net` on (X, y), without recording a graph."""
    with torch.no_grad():
        return nn.functional.mse_loss(net(X), y).item()


def zero_linear(num_inputs, dtype=torch.float32):
    net = nn.Linear(num_inputs, 1, dtype=dtype)
    nn.init.zeros_(net.weight)
    nn.init.zeros_(net.bias)
    return net


def gd_epochs(net, num_epochs, lr=0.1):
    """Full-batch gradient descent on the training set (one step per
    epoch); yields after each epoch,
    so that the caller decides what to measure and when to stop.
    """
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    for epoch in range(1, num_epochs + 1):
        loss = nn.functional.mse_loss(net(X_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        yield epoch


net = zero_linear(num_features)
history = torch.tensor(
    [
        [mse(net, X_train, y_train), mse(net, X_val, y_val)]
        for _ in gd_epochs(net, 300)
    ]
)
best_epoch = history[:, 1].argmin().item() + 1
print("epoch  training MSE  validation MSE")
for epoch in sorted({1, 10, best_epoch, 100, 200, 300}):
    mark = "  <- lowest validation MSE" if epoch == best_epoch else ""
    print(
        f"{epoch:5d}  {history[epoch - 1, 0]:12.3f}"
        f"  {history[epoch - 1, 1]:14.3f}{mark}"
    )
print(f"noise σ² = {sigma**2:.1f}")
# --8<-- [end:curve]

# --8<-- [start:curve_plot]
fig, ax = plt.subplots(figsize=(5, 3.2))
epochs = torch.arange(1, len(history) + 1)
ax.plot(epochs, history[:, 0], label=r"$E_{\mathrm{train}}$")
ax.plot(epochs, history[:, 1], label=r"$E_{\mathrm{val}}$")
ax.axvline(best_epoch, color="gray", ls="--", lw=1)
ax.axhline(sigma**2, color="gray", ls=":", label=r"$\sigma^2$")
ax.set_yscale("log")
ax.set_xlabel("$t$")
ax.legend()
# --8<-- [end:curve_plot]
save_figure(fig, "own_model_curve")


# --8<-- [start:rules]
def first_epoch(condition, num_epochs=300):
    """The first epoch at which condition(epoch) holds; the last
    epoch
    if it never does.
    """
    return next(
        (
            epoch
            for epoch in range(1, num_epochs + 1)
            if condition(epoch)
        ),
        num_epochs,
    )


train_mse, val_mse = history[:, 0], history[:, 1]


def no_new_best_for(patience):
    """At epoch e: the lowest validation MSE so far is `patience` or
    more epochs old.
    """
    return lambda e: e - (val_mse[:e].argmin().item() + 1) >= patience


rules = {
    "a fixed number of epochs (300)": 300,
    "training MSE below 0.1": first_epoch(
        lambda e: train_mse[e - 1] < 0.1
    ),
    "training MSE improves by < 0.5 %": first_epoch(
        lambda e: (
            e > 1 and train_mse[e - 1] > 0.995 * train_mse[e - 2]
        )
    ),
    "no new best validation MSE in 20 epochs": first_epoch(
        no_new_best_for(20)
    ),
}
print(f"{'rule':42s} stops at  validation MSE there")
for rule, epoch in rules.items():
    print(f"{rule:42s} {epoch:8d}  {val_mse[epoch - 1]:.3f}")
print(
    f"{'(the lowest validation MSE)':42s}"
    f" {best_epoch:8d}  {val_mse.min():.3f}"
)
# --8<-- [end:rules]


# --8<-- [start:early_stopping]
def train_with_early_stopping(net, max_epochs=300, patience=20):
    """Stop when the validation MSE has not improved for `patience`
    epochs; return the model of the best
    epoch, not the last one.
    """
    best_val, best_epoch, best_state = math.inf, 0, None
    for epoch in gd_epochs(net, max_epochs):
        val = mse(net, X_val, y_val)
        if val < best_val:
            # a copy: state_dict() holds the live tensors, which the
            # next steps would change
            best_val, best_epoch, best_state = (
                val,
                epoch,
                copy.deepcopy(net.state_dict()),
            )
        elif epoch - best_epoch >= patience:
            break
    last_val = mse(net, X_val, y_val)
    net.load_state_dict(best_state)
    return best_epoch, epoch, last_val


early_net = zero_linear(num_features)
kept, stopped, last_val = train_with_early_stopping(early_net)
print(
    f"stopped after epoch {stopped}; validation "
    f"MSE there {last_val:.3f}"
)
print(
    f"kept epoch {kept}: validation MSE "
    f"{mse(early_net, X_val, y_val):.3f}"
)
print(
    f"test MSE, computed once: {mse(early_net, X_test, y_test):.3f}"
)
# --8<-- [end:early_stopping]

# ================================================================ 2. optimisers and weight decay

# --8<-- [start:optimisers]
torch.manual_seed(seed)
features, labels = synthetic_data(true_w, true_b, 1000)
# the second feature in units ten times smaller
features_cm = features * torch.tensor([1.0, 10.0])


def half_mse(net, X, y):
    return ((net(X) - y) ** 2 / 2).mean()


def losses_along(
    optimizer_for, X, y, num_steps=300, at=(10, 100, 300)
):
    """Full-batch training from zero with optimizer_for(parameters);
    the ½ loss after the steps `at`.
    """
    net = zero_linear(X.shape[1])
    optimizer = optimizer_for(net.parameters())
    losses = {}
    for step in range(1, num_steps + 1):
        loss = half_mse(net, X, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step in at:
            losses[step] = half_mse(net, X, y).item()
    return losses


optimizers = {  # name: (optimizer for the parameters, features)
    "SGD, lr 0.009": (
        lambda p: torch.optim.SGD(p, lr=0.009),
        features_cm,
    ),
    "SGD + momentum 0.9, lr 0.009": (
        lambda p: torch.optim.SGD(p, lr=0.009, momentum=0.9),
        features_cm,
    ),
    "Adam, lr 0.1": (
        lambda p: torch.optim.Adam(p, lr=0.1),
        features_cm,
    ),
    "SGD, lr 0.5, standard units": (
        lambda p: torch.optim.SGD(p, lr=0.5),
        features,
    ),
}
print(f"{'':32s}{'after 10':>10s}{'100':>10s}{'300 steps':>11s}")
for name, (optimizer_for, X) in optimizers.items():
    losses = losses_along(optimizer_for, X, labels)
    print(
        f"{name:32s}"
        + "".join(f"{loss:10.2e}" for loss in losses.values())
    )
A_cm = torch.cat([features_cm, torch.ones(1000, 1)], dim=1)
eigenvalues = torch.linalg.eigvalsh(A_cm.T @ A_cm / 1000)
print(
    f"curvatures of the ½ loss: {eigenvalues[0]:.2f}"
    f" to {eigenvalues[-1]:.1f}; SGD needs lr < 2/μ_max = "
    f"{2 / eigenvalues[-1]:.3f}; noise "
    f"level ½σ² = {0.01**2 / 2:.0e}"
)
# --8<-- [end:optimisers]


# --8<-- [start:param_groups]
def param_groups(net, weight_decay):
    """Two groups: the weights decayed, the bias not (see the
    generalisation page).
    """
    weights = [
        p
        for name, p in net.named_parameters()
        if not name.endswith("bias")
    ]
    biases = [
        p
        for name, p in net.named_parameters()
        if name.endswith("bias")
    ]
    return [
        {"params": weights, "weight_decay": weight_decay},
        {"params": biases, "weight_decay": 0.0},
    ]


optimizer = torch.optim.Adam(
    param_groups(nn.Linear(2, 1), weight_decay=0.5), lr=0.1
)
for group in optimizer.param_groups:
    print(
        "shapes",
        [tuple(p.shape) for p in group["params"]],
        "weight_decay",
        group["weight_decay"],
        "lr",
        group["lr"],
    )
# --8<-- [end:param_groups]

# --8<-- [start:adam_adamw]
torch.manual_seed(seed)
X_small, y_small = synthetic_data(true_w, true_b, 200, noise=1.0)
# float64: to compare end points closely
X_small, y_small = X_small.double(), y_small.double()
lam_decay = 0.5


def augment(X):
    """A = [X, 1]: the column of ones for the bias (X may hold a batch
    of data sets).
    """
    return torch.cat(
        [X, torch.ones(*X.shape[:-1], 1, dtype=X.dtype)], dim=-1
    )


def ridge(X, y, lam):
    """Minimise (1/n)Σ½(ŷ - y)² + (λ/2)|w|², bias not penalised: least
    squares on A stacked on √(nλ)I'.
    Returns θ = (w, b); for a batch of data sets (leading
    dimensions), one θ each.
    """
    A = augment(X)
    n, p = A.shape[-2:]
    # the rows of √(nλ)I' without the bias row
    penalty = math.sqrt(n * lam) * torch.eye(p, dtype=A.dtype)[:-1]
    penalty = penalty.expand(*A.shape[:-2], p - 1, p)
    zeros = torch.zeros(*y.shape[:-2], p - 1, 1, dtype=y.dtype)
    stacked = (
        torch.cat([A, penalty], dim=-2),
        torch.cat([y, zeros], dim=-2),
    )
    return torch.linalg.lstsq(
        *stacked, driver="gelsd"
    ).solution.squeeze(-1)


def end_point(optimizer_class, lr, weight_decay, num_steps=300):
    """Full-batch training on the ½ loss, lr annealed to 0 (cosine
    schedule); returns θ = (w, b).
    """
    net = zero_linear(2, torch.float64)
    optimizer = optimizer_class(
        param_groups(net, weight_decay), lr=lr
    )
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, num_steps
    )
    for _ in range(num_steps):
        loss = half_mse(net, X_small, y_small)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    return torch.cat(
        [net.weight.detach().reshape(-1), net.bias.detach()]
    )


theta_ridge = ridge(X_small, y_small, lam_decay)
theta_ls = ridge(X_small, y_small, 0.0)
print(f"{'':22s}{'w1':>8s}{'w2':>8s}{'b':>8s}  |θ - θ_ridge|")
print(
    f"{'least squares (λ = 0)':22s}"
    + "".join(f"{v:8.4f}" for v in theta_ls)
    + f"  {(theta_ls - theta_ridge).norm():.1e}"
)
print(
    f"{'ridge, closed form':22s}"
    + "".join(f"{v:8.4f}" for v in theta_ridge)
)
for optimizer_class in (torch.optim.Adam, torch.optim.AdamW):
    for lr in (0.2, 0.1):
        theta = end_point(optimizer_class, lr, lam_decay)
        print(
            f"{optimizer_class.__name__ + f', lr {lr}':22s}"
            + "".join(f"{v:8.4f}" for v in theta)
            + f"  {(theta - theta_ridge).norm():.1e}"
        )
# --8<-- [end:adam_adamw]


# --8<-- [start:conventions]
def solve_convention(X, y, q, p):
    """Minimise q·Σ(ŷ - y)² + p·|w|² (bias free) in closed form: it is
    ridge with λ = p/(nq).
    """
    return ridge(X, y, p / (len(X) * q))


def sgd_with_weight_decay(X, y, weight_decay, num_steps=300):
    """Full-batch SGD on nn.MSELoss with weight_decay on the weights;
    returns θ = (w, b).
    """
    net = zero_linear(X.shape[1], X.dtype)
    optimizer = torch.optim.SGD(
        param_groups(net, weight_decay), lr=0.5
    )
    for _ in range(num_steps):
        loss = nn.functional.mse_loss(net(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return torch.cat(
        [net.weight.detach().reshape(-1), net.bias.detach()]
    )


X_c, y_c = X_small[:50], y_small[:50]
n, lam_book = len(X_c), 0.1
conventions = {  # name: (q, p) of the objective q·Σ(ŷ - y)² + p·|w|²
    "(1/n)Σ½r² + (λ/2)|w|²  (this site, D2L)": (
        1 / (2 * n),
        lam_book / 2,
    ),
    "(1/2n)Σr² + (λ/2n)|w|²": (1 / (2 * n), lam_book / (2 * n)),
    "Σr² + λ|w|²  (scikit-learn's Ridge)": (1.0, lam_book),
}
print(
    f"λ = {lam_book}, n = {n}; weight_decay for nn.MSELoss = 2p/(nq)"
)
for name, (q, p) in conventions.items():
    weight_decay = 2 * p / (n * q)
    gap = (
        (
            sgd_with_weight_decay(X_c, y_c, weight_decay)
            - solve_convention(X_c, y_c, q, p)
        )
        .abs()
        .max()
    )
    print(
        f"{name:42s} weight_decay = {weight_decay:<6.4g}"
        f" max |θ_SGD - θ_closed form| = {gap:.1e}"
    )
# --8<-- [end:conventions]

# --8<-- [start:schedule]
torch.manual_seed(seed)
X_s, y_s = synthetic_data(true_w, true_b, 200, noise=1.0)


def minibatch_sgd(
    weight_decay=0.0, gamma=1.0, num_epochs=15, lr=0.05, batch_size=10
):
    """Minibatch SGD on the ½ loss; the learning rate is multiplied by
    gamma every 5 epochs.
    """
    net = zero_linear(2)
    optimizer = torch.optim.SGD(
        param_groups(net, weight_decay), lr=lr
    )
    scheduler = torch.optim.lr_scheduler.StepLR(
        optimizer, step_size=5, gamma=gamma
    )
    for _ in range(num_epochs):
        for batch in torch.randperm(len(X_s)).split(batch_size):
            loss = half_mse(net, X_s[batch], y_s[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scheduler.step()
    return torch.cat(
        [net.weight.detach().reshape(-1), net.bias.detach()]
    )


theta_ls_s, theta_ridge_s = ridge(X_s, y_s, 0.0), ridge(X_s, y_s, 0.5)
print(f"{'':34s}{'|θ - θ_LS|':>12s}{'|θ - θ_ridge|':>15s}")
for name, kwargs in [
    ("constant lr 0.05", {}),
    ("lr × 0.1 every 5 epochs", {"gamma": 0.1}),
    ("constant lr, weight_decay 0.5", {"weight_decay": 0.5}),
]:
    theta = minibatch_sgd(**kwargs)
    print(
        f"{name:34s}{(theta - theta_ls_s).norm():12.1e}"
        f"{(theta - theta_ridge_s).norm():15.1e}"
    )
# --8<-- [end:schedule]

# ================================================================ 3. more on generalisation


# --8<-- [start:data_size]
def wide_sample(n):
    """n new examples of the 25-feature problem of section 1."""
    return synthetic_data(w_wide, true_b, n, noise=sigma)


def mse_theta(theta, X, y):
    """The MSE of θ = (w, b) on (X, y); one value per θ for a batch of
    θ.
    """
    return ((augment(X) @ theta.unsqueeze(-1) - y) ** 2).mean(
        dim=(-2, -1)
    )


def training_sets(num_sets, n):
    """num_sets independent training sets of n examples, stacked:
    shapes (num_sets, n, 25), (num_sets, n, 1).
    """
    X, y = wide_sample(num_sets * n)
    return X.reshape(num_sets, n, -1), y.reshape(num_sets, n, 1)


# a large validation set: the errors are measured, not estimated
X_big, y_big = wide_sample(2000)
sizes = [30, 40, 60, 100, 200, 400]
print("   n  median training MSE  median validation MSE")
curve = []
for n_train in sizes:
    # 20 training sets of each size, solved in one call
    X_n, y_n = training_sets(20, n_train)
    # least squares, one θ per set
    theta = ridge(X_n, y_n, 0.0)
    errors = torch.stack(
        [mse_theta(theta, X_n, y_n), mse_theta(theta, X_big, y_big)],
        dim=1,
    )
    curve.append(errors.median(dim=0).values)
    print(f"{n_train:4d}  {curve[-1][0]:19.3f}  {curve[-1][1]:21.3f}")
curve = torch.stack(curve)
print(f"noise σ² = {sigma**2:.1f}")
# --8<-- [end:data_size]

# --8<-- [start:data_size_plot]
fig, ax = plt.subplots(figsize=(5, 3.2))
ax.plot(
    sizes,
    curve[:, 0],
    marker="o",
    ms=3,
    label=r"$E_{\mathrm{train}}$",
)
ax.plot(
    sizes, curve[:, 1], marker="o", ms=3, label=r"$E_{\mathrm{val}}$"
)
ax.axhline(sigma**2, color="gray", ls=":", label=r"$\sigma^2$")
ax.set_xscale("log")
ax.set_xticks(sizes, labels=[str(n) for n in sizes])
ax.minorticks_off()
ax.set_yscale("log")
ax.set_xlabel("$n$")
ax.legend()
# --8<-- [end:data_size_plot]
save_figure(fig, "own_model_data_size")

# --8<-- [start:ridge_path]
lams = [0.0, 0.001, 0.01, 0.1, 1.0, 10.0]
print("λ       |w|     training MSE  validation MSE")
for lam in lams:
    theta = ridge(X_train, y_train, lam)
    print(
        f"{lam:<6g} {theta[:-1].norm():6.2f}"
        f"  {mse_theta(theta, X_train, y_train):12.3f}  "
        f"{mse_theta(theta, X_val, y_val):14.3f}"
    )
# --8<-- [end:ridge_path]


# --8<-- [start:l1_l2]
def lasso(X, y, lam, num_steps=3000):
    """Minimise (1/n)Σ½(ŷ - y)² + λ|w|₁ (bias free) by proximal
    gradient descent: a gradient step on the
    loss, then every weight moved λ·lr towards 0, and set to
    exactly 0 if it would cross it.
    """
    A = augment(X)
    theta = torch.zeros(A.shape[1], 1, dtype=A.dtype)
    lr = 1 / torch.linalg.eigvalsh(A.T @ A / len(A))[-1]
    for _ in range(num_steps):
        theta = theta - lr * A.T @ (A @ theta - y) / len(A)
        w = theta[:-1]
        # soft thresholding
        theta[:-1] = w.sign() * (w.abs() - lr * lam).clamp(min=0)
    return theta.reshape(-1)


theta_l1, theta_l2 = (
    lasso(X_train, y_train, 0.3),
    ridge(X_train, y_train, 0.3),
)
for name, theta in [
    ("L1, λ = 0.3", theta_l1),
    ("L2, λ = 0.3", theta_l2),
]:
    w = theta[:-1]
    print(
        f"{name}: w1 {w[0]:6.3f}  w2 {w[1]:6.3f}"
        f"  weights exactly 0: {(w == 0).sum().item():2d}"
        f" of {len(w)}; "
        f"validation MSE {mse_theta(theta, X_val, y_val):.3f}"
    )
# --8<-- [end:l1_l2]

# --8<-- [start:map]
# prior: each weight ~ N(0, τ²); the bias has a flat prior (no term)
tau = 1.0
theta = torch.zeros(num_features + 1, requires_grad=True)
optimizer = torch.optim.LBFGS(
    [theta],
    max_iter=200,
    tolerance_grad=1e-9,
    tolerance_change=1e-12,
    line_search_fn="strong_wolfe",
)


def negative_log_posterior():
    y_hat = augment(X_train) @ theta
    log_likelihood = (
        torch.distributions.Normal(y_hat, sigma)
        .log_prob(y_train.reshape(-1))
        .sum()
    )
    log_prior = (
        torch.distributions.Normal(0.0, tau)
        .log_prob(theta[:-1])
        .sum()
    )
    loss = -(log_likelihood + log_prior)
    optimizer.zero_grad()
    loss.backward()
    return loss


optimizer.step(negative_log_posterior)
lam_map = sigma**2 / (len(X_train) * tau**2)
gap = (theta.detach() - ridge(X_train, y_train, lam_map)).abs().max()
print(
    f"σ = {sigma}, τ = {tau}, n = {len(X_train)}"
    f": λ = σ²/(nτ²) = {lam_map:.4f}"
)
print(f"max |θ_MAP - θ_ridge(λ)| = {gap:.1e}")
# --8<-- [end:map]


# --8<-- [start:kfold]
def k_fold_mse(X, y, lam, k=5):
    """The mean validation MSE of ridge(λ) over k folds: each fold is
    left out once.
    """
    # consecutive blocks (shuffle first if the rows are ordered)
    folds = torch.arange(len(X)).chunk(k)
    errors = []
    for fold in folds:
        keep = torch.ones(len(X), dtype=torch.bool)
        keep[fold] = False
        theta = ridge(X[keep], y[keep], lam)
        errors.append(mse_theta(theta, X[fold], y[fold]).item())
    return sum(errors) / k


cv_lams = [0.001, 0.01, 0.1, 0.3, 1.0, 3.0]
cv = [k_fold_mse(X_train, y_train, lam) for lam in cv_lams]
holdout = [
    mse_theta(ridge(X_train, y_train, lam), X_val, y_val).item()
    for lam in cv_lams
]
print("λ       5-fold CV MSE  validation MSE (100 more examples)")
for lam, c, h in zip(cv_lams, cv, holdout):
    print(f"{lam:<6g} {c:14.3f}  {h:14.3f}")
print(
    f"chosen λ: by 5-fold CV {cv_lams[cv.index(min(cv))]:g}"
    ", by the validation set "
    f"{cv_lams[holdout.index(min(holdout))]:g}"
)
# --8<-- [end:kfold]


# --8<-- [start:optimism]
def chosen_vs_fixed(num_draws=200, n_val=20):
    """For each draw: a training and a small validation set; λ chosen
    on the validation set. Returns
    the mean (validation MSE, test MSE) of the chosen λ and of a λ
    fixed in advance (0.3).
    """
    # all the draws at once
    X_d, y_d = training_sets(num_draws, 30 + n_val)
    # (λ, draw, 26)
    thetas = torch.stack(
        [ridge(X_d[:, :30], y_d[:, :30], lam) for lam in cv_lams]
    )
    val = mse_theta(thetas, X_d[:, 30:], y_d[:, 30:])  # (λ, draw)
    test = mse_theta(thetas, X_big, y_big)
    # the chosen λ of each draw
    best, draws = val.argmin(dim=0), torch.arange(num_draws)
    fixed = cv_lams.index(0.3)
    return (
        torch.stack([val[best, draws], test[best, draws]]).mean(
            dim=1
        ),
        torch.stack([val[fixed], test[fixed]]).mean(dim=1),
    )


chosen, fixed = chosen_vs_fixed()
print("mean over 200 draws        validation MSE  test MSE")
print(
    f"λ chosen on validation     {chosen[0]:14.3f}  {chosen[1]:8.3f}"
)
print(f"λ = 0.3, fixed in advance  {fixed[0]:14.3f}  {fixed[1]:8.3f}")
# --8<-- [end:optimism]

# --8<-- [start:stable_lr]
# the 1000 standardised examples of the optimiser comparison
A_std = augment(features)
lam_max = torch.linalg.eigvalsh(A_std.T @ A_std / len(A_std))[
    -1
].item()
lrs = torch.arange(0.5, 2.501, 0.05)


def largest_stable_lr(batch_size, num_steps=200):
    """Minibatch SGD on the ½ loss for every learning rate at once
    (one column of θ each), the same
    minibatches for all; the largest lr whose loss after num_steps
    is below the loss at θ = 0.
    """
    theta = torch.zeros(A_std.shape[1], len(lrs))
    generator = torch.Generator().manual_seed(seed)
    batches = []
    while len(batches) < num_steps:
        batches += torch.randperm(
            len(A_std), generator=generator
        ).split(batch_size)
    for batch in batches[:num_steps]:
        A_b, y_b = A_std[batch], labels[batch]
        theta -= lrs * (A_b.T @ (A_b @ theta - y_b)) / len(batch)
    loss = ((A_std @ theta - labels) ** 2 / 2).mean(dim=0)
    stable = loss.isfinite() & (loss < (labels**2 / 2).mean())
    return lrs[stable].max().item()


print(f"full batch: 2/μ_max = {2 / lam_max:.3f}")
for batch_size in (10, 100, 1000):
    print(
        f"batch {batch_size:4d}: largest "
        f"stable lr {largest_stable_lr(batch_size):.2f}"
    )
# --8<-- [end:stable_lr]

# ================================================================ 4. scaling and reading the fit

# --8<-- [start:raw_units]
torch.manual_seed(seed)
X_std, y_std = synthetic_data(true_w, true_b, 500, noise=0.5)
offset, scale = torch.tensor([100.0, 10.0]), torch.tensor([30.0, 5.0])
raw = offset + scale * X_std  # area (m²) and age (years)
price = 300 + 20 * y_std  # the label in its own units too
raw_train, raw_test, price_train, price_test = (
    raw[:400],
    raw[400:],
    price[:400],
    price[400:],
)
raw_train[0, 0] = 10_000.0  # one typing error: 10 000 m²
print(
    f"area (m²): min {raw_train[:, 0].min():.1f}"
    f", median {raw_train[:, 0].median():.1f}, "
    f"max {raw_train[:, 0].max():.1f}"
)
# --8<-- [end:raw_units]


# --8<-- [start:scalings]
def z_score(X):
    mean, std = X.mean(dim=0), X.std(dim=0)
    return lambda raw: (raw - mean) / std


def min_max(X):
    low, high = X.min(dim=0).values, X.max(dim=0).values
    return lambda raw: (raw - low) / (high - low)


def median_iqr(X):
    """Robust: the median and the interquartile range, which one wild
    value barely moves.
    """
    q1, median, q3 = X.quantile(
        torch.tensor([0.25, 0.5, 0.75]), dim=0
    )
    return lambda raw: (raw - median) / (q3 - q1)


print(
    f"{'area':12s}{'sd of the 399 others':>22s}"
    f"{'the wild one':>14s}{'curvature ratio μ_max/μ_min':>30s}"
)
for name, scaling in [
    ("z-score", z_score),
    ("min-max", min_max),
    ("median/IQR", median_iqr),
]:
    Z = scaling(raw_train)(raw_train)
    A_z = augment(Z)
    eig = torch.linalg.eigvalsh(A_z.T @ A_z / len(A_z))
    print(
        f"{name:12s}{Z[1:, 0].std():22.4f}"
        f"{Z[0, 0]:14.2f}{eig[-1] / eig[0]:30.0f}"
    )
# a column that never changes
constant = torch.cat(
    [raw_train[:, :1], torch.full((400, 1), 3.0)], dim=1
)
print(
    "z-score of a constant column:",
    z_score(constant)(constant)[:2, 1],
)
# --8<-- [end:scalings]

# --8<-- [start:target]
# the typing error found and fixed
raw_train[0, 0] = raw_train[1:, 0].median()
x_scale, y_scale = z_score(raw_train), z_score(price_train)
y_mean, y_sd = price_train.mean(), price_train.std()
# w and b in standard units
fit = ridge(x_scale(raw_train), y_scale(price_train), 0.0)
w_z, b_z = fit[:-1], fit[-1]


def predict_price(raw):
    """The model works in standard units; undo the label's scaling at
    the end.
    """
    return (x_scale(raw) @ w_z + b_z) * y_sd + y_mean


x_mean, x_sd = raw_train.mean(dim=0), raw_train.std(dim=0)
# per m² and per year
w_raw = y_sd * w_z / x_sd
b_raw = y_mean + y_sd * b_z - (w_raw * x_mean).sum()
print("standard units: w", w_z, "b", f"{b_z:.2e}")
print("raw units:      w", w_raw, "b", f"{b_raw:.2f}")
# least squares on the raw columns, for comparison
direct = ridge(raw_train, price_train, 0.0)
print("least squares on the raw columns:", direct)
gap = (raw_test @ w_raw + b_raw - predict_price(raw_test)).abs().max()
print(
    "max |raw-unit formula - scaled model| "
    f"on the test set: {gap:.1e}"
)
# --8<-- [end:target]


# --8<-- [start:r2]
def r2(y, y_hat):
    """1 - (squared error of the model) / (squared error of predicting
    the mean of y).
    """
    return 1 - ((y - y_hat) ** 2).sum() / ((y - y.mean()) ** 2).sum()


test_hat = predict_price(raw_test)
train_mean = torch.full_like(
    price_test.reshape(-1), price_train.mean()
)
price_true = price_test.reshape(-1)
test_mse = ((price_true - test_hat) ** 2).mean()
print(
    f"test MSE {test_mse:.2f} (price units²), "
    f"R² {r2(price_true, test_hat):.4f}"
)
print(
    f"always the training mean: R² {r2(price_true, train_mean):.4f}"
)
# --8<-- [end:r2]

# ================================================================ 5. using a model


# --8<-- [start:modes]
def show_error(fn):
    """Call fn(); print the exception it raises, as PyTorch
    words it."""
    try:
        fn()
    except Exception as error:
        print(f"{type(error).__name__}: {error}")


torch.manual_seed(seed)
# dropout: random in training only
model = nn.Sequential(nn.Dropout(p=0.5), nn.Linear(10, 1))
x = torch.ones(1, 10)
model.train()
print(
    "train():          two calls equal:",
    torch.equal(model(x), model(x)),
    "| records:",
    model(x).requires_grad,
)
model.eval()
print(
    "eval():           two calls equal:",
    torch.equal(model(x), model(x)),
    "| records:",
    model(x).requires_grad,
)
with torch.no_grad():
    out = model(x)
print("no_grad():        records:", out.requires_grad)
with torch.inference_mode():
    out = model(x)
print(
    "inference_mode(): records:",
    out.requires_grad,
    "| inference tensor:",
    out.is_inference(),
)
# the output used later in training
show_error(lambda: (model(out) ** 2).sum().backward())
# --8<-- [end:modes]

# --8<-- [start:save]
net = nn.Linear(2, 1)
with torch.no_grad():  # the fit of section 4, in standard units
    net.weight.copy_(w_z.reshape(1, -1))
    net.bias.copy_(b_z.reshape(1))
checkpoint = {
    "state_dict": net.state_dict(),
    "x_mean": x_mean,
    "x_sd": x_sd,
    # tensors only: torch.load's safe default reads them
    "y_mean": y_mean,
    "y_sd": y_sd,
}
path = Path(tempfile.mkdtemp()) / "house_prices.pt"
torch.save(checkpoint, path)
print(sorted(checkpoint), f"{path.stat().st_size} bytes")
# --8<-- [end:save]


# --8<-- [start:load]
def load_predictor(path, device="cpu"):
    """Rebuild the model from the file alone; returns predict(raw
    inputs) -> prices.
    """
    # a checkpoint saved on a GPU loads on a CPU too
    checkpoint = torch.load(path, map_location=device)
    net = nn.Linear(len(checkpoint["x_mean"]), 1).to(device)
    net.load_state_dict(checkpoint["state_dict"])
    net.eval()

    def predict(raw):
        with torch.inference_mode():
            z = (raw.to(device) - checkpoint["x_mean"]) / checkpoint[
                "x_sd"
            ]
            return (
                net(z).reshape(-1) * checkpoint["y_sd"]
                + checkpoint["y_mean"]
            ).cpu()

    return predict


predict = load_predictor(path)
# area (m²), age (years)
new_houses = torch.tensor([[120.0, 5.0], [80.0, 20.0]])
print("predicted prices:", predict(new_houses))
# --8<-- [end:load]

# --8<-- [start:device]
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
# .to() moves a module's parameters in place
net_on_device = nn.Linear(2, 1).to(device)
# .to() returns a new tensor: keep it
batch = new_houses.to(device)
print(
    "device:",
    device,
    "| parameters on:",
    next(net_on_device.parameters()).device,
    "| batch on:",
    batch.device,
)
# another device than the data: shapes, no values
meta_net = nn.Linear(2, 1).to("meta")
show_error(lambda: meta_net(new_houses))
# --8<-- [end:device]
