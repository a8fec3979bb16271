"""Exercises with solutions: one section per solution on the page "练习 / Exercises".

Run: python snippets/exercises.py [seed]   (the page shows seed 0)
Every solution sets the seed again, so each can be read (and rerun) on its own.
"""

import math
import sys

import torch
from torch import nn

from data import synthetic_data, true_b, true_w
from training import fit  # shown on the page from snippets/training.py

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0

# --8<-- [start:common]
torch.manual_seed(seed)
features, labels = synthetic_data(true_w, true_b, 1000)
# --8<-- [end:common]


# --8<-- [start:zero_init]
def train_scratch(w, b, lr=0.03, batch_size=10, num_epochs=3):
    """The from-scratch loop: ½ squared loss summed over the batch,
    SGD step divided by its size.
    """
    for epoch in range(num_epochs):
        order = torch.randperm(len(features))
        for i in range(0, len(features), batch_size):
            batch = order[i : i + batch_size]
            losses = (
                features[batch] @ w + b - labels[batch]
            ) ** 2 / 2
            losses.sum().backward()
            with torch.no_grad():
                for param in (w, b):
                    param -= lr * param.grad / len(batch)
                    param.grad.zero_()
    return torch.cat([w.detach().flatten(), b.detach()])


# θ_true = (w₁, w₂, b)
true_theta = torch.cat([true_w, torch.tensor([true_b])])
torch.manual_seed(seed)
w = torch.zeros(2, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
((features @ w + b - labels) ** 2 / 2).mean().backward()
# not zero: training can start
print("gradient at w = 0, b = 0:", w.grad.flatten(), b.grad)
print("minus the mean label:    ", -labels.mean())
w.grad, b.grad = None, None
from_zero = train_scratch(w, b)

torch.manual_seed(seed)
w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
from_random = train_scratch(w, b)
print("from zeros: ", from_zero)
print("from random:", from_random)
print(
    f"max |error|, zeros: {(from_zero - true_theta).abs().max():.1e}"
    ", "
    f"random: {(from_random - true_theta).abs().max():.1e}"
)
# --8<-- [end:zero_init]

# --8<-- [start:ohm]
torch.manual_seed(seed)
R_true = 4.7  # ohm
# 50 measurements: current I in A (either direction), voltage V = R I
# + noise of 0.1 V
current, voltage = synthetic_data(
    torch.tensor([R_true]), 0.0, 50, noise=0.1
)

R_closed = (current * voltage).sum() / (current**2).sum()
print(f"closed form:      R = {R_closed.item():.3f} ohm")

net = nn.Linear(1, 1, bias=False)  # V = R I: no offset
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
# full-batch gradient descent, 50 examples are few
for step in range(100):
    full_loss = nn.MSELoss()(net(current), voltage)
    optimizer.zero_grad()
    full_loss.backward()
    optimizer.step()
print(f"gradient descent: R = {net.weight.item():.3f} ohm")

with_offset = torch.linalg.lstsq(
    torch.cat([current, torch.ones(50, 1)], dim=1),
    voltage,
    driver="gelsd",
).solution.flatten()
print(
    f"with an offset:   R = {with_offset[0]:.3f}"
    f" ohm, offset {with_offset[1]:.3f} V"
)
# --8<-- [end:ohm]


# --8<-- [start:robust_grads]
def huber(r, delta=1.0):
    """½r² near 0, linear beyond |r| = delta; the two pieces meet
    with
    the same slope.
    """
    return torch.where(
        r.abs() <= delta, r**2 / 2, delta * (r.abs() - delta / 2)
    )


# residuals y - ŷ
r = torch.tensor([-3.0, -0.5, 0.0, 0.5, 3.0], requires_grad=True)
# the gradient with respect to r
abs_grad = torch.autograd.grad(r.abs().sum(), r)[0]
huber_grad = torch.autograd.grad(huber(r).sum(), r)[0]
r = r.detach()
print("r:          ", r)
print("|r|:        ", r.abs())
print("d|r|/dr:    ", abs_grad)
print("huber(r):   ", huber(r))
print("dhuber/dr:  ", huber_grad)
print("d|r|/dr == sign(r):", torch.equal(abs_grad, torch.sign(r)))
print(
    "dhuber/dr == clamp(r, -1, 1):",
    torch.equal(huber_grad, r.clamp(-1, 1)),
)
print(
    "huber == nn.HuberLoss:",
    torch.allclose(
        huber(r), nn.HuberLoss(reduction="none")(r, 0 * r)
    ),
)
# --8<-- [end:robust_grads]

# --8<-- [start:robust_fit]
torch.manual_seed(seed)
X, y = synthetic_data(true_w, true_b, 200)
# 10 of the 200 labels are gross errors
y[:10] += 20
for name, loss_fn in [
    ("squared", nn.MSELoss()),
    ("absolute", nn.L1Loss()),
    ("Huber", nn.HuberLoss(delta=1.0)),
]:
    net = nn.Linear(2, 1)
    nn.init.zeros_(net.weight)
    nn.init.zeros_(net.bias)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for step in range(500):
        full_loss = loss_fn(net(X), y)
        optimizer.zero_grad()
        full_loss.backward()
        optimizer.step()
    print(
        f"{name:8}: w {net.weight.detach().flatten()}"
        f", b {net.bias.item():.3f}"
    )
# --8<-- [end:robust_fit]

# --8<-- [start:lr_sweep]
sweep = {}
for lr in (0.001, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0):
    torch.manual_seed(seed)
    sweep[lr] = fit(nn.Linear(2, 1), features, labels, lr=lr)
    print(f"lr = {lr:<5}: loss after 3 epochs {sweep[lr]:.3g}")
# --8<-- [end:lr_sweep]

# --8<-- [start:lr_limit]
# A = [X, 1]: rows are x̃ = (x, 1)
A = torch.cat([features, torch.ones(len(features), 1)], dim=1)
# eigvalsh: ascending, so [-1] is the largest
mu_max = torch.linalg.eigvalsh(A.T @ A / len(A))[-1].item()
print(f"largest eigenvalue of M = AᵀA/n: mu_max = {mu_max:.2f}")
print(
    "full-batch limit: nn.MSELoss 1/mu_max "
    f"= {1 / mu_max:.2f}, ½ loss 2/mu_max = {2 / mu_max:.2f}"
)
# --8<-- [end:lr_limit]

# --8<-- [start:lr_fine]
fine = {}
for lr in (0.7, 0.8, 0.85, 0.9):
    finals, diverged = [], 0
    for run in range(5):
        # each run its own initial weights and order of the
        # minibatches
        torch.manual_seed(run)
        net = nn.Linear(2, 1)
        with torch.no_grad():
            start = nn.MSELoss()(net(features), labels).item()
        finals.append(fit(net, features, labels, lr=lr))
        # above the starting loss (`not <` also catches inf, nan)
        diverged += not finals[-1] < start
    fine[lr] = torch.tensor(finals)
    print(
        f"lr = {lr:<4} (½ loss: {2 * lr:.1f}"
        f"): median loss {fine[lr].median():.1e}, "
        f"worst {fine[lr].max():.1e}, diverged in {diverged} of 5 "
        "runs"
    )
# --8<-- [end:lr_fine]

# --8<-- [start:lr_batches]
# 100 minibatches of 10 rows
batches = A.reshape(100, 10, 3)
mu_batches = torch.linalg.eigvalsh(
    batches.transpose(1, 2) @ batches / 10
)[:, -1]
print(
    "mu_max of M_B over 100 minibatches "
    f"of 10: median {mu_batches.median():.2f}, "
    f"smallest {mu_batches.min():.2f}"
    f"; 1 / median = {1 / mu_batches.median():.2f}"
)
# --8<-- [end:lr_batches]


# --8<-- [start:mse_sum]
def params_after(reduction, lr, batch_size):
    # same initial weights and same shuffling for every call
    torch.manual_seed(seed)
    net = nn.Linear(2, 1)
    fit(
        net,
        features,
        labels,
        lr=lr,
        batch_size=batch_size,
        loss_fn=nn.MSELoss(reduction=reduction),
    )
    return torch.cat(
        [net.weight.detach().flatten(), net.bias.detach()]
    )


batch_size = 10
mean_run = params_after("mean", 0.03, batch_size)
sum_run = params_after("sum", 0.03 / batch_size, batch_size)
print("reduction='mean', lr=0.03:     ", mean_run)
print("reduction='sum',  lr=0.03 / 10:", sum_run)
print(f"largest difference: {(mean_run - sum_run).abs().max():.1e}")
print(
    "reduction='sum',  lr=0.03, batch size 100:",
    params_after("sum", 0.03, 100),
)
# --8<-- [end:mse_sum]


# --8<-- [start:bias_closed_form]
def best_b(w):
    """The b that minimises the squared loss for a fixed w: mean label
    minus mean prediction.
    """
    return (labels.mean() - features.mean(dim=0) @ w).item()


print(f"w = true w:      best b = {best_b(true_w):.4f}")
A = torch.cat([features, torch.ones(len(features), 1)], dim=1)
w_ls, b_ls = (
    torch.linalg.lstsq(A, labels, driver="gelsd")
    .solution.flatten()
    .split([2, 1])
)
print(
    f"w = lstsq's w:   best b = {best_b(w_ls):.6f}"
    f", lstsq's own b = {b_ls.item():.6f}"
)
b = torch.tensor(best_b(true_w), requires_grad=True)
((features @ true_w + b - labels[:, 0]) ** 2 / 2).mean().backward()
print(f"dL/db at that b: {b.grad.item():.1e}")
# --8<-- [end:bias_closed_form]


# --8<-- [start:collinear]
def steps_to_converge(A, y, lr, tol=1e-3, max_steps=100_000):
    """Full-batch gradient descent on the ½ squared loss from θ = 0;
    the number of steps until
    every component is within tol of the least-squares solution.
    """
    theta_ls = torch.linalg.lstsq(A, y, driver="gelsd").solution
    theta = torch.zeros(A.shape[1], 1, dtype=A.dtype)
    for step in range(1, max_steps + 1):
        # the gradient, written out
        theta -= lr * A.T @ (A @ theta - y) / len(A)
        if (theta - theta_ls).abs().max() < tol:
            return step, theta_ls.flatten()
    return None, theta_ls.flatten()


torch.manual_seed(seed)
n = 1000
x1, z = (
    torch.randn(n, 1, dtype=torch.float64),
    torch.randn(n, 1, dtype=torch.float64),
)
noise = torch.normal(0, 0.01, (n, 1), dtype=torch.float64)
collinear = {}
print(
    f"{'delta':>5} {'kappa(M)':>9} {'steps':>6}"
    f" {'steps/kappa':>12} {'w1_LS':>8} {'w2_LS':>8} {'w1+w2':>8}"
)
for delta in (1.0, 0.3, 0.1):
    # x2 = x1 + delta z: nearly x1 when delta is small
    X = torch.cat([x1, x1 + delta * z], dim=1)
    y = X @ true_w.double().reshape(2, 1) + true_b + noise
    A = torch.cat([X, torch.ones(n, 1, dtype=torch.float64)], dim=1)
    # of M, ascending
    eigenvalues = torch.linalg.eigvalsh(A.T @ A / n)
    kappa = (eigenvalues[-1] / eigenvalues[0]).item()
    steps, theta_ls = steps_to_converge(
        A, y, lr=1 / eigenvalues[-1].item()
    )
    collinear[delta] = kappa, steps, theta_ls
    w1, w2 = theta_ls[:2].tolist()
    print(
        f"{delta:>5} {kappa:>9.0f} {steps:>6}"
        f" {steps / kappa:>12.1f} {w1:>8.4f}"
        f" {w2:>8.4f} {w1 + w2:>8.4f}"
    )
# --8<-- [end:collinear]

# --8<-- [start:weight_grad]
torch.manual_seed(seed)
net = nn.Sequential(nn.Linear(2, 1))
X, y = features[:10], labels[:10]
print("before backward:", net[0].weight.grad)
l = nn.MSELoss()(net(X), y)
l.backward()
print(
    "net[0].weight.grad:",
    net[0].weight.grad,
    net[0].weight.grad.shape,
)
print("net[0].bias.grad:  ", net[0].bias.grad)
# ŷ - y, shape (10, 1)
residual = (net(X) - y).detach()
# d mean((ŷ - y)²) / dW
by_hand = 2 * residual.T @ X / len(X)
print("by hand:           ", by_hand)
print(
    "equal:",
    torch.allclose(net[0].weight.grad, by_hand),
    torch.allclose(net[0].bias.grad, 2 * residual.mean(dim=0)),
)
# --8<-- [end:weight_grad]

# --8<-- [start:noise_level]
torch.manual_seed(seed)
for sigma in (0.01, 0.1, 1.0):
    X, y = synthetic_data(true_w, true_b, 1000, noise=sigma)
    A = torch.cat([X, torch.ones(len(X), 1)], dim=1)
    fitted = A @ torch.linalg.lstsq(A, y, driver="gelsd").solution
    mse = ((fitted - y) ** 2).mean()
    print(
        f"noise {sigma:<4}: MSE of the fit "
        f"{mse.item():.3g}, sqrt(MSE) {mse.sqrt().item():.4f}"
    )
# --8<-- [end:noise_level]

# --8<-- [start:laplace_nll]
torch.manual_seed(seed)
laplace = torch.distributions.Laplace(0.0, 1.0)  # p(ε) = ½ exp(−|ε|)
# y − ŷ, if the model is right
residuals = laplace.sample((1000,))
# −log of the likelihood of the data
nll = -laplace.log_prob(residuals).sum()
print(f"negative log-likelihood: {nll.item():.2f}")
total = residuals.abs().sum() + len(residuals) * math.log(2)
print(f"sum |r| + n log 2:       {total.item():.2f}")
# --8<-- [end:laplace_nll]


# --8<-- [start:laplace_sgd]
def fit_minibatch(X, y, loss_fn, lrs, batch_size=10):
    """Minibatch SGD from zero; lrs holds one learning rate per
    epoch.
    """
    net = nn.Linear(2, 1)
    nn.init.zeros_(net.weight)
    nn.init.zeros_(net.bias)
    optimizer = torch.optim.SGD(net.parameters(), lr=lrs[0])
    for lr in lrs:
        for group in optimizer.param_groups:
            # this epoch's learning rate
            group["lr"] = lr
        order = torch.randperm(len(X))
        for i in range(0, len(X), batch_size):
            batch = order[i : i + batch_size]
            batch_loss = loss_fn(net(X[batch]), y[batch])
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
    return torch.cat(
        [net.weight.detach().flatten(), net.bias.detach()]
    )


# divided by about 3 every epoch
shrinking = [0.1, 0.03, 0.01, 0.003, 0.001, 0.0003]
runs = {
    "squared, lr 0.03, 3 epochs": (nn.MSELoss(), [0.03] * 3),
    "absolute, lr 0.03, 3 epochs": (nn.L1Loss(), [0.03] * 3),
    "absolute, lr 0.03, 6 epochs": (nn.L1Loss(), [0.03] * 6),
    "absolute, shrinking lr, 6 epochs": (nn.L1Loss(), shrinking),
}
laplace_sgd = {}
for name, (loss_fn, lrs) in runs.items():
    # the same shuffling for every run
    torch.manual_seed(seed)
    theta = fit_minibatch(features, labels, loss_fn, lrs)
    laplace_sgd[name] = (theta - true_theta).abs().max().item()
    print(f"{name:<34} max|θ - θ_true| {laplace_sgd[name]:.1e}")
# --8<-- [end:laplace_sgd]

# --8<-- [start:laplace_fit]
torch.manual_seed(seed)
laplace_errors = {
    "squared (lstsq)": [],
    "absolute (SGD, shrinking lr)": [],
}
# 20 data sets with Laplace noise
for k in range(20):
    X = torch.randn(1000, 2)
    y = X @ true_w.reshape(2, 1) + true_b + laplace.sample((1000, 1))
    A = torch.cat([X, torch.ones(1000, 1)], dim=1)
    theta_l2 = torch.linalg.lstsq(
        A, y, driver="gelsd"
    ).solution.flatten()
    theta_l1 = fit_minibatch(X, y, nn.L1Loss(), shrinking)
    laplace_errors["squared (lstsq)"].append(
        (theta_l2 - true_theta).abs().max().item()
    )
    laplace_errors["absolute (SGD, shrinking lr)"].append(
        (theta_l1 - true_theta).abs().max().item()
    )
mean_error = {
    name: sum(errors) / len(errors)
    for name, errors in laplace_errors.items()
}
for name, error in mean_error.items():
    print(f"{name:<29} mean max|θ - θ_true| {error:.4f}")
ratio = (
    mean_error["absolute (SGD, shrinking lr)"]
    / mean_error["squared (lstsq)"]
)
print(f"absolute / squared: {ratio:.2f}")
# --8<-- [end:laplace_fit]
