"""Minibatch SGD: cost per step, the update, unbiased gradients, learning rates, paths, the jitter.

Run: python snippets/minibatch_sgd.py [seed]   (the page shows seed 0)
"""

import sys

import torch

from _plot import plt, save_figure
from data import synthetic_data, true_b, true_w

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0

# --8<-- [start:data]
torch.manual_seed(seed)
features, labels = synthetic_data(true_w, true_b, 1000)
n = len(features)
# A column of ones after the features: with θ = (w1, w2, b), Aθ = Xw +
# b.
A = torch.cat([features, torch.ones(n, 1)], dim=1).double()
y = labels.double()
# θ_LS, the exact minimiser of L
theta_ls = torch.linalg.lstsq(A, y, driver="gelsd").solution
# where training starts: w = 0, b = 0
theta0 = torch.zeros(3, 1, dtype=torch.float64)
print(
    "least squares θ_LS (w1, w2, b):",
    [round(v, 5) for v in theta_ls[:, 0].tolist()],
)


def loss(A, y, theta):
    """L(θ) = mean of ½(Aθ − y)²; θ may also be a stack of vectors,
    shape (k, 3, 1).
    """
    return ((A @ theta - y) ** 2 / 2).mean(dim=(-2, -1))


# --8<-- [end:data]


# --8<-- [start:sgd]
def minibatch_sgd(A, y, theta, lr, batch_size, num_epochs):
    """Minibatch SGD on L; returns θ after every step (and at the
    start), stacked.
    """
    path = [theta]
    for epoch in range(num_epochs):
        # a new order every epoch, each example once
        order = torch.randperm(len(A))
        for i in range(0, len(A), batch_size):
            batch = order[i : i + batch_size]
            # prediction errors ŷ − y
            err = A[batch] @ theta - y[batch]
            # θ − η/|B| Σ ∇l⁽ⁱ⁾
            theta = theta - lr * A[batch].T @ err / len(batch)
            path.append(theta)
    return torch.stack(path)


# --8<-- [end:sgd]

# --8<-- [start:budget]
# The same work, 1000 example gradients: one full-batch step, or 100
# steps of 10 examples.
full_step = minibatch_sgd(
    A, y, theta0, lr=0.03, batch_size=n, num_epochs=1
)
small_steps = minibatch_sgd(
    A, y, theta0, lr=0.03, batch_size=10, num_epochs=1
)
L_full, L_small = (
    loss(A, y, full_step[-1]).item(),
    loss(A, y, small_steps[-1]).item(),
)
print(
    f"start:                     L = {loss(A, y, theta0).item():.6f}"
)
print(
    f"{len(full_step) - 1:3d} step  with |B| = {n}: L = {L_full:.6f}"
)
print(
    f"{len(small_steps) - 1:3d} steps "
    f"with |B| = 10:   L = {L_small:.6f}"
)
# --8<-- [end:budget]

# --8<-- [start:unbiased]
# row i: the gradient of l⁽ⁱ⁾ at θ0, shape (n, 3)
per_example = A * (A @ theta0 - y)
full = per_example.mean(dim=0)  # ∇L at θ0


def minibatch_grads(batch_size, k):
    """The gradients of k random minibatches of |B| distinct examples
    each, shape (k, 3).
    """
    grads = []
    for _ in range(k):
        # |B| distinct examples, uniformly at random
        batch = torch.randperm(n)[:batch_size]
        grads.append(per_example[batch].mean(dim=0))
    return torch.stack(grads)


k = 10000
g10 = minibatch_grads(10, k)
print(
    "full gradient:            ", [round(v, 3) for v in full.tolist()]
)
print(
    "one minibatch (|B| = 10): ",
    [round(v, 3) for v in g10[0].tolist()],
)
print(
    f"mean of {k} minibatches:",
    [round(v, 3) for v in g10.mean(dim=0).tolist()],
)
# --8<-- [end:unbiased]

# --8<-- [start:spread]
# how far a mean of k draws typically strays
standard_error = g10.std(dim=0) / k**0.5
print(
    "standard error of that mean:     ",
    [round(v, 3) for v in standard_error.tolist()],
)
print(
    "its difference / standard error: ",
    [
        round(v, 1)
        for v in ((g10.mean(dim=0) - full) / standard_error).tolist()
    ],
)
g100 = minibatch_grads(100, k)
print(
    "spread (std) of one, |B| = 10:   ",
    [round(v, 3) for v in g10.std(dim=0).tolist()],
)
print(
    "spread (std) of one, |B| = 100:  ",
    [round(v, 3) for v in g100.std(dim=0).tolist()],
)
# --8<-- [end:spread]

# --8<-- [start:lr_scan]
lrs = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3]
L0, curves = loss(A, y, theta0).item(), {}
for lr in lrs:
    curves[lr] = loss(
        A,
        y,
        minibatch_sgd(A, y, theta0, lr, batch_size=10, num_epochs=3),
    )
    L_end = curves[lr][-1].item()
    # `not <` also catches inf and nan
    verdict = "  diverges" if not L_end < L0 else ""
    print(f"lr {lr:>5}: L after 3 epochs = {L_end:.2e}{verdict}")
diverging = [lr for lr in lrs if not curves[lr][-1] < L0]
print("smallest learning rate that diverges:", min(diverging))
# the largest curvature of L
mu_max = torch.linalg.eigvalsh(A.T @ A / n).max().item()
print(f"full-batch limit 2 / mu_max = {2 / mu_max:.2f}")
# --8<-- [end:lr_scan]

fig, ax = plt.subplots(figsize=(4.5, 3))
for lr in [0.003, 0.03, 0.3, 1, 3]:
    ax.semilogy(curves[lr].clamp(max=1e6), lw=1, label=f"$\\eta = {lr}$")
ax.set(xlabel="$t$", ylabel="$L$", ylim=(1e-5, 1e3))
ax.legend(fontsize=8, loc="upper right", ncol=2)
save_figure(fig, "minibatch_sgd_lr")

# --8<-- [start:paths]
# Only w moves here (b stays at its least-squares value), so that all
# paths fit one contour plot.
b_ls = theta_ls[2]
# L(w, b_LS) is a least-squares loss in w alone
A_w, y_w = A[:, :2], y - b_ls
w_start = torch.tensor([[-1.0], [1.0]], dtype=torch.float64)
paths = {}
for size in (n, 100, 10):  # |B| = n is full-batch gradient descent
    epochs = 40 * size // n + 1  # enough epochs for 40 steps
    paths[size] = minibatch_sgd(A_w, y_w, w_start, 0.1, size, epochs)[
        :41
    ]
# --8<-- [end:paths]

W1, W2 = torch.meshgrid(
    torch.linspace(-1.5, 3, 91, dtype=torch.float64),
    torch.linspace(-4.5, 1.5, 121, dtype=torch.float64),
    indexing="xy",
)
grid = torch.stack([W1.reshape(-1), W2.reshape(-1)], dim=1).unsqueeze(-1)  # (k, 2, 1)
fig, ax = plt.subplots(figsize=(4, 4.2))
ax.contour(
    W1,
    W2,
    loss(A_w, y_w, grid).reshape(W1.shape),
    cmap="viridis",
    linewidths=0.8,
    levels=[0.05, 0.3, 1, 2, 4, 7, 11],
)
for size, style in [
    (n, dict(marker="o", ms=5, lw=2.5, color="0.6")),  # wide, grey, below
    (100, dict(marker="s", ms=2.5, lw=1, color="tab:orange")),
    (10, dict(marker="^", ms=2.5, lw=1, color="tab:green")),
]:
    p = paths[size][:, :, 0]
    ax.plot(p[:, 0], p[:, 1], **style, label=f"$|\\mathcal{{B}}| = {size}$")
ax.plot(*theta_ls[:2, 0].tolist(), "k+", ms=9, mew=1.5, zorder=5)
ax.set(xlabel="$w_1$", ylabel="$w_2$", aspect="equal")
ax.legend(fontsize=8, loc="upper right")
save_figure(fig, "minibatch_sgd_paths")

# --8<-- [start:noise_floor]
# Start exactly at the minimiser θ_LS and keep η fixed: does SGD stay
# there?
tails = {}
for lr in (0.03, 0.003):
    path = minibatch_sgd(
        A, y, theta_ls, lr, batch_size=10, num_epochs=20
    )
    # skip 5 epochs while the jitter builds up
    tails[lr] = path[500:] - theta_ls
    rms = tails[lr].norm(dim=1).pow(2).mean().sqrt().item()
    centre = tails[lr].mean(dim=0).norm().item()
    print(
        f"lr {lr}: RMS distance from θ_LS = {rms:.1e},",
        f"mean of the iterates is {centre:.1e} from θ_LS",
    )
# --8<-- [end:noise_floor]

# --8<-- [start:noise_scale]
theta_true = torch.tensor(
    [*true_w.tolist(), true_b], dtype=torch.float64
).reshape(3, 1)
print(
    f"θ_LS is {(theta_ls - theta_true).norm().item():.1e} from θ_true"
)
# --8<-- [end:noise_scale]


# --8<-- [start:jitter_rule]
def independent_draws(A, y, theta, lr, batch_size, num_steps):
    """SGD whose every minibatch is drawn afresh, not cut from one
    shuffle per epoch.
    """
    path = [theta]
    for step in range(num_steps):
        # |B| distinct examples, any of the n
        batch = torch.randperm(len(A))[:batch_size]
        err = A[batch] @ theta - y[batch]
        theta = theta - lr * A[batch].T @ err / batch_size
        path.append(theta)
    return torch.stack(path)


sigma, size = 0.01, 10
for lr in (0.03, 0.003):
    # σ·√(η(d+1)/(2|B|)), d + 1 = 3 parameters
    rule = sigma * (lr * A.shape[1] / (2 * size)) ** 0.5
    tail = (
        independent_draws(A, y, theta_ls, lr, size, num_steps=2000)[
            500:
        ]
        - theta_ls
    )
    independent = tail.norm(dim=1).pow(2).mean().sqrt().item()
    # from the run above
    shuffled = tails[lr].norm(dim=1).pow(2).mean().sqrt().item()
    print(
        f"lr {lr}: rule of thumb {rule:.1e}"
        f", independent draws {independent:.1e}, "
        f"one shuffle per epoch {shuffled:.1e}"
    )
# --8<-- [end:jitter_rule]

fig, ax = plt.subplots(figsize=(4.5, 3))
for lr in (0.03, 0.003):
    d = tails[lr][:, :2, 0] * 1e3
    ax.plot(d[:, 0], d[:, 1], ".", ms=2, alpha=0.5, label=f"$\\eta = {lr}$")
ax.plot(0, 0, "k+", ms=9, mew=1.5)
ax.set(
    xlabel=r"$10^3\,(w_1 - \hat{w}_{\mathrm{LS},1})$",
    ylabel=r"$10^3\,(w_2 - \hat{w}_{\mathrm{LS},2})$",
    aspect="equal",
)
ax.legend(fontsize=8, loc="upper right", markerscale=4)
save_figure(fig, "minibatch_sgd_jitter")


# --8<-- [start:schedule]
def rms_at_the_end(path):
    """RMS distance from θ_LS over the last two epochs (200
    iterates
    at |B| = 10).
    """
    return (
        (path[-200:] - theta_ls)
        .norm(dim=1)
        .pow(2)
        .mean()
        .sqrt()
        .item()
    )


fixed_large = minibatch_sgd(
    A, y, theta0, 0.03, batch_size=10, num_epochs=15
)
fixed_small = minibatch_sgd(
    A, y, theta0, 0.003, batch_size=10, num_epochs=15
)
first_part = minibatch_sgd(
    A, y, theta0, 0.03, batch_size=10, num_epochs=5
)
# then η drops tenfold, going on from where the first part stopped
decayed = minibatch_sgd(
    A, y, first_part[-1], 0.003, batch_size=10, num_epochs=10
)
print(
    "15 epochs at lr 0.03:           "
    f"{rms_at_the_end(fixed_large):.1e} from θ_LS"
)
print(
    "15 epochs at lr 0.003:          "
    f"{rms_at_the_end(fixed_small):.1e} from θ_LS"
)
print(
    "5 epochs at 0.03, 10 at 0.003:  "
    f"{rms_at_the_end(decayed):.1e} from θ_LS"
)
# --8<-- [end:schedule]
