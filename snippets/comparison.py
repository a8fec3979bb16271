"""From-scratch SGD, concise SGD and least squares on the same data, the page "方法对比 / Comparing the methods".

Run: python snippets/comparison.py [number of seeds]   (the page shows 20; fewer is quicker)
"""

# --8<-- [start:imports]
import random
import time

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# the 20-seed comparison takes a few seconds; fewer is quicker
num_seeds = 20
# --8<-- [end:imports]
import sys

from _plot import save_figure  # the site's figure style, and saving for the page
from data import synthetic_data, true_b, true_w  # shown on the page from snippets/data.py

num_seeds = int(sys.argv[1]) if len(sys.argv) > 1 else num_seeds  # python snippets/comparison.py 3

# The training functions below repeat the code of the two implementation pages (scratch.py runs a
# whole script when imported, so its loop is restated here, in a few lines). Every method returns
# θ = (w₁, w₂, b) as one vector.


# --8<-- [start:scratch_sgd]
def data_iter(batch_size, features, labels):
    indices = list(range(len(features)))
    random.shuffle(indices)
    for i in range(0, len(features), batch_size):
        batch = torch.tensor(indices[i : i + batch_size])
        yield features[batch], labels[batch]


def sgd_iterates(
    features, labels, seed, num_epochs, lr=0.03, batch_size=10
):
    """Minibatch SGD on ½(ŷ − y)² as on the from-scratch page, with
    the same random calls after
    the same seed; yields (epoch, θ) after every step.
    """
    # seeded right before training, as on the from-scratch page
    torch.manual_seed(seed)
    random.seed(seed)
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            ((X @ w + b - y) ** 2 / 2).sum().backward()
            with torch.no_grad():
                for param in (w, b):
                    param -= lr * param.grad / len(X)
                    param.grad.zero_()
            # a copy, not a view
            yield epoch, torch.cat([w.detach().flatten(), b.detach()])


def train_scratch_sgd(features, labels, seed, num_epochs=3):
    # the last iterate
    return list(sgd_iterates(features, labels, seed, num_epochs))[-1][
        1
    ]


# --8<-- [end:scratch_sgd]


# --8<-- [start:concise_sgd]
def train_concise(
    features, labels, seed, num_epochs=3, lr=0.03, batch_size=10
):
    """The concise page's training, with the same random calls after
    the same seed.
    """
    train_loader = DataLoader(
        TensorDataset(features, labels), batch_size, shuffle=True
    )
    net = nn.Sequential(nn.Linear(2, 1))
    # seeded right before training, as on the concise page
    torch.manual_seed(seed)
    nn.init.normal_(net[0].weight, mean=0, std=0.01)
    nn.init.zeros_(net[0].bias)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    for epoch in range(num_epochs):
        for X, y in train_loader:
            batch_loss = loss_fn(net(X), y)
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
    return torch.cat(
        [net[0].weight.detach().flatten(), net[0].bias.detach()]
    )


# --8<-- [end:concise_sgd]


# --8<-- [start:lstsq]
def solve_lstsq(features, labels):
    """Minimise ‖Aθ − y‖² directly; A = [X, 1], the column of ones
    multiplies b.
    """
    A = torch.cat([features, torch.ones(len(features), 1)], dim=1)
    # In float64, so that this reference is exact to far below the
    # errors we compare with it.
    return (
        torch.linalg.lstsq(
            A.double(), labels.double(), driver="gelsd"
        )
        .solution.flatten()
        .float()
    )


# --8<-- [end:lstsq]

# --8<-- [start:metrics]
# θ_true = (w₁, w₂, b)
true_theta = torch.cat([true_w, torch.tensor([true_b])])


def max_abs(v):
    return v.abs().max().item()


# --8<-- [end:metrics]

# --8<-- [start:floor]
sigma = 0.01
print(f"sigma / sqrt(1000) = {sigma / 1000**0.5:.1e}")
for n in [250, 1000, 4000]:
    deviations = []
    # no training here, so many seeds are cheap
    for seed in range(200):
        torch.manual_seed(seed)
        features, labels = synthetic_data(true_w, true_b, n)
        deviations.append(solve_lstsq(features, labels) - true_theta)
    deviations = torch.stack(deviations)
    rms = deviations.pow(2).mean().sqrt().item()
    worst = deviations.abs().amax(dim=1).mean()
    print(
        f"n = {n:>4}: rms error {rms:.1e}"
        f", rms * sqrt(n) / sigma = {rms * n**0.5 / sigma:.2f}, "
        f"mean max|θ_LS - θ_true| = {worst:.1e}"
    )
# --8<-- [end:floor]


# --8<-- [start:averaged]
def train_averaged_sgd(features, labels, seed, num_epochs=8):
    """The same SGD, run longer. Returns its last iterate and the mean
    of all the iterates of the
    second half of training (Polyak averaging); the first half lets
    it forget where it started.
    """
    iterates = [
        theta
        for epoch, theta in sgd_iterates(
            features, labels, seed, num_epochs
        )
        if epoch >= num_epochs // 2
    ]
    return iterates[-1], torch.stack(iterates).mean(dim=0)


# --8<-- [end:averaged]

# --8<-- [start:fit_all]
methods = [
    "from-scratch SGD",
    "concise SGD",
    "SGD, last iterate",
    "SGD, averaged",
    "least squares",
]
epochs = [3, 3, 8, 8, None]


def timed(fit, *args):
    start = time.perf_counter()
    result = fit(*args)
    return result, time.perf_counter() - start


def fit_all(seed):
    """Every method on the data of one seed: returns ({method: θ},
    {method: seconds}).
    """
    # the same data as the other pages at this seed
    torch.manual_seed(seed)
    features, labels = synthetic_data(true_w, true_b, 1000)
    (scratch, t_scratch) = timed(
        train_scratch_sgd, features, labels, seed
    )
    (concise, t_concise) = timed(
        train_concise, features, labels, seed
    )
    ((last, averaged), t_long) = timed(
        train_averaged_sgd, features, labels, seed
    )
    (ls, t_ls) = timed(solve_lstsq, features, labels)
    thetas = dict(
        zip(methods, [scratch, concise, last, averaged, ls])
    )
    seconds = dict(
        zip(methods, [t_scratch, t_concise, t_long, t_long, t_ls])
    )
    return thetas, seconds


# --8<-- [end:fit_all]

# --8<-- [start:table]
# The first call of torch.optim pays a one-off start-up cost: a tiny
# warm-up run keeps it out of
# the timings (every method seeds itself, so the results do not
# change).
train_concise(
    *synthetic_data(true_w, true_b, 20), seed=0, num_epochs=1
)

thetas, seconds = fit_all(seed=0)
ls = thetas["least squares"]
print(
    f"{'method (seed 0)':<18} {'epochs':>6}"
    f" {'max|θ-θ_true|':>14} {'max|θ-θ_LS|':>12} {'time':>9}"
)
for method, num_epochs in zip(methods, epochs):
    theta = thetas[method]
    print(
        f"{method:<18} {num_epochs or '-':>6}"
        f" {max_abs(theta - true_theta):>14.1e} "
        f"{max_abs(theta - ls):>12.1e}"
        f" {seconds[method] * 1000:>6.1f} ms"
    )
# --8<-- [end:table]

# --8<-- [start:seeds]
# max|θ − θ_true| per seed
errors = {method: [] for method in methods}
# max|θ − θ_LS| per seed
distances = {method: [] for method in methods}
times = {method: [] for method in methods}
for seed in range(num_seeds):
    thetas, seconds = fit_all(seed)
    for method in methods:
        errors[method].append(max_abs(thetas[method] - true_theta))
        distances[method].append(
            max_abs(thetas[method] - thetas["least squares"])
        )
        times[method].append(seconds[method])

errors = {
    method: torch.tensor(values) for method, values in errors.items()
}
distances = {
    method: torch.tensor(values)
    for method, values in distances.items()
}
floor = errors["least squares"].mean()
print(
    f"{f'{num_seeds} seeds':<18} {'mean max|θ-θ_true|':>19}"
    f" {'/ least squares':>16} {'worst seed':>11} "
    f"{'mean max|θ-θ_LS|':>17} {'median time':>12}"
)
for method in methods:
    e, d = errors[method], distances[method]
    ms = torch.tensor(times[method]).median() * 1000
    print(
        f"{method:<18} {e.mean():>19.1e}"
        f" {e.mean() / floor:>16.2f} {e.max():>11.1e} "
        f"{d.mean():>17.1e} {ms:>9.1f} ms"
    )
# --8<-- [end:seeds]

# --8<-- [start:plot]
fig, ax = plt.subplots(figsize=(4.5, 3.5))
markers = {
    "from-scratch SGD": "o",
    "concise SGD": "^",
    "SGD, averaged": "s",
}
for method, marker in markers.items():
    ax.scatter(
        errors["least squares"],
        errors[method],
        marker=marker,
        s=18,
        alpha=0.8,
        label=method,
    )
# the floor
ax.plot(
    [1e-4, 3e-3],
    [1e-4, 3e-3],
    color="black",
    lw=0.8,
    label="as good as least squares",
)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel(
    r"$\max|\hat{\theta}_{\mathrm{LS}} - \theta_{\mathrm{true}}|$"
)
ax.set_ylabel(r"$\max|\hat{\theta} - \theta_{\mathrm{true}}|$")
ax.legend(fontsize=8)
# --8<-- [end:plot]
save_figure(fig, "comparison_errors")
