"""Exercises with solutions: one section per solution on the page "练习 / Exercises".

Run: python snippets/exercises.py [seed]   (the page shows seed 0)
Every solution sets the seed again, so each can be read (and rerun) on its own.
"""
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
    """The from-scratch loop: ½ squared loss summed over the batch, SGD step divided by its size."""
    for epoch in range(num_epochs):
        order = torch.randperm(len(features))
        for i in range(0, len(features), batch_size):
            batch = order[i:i + batch_size]
            l = (features[batch] @ w + b - labels[batch]) ** 2 / 2
            l.sum().backward()
            with torch.no_grad():
                for param in (w, b):
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()
    return torch.cat([w.detach().flatten(), b.detach()])


true_params = torch.cat([true_w, torch.tensor([true_b])])
torch.manual_seed(seed)
w = torch.zeros(2, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
((features @ w + b - labels) ** 2 / 2).mean().backward()
print("gradient at w = 0, b = 0:", w.grad.flatten(), b.grad)   # not zero: training can start
print("minus the mean label:    ", -labels.mean())
w.grad, b.grad = None, None
from_zero = train_scratch(w, b)

torch.manual_seed(seed)
w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
from_random = train_scratch(w, b)
print("from zeros: ", from_zero)
print("from random:", from_random)
print(f"max |error|, zeros: {(from_zero - true_params).abs().max():.1e}, "
      f"random: {(from_random - true_params).abs().max():.1e}")
# --8<-- [end:zero_init]

# --8<-- [start:ohm]
torch.manual_seed(seed)
R_true = 4.7                     # ohm
# 50 measurements: current I in A (either direction), voltage V = R I + noise of 0.1 V
current, voltage = synthetic_data(torch.tensor([R_true]), 0.0, 50, noise=0.1)

R_closed = (current * voltage).sum() / (current ** 2).sum()
print(f"closed form:      R = {R_closed.item():.3f} ohm")

net = nn.Linear(1, 1, bias=False)   # V = R I: no offset
trainer = torch.optim.SGD(net.parameters(), lr=0.1)
for step in range(100):            # full-batch gradient descent, 50 examples are few
    l = nn.MSELoss()(net(current), voltage)
    trainer.zero_grad()
    l.backward()
    trainer.step()
print(f"gradient descent: R = {net.weight.item():.3f} ohm")

with_offset = torch.linalg.lstsq(torch.cat([current, torch.ones(50, 1)], dim=1), voltage,
                                 driver="gelsd").solution.flatten()
print(f"with an offset:   R = {with_offset[0]:.3f} ohm, offset {with_offset[1]:.3f} V")
# --8<-- [end:ohm]

# --8<-- [start:robust_grads]
def huber(r, delta=1.0):
    """½r² near 0, linear beyond |r| = delta; the two pieces meet with the same slope."""
    return torch.where(r.abs() <= delta, r ** 2 / 2, delta * (r.abs() - delta / 2))


r = torch.tensor([-3.0, -0.5, 0.0, 0.5, 3.0], requires_grad=True)   # residuals ŷ - y
abs_grad, = torch.autograd.grad(r.abs().sum(), r)
huber_grad, = torch.autograd.grad(huber(r).sum(), r)
r = r.detach()
print("r:          ", r)
print("|r|:        ", r.abs())
print("d|r|/dr:    ", abs_grad)
print("huber(r):   ", huber(r))
print("dhuber/dr:  ", huber_grad)
print("d|r|/dr == sign(r):", torch.equal(abs_grad, torch.sign(r)))
print("dhuber/dr == clamp(r, -1, 1):", torch.equal(huber_grad, r.clamp(-1, 1)))
print("huber == nn.HuberLoss:", torch.allclose(huber(r), nn.HuberLoss(reduction="none")(r, 0 * r)))
# --8<-- [end:robust_grads]

# --8<-- [start:robust_fit]
torch.manual_seed(seed)
X, y = synthetic_data(true_w, true_b, 200)
y[:10] += 20                     # 10 of the 200 labels are gross errors
for name, loss in [("squared", nn.MSELoss()), ("absolute", nn.L1Loss()),
                   ("Huber", nn.HuberLoss(delta=1.0))]:
    net = nn.Linear(2, 1)
    nn.init.zeros_(net.weight)
    nn.init.zeros_(net.bias)
    trainer = torch.optim.SGD(net.parameters(), lr=0.1)
    for step in range(500):
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    print(f"{name:8}: w {net.weight.data.flatten()}, b {net.bias.item():.3f}")
# --8<-- [end:robust_fit]

# --8<-- [start:lr_sweep]
sweep = {}
for lr in (0.001, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0):
    torch.manual_seed(seed)
    sweep[lr] = fit(nn.Linear(2, 1), features, labels, lr=lr)
    print(f"lr = {lr:<5}: loss after 3 epochs {sweep[lr]:.3g}")
# --8<-- [end:lr_sweep]

# --8<-- [start:lr_limit]
X1 = torch.cat([features, torch.ones(len(features), 1)], dim=1)   # x with a 1 appended
batches = X1.reshape(100, 10, 3)                                   # 100 minibatches of 10
lam_all = torch.linalg.eigvalsh(X1.T @ X1 / len(X1))[-1]
lam_batches = torch.linalg.eigvalsh(batches.transpose(1, 2) @ batches / 10)[:, -1]
print(f"largest eigenvalue of A: all data {lam_all:.2f}, "
      f"minibatches of 10: median {lam_batches.median():.2f}, smallest {lam_batches.min():.2f}")
# --8<-- [end:lr_limit]

# --8<-- [start:mse_sum]
def params_after(reduction, lr, batch_size):
    torch.manual_seed(seed)      # same initial weights and same shuffling for every call
    net = nn.Linear(2, 1)
    fit(net, features, labels, lr=lr, batch_size=batch_size, loss=nn.MSELoss(reduction=reduction))
    return torch.cat([net.weight.detach().flatten(), net.bias.detach()])


batch_size = 10
mean_run = params_after("mean", 0.03, batch_size)
sum_run = params_after("sum", 0.03 / batch_size, batch_size)
print("reduction='mean', lr=0.03:     ", mean_run)
print("reduction='sum',  lr=0.03 / 10:", sum_run)
print(f"largest difference: {(mean_run - sum_run).abs().max():.1e}")
print("reduction='sum',  lr=0.03, batch size 100:", params_after("sum", 0.03, 100))
# --8<-- [end:mse_sum]

# --8<-- [start:bias_closed_form]
def best_b(w):
    """The b that minimises the squared loss for a fixed w: mean label minus mean prediction."""
    return (labels.mean() - features.mean(dim=0) @ w).item()


print(f"w = true w:      best b = {best_b(true_w):.4f}")
X1 = torch.cat([features, torch.ones(len(features), 1)], dim=1)
w_ls, b_ls = torch.linalg.lstsq(X1, labels, driver="gelsd").solution.flatten().split([2, 1])
print(f"w = lstsq's w:   best b = {best_b(w_ls):.6f}, lstsq's own b = {b_ls.item():.6f}")
b = torch.tensor(best_b(true_w), requires_grad=True)
((features @ true_w + b - labels[:, 0]) ** 2 / 2).mean().backward()
print(f"dL/db at that b: {b.grad.item():.1e}")
# --8<-- [end:bias_closed_form]

# --8<-- [start:duplicate]
X_dup = torch.cat([features[:, :1], features], dim=1)      # columns: x1, x1, x2
X1_dup = torch.cat([X_dup, torch.ones(len(X_dup), 1)], dim=1)
print("rank of X^T X:", torch.linalg.matrix_rank(X1_dup.T @ X1_dup).item(), "of", X1_dup.shape[1])
try:
    solved = torch.linalg.solve(X1_dup.T @ X1_dup, X1_dup.T @ labels)
except torch.linalg.LinAlgError as e:
    print(f"{type(e).__name__}: {e}")
else:                             # rounding left a tiny pivot: some arbitrary split of w1
    print("solve returned:", solved.flatten())

result = torch.linalg.lstsq(X1_dup, labels, driver="gelsd")   # SVD based, handles rank < 4
print("lstsq solution (w1, w1', w2, b):", result.solution.flatten())
print("rank:", result.rank.item(), " singular values:", result.singular_values)

other = result.solution.clone()
other[0], other[1] = other[0] + other[1], 0.0       # put all of w1 on the first copy
print("another solution:", other.flatten())
print("same predictions:", torch.allclose(X1_dup @ other, X1_dup @ result.solution, atol=1e-5),
      f" norms: {other.norm():.4f} (other) > {result.solution.norm():.4f} (lstsq)")

torch.manual_seed(seed)
net_dup = nn.Linear(3, 1)
nn.init.zeros_(net_dup.weight)
nn.init.zeros_(net_dup.bias)
fit(net_dup, X_dup, labels)
print("SGD from zeros:", net_dup.weight.data.flatten(), net_dup.bias.data)
# --8<-- [end:duplicate]

# --8<-- [start:weight_grad]
torch.manual_seed(seed)
net = nn.Sequential(nn.Linear(2, 1))
X, y = features[:10], labels[:10]
print("before backward:", net[0].weight.grad)
l = nn.MSELoss()(net(X), y)
l.backward()
print("net[0].weight.grad:", net[0].weight.grad, net[0].weight.grad.shape)
print("net[0].bias.grad:  ", net[0].bias.grad)
residual = (net(X) - y).detach()                             # ŷ - y, shape (10, 1)
by_hand = 2 * residual.T @ X / len(X)                          # d mean((ŷ - y)²) / dW
print("by hand:           ", by_hand)
print("equal:", torch.allclose(net[0].weight.grad, by_hand),
      torch.allclose(net[0].bias.grad, 2 * residual.mean(dim=0)))
# --8<-- [end:weight_grad]

# --8<-- [start:noise_level]
torch.manual_seed(seed)
for sigma in (0.01, 0.1, 1.0):
    X, y = synthetic_data(true_w, true_b, 1000, noise=sigma)
    X1 = torch.cat([X, torch.ones(len(X), 1)], dim=1)
    fitted = X1 @ torch.linalg.lstsq(X1, y, driver="gelsd").solution
    mse = ((fitted - y) ** 2).mean()
    print(f"noise {sigma:<4}: MSE of the fit {mse.item():.3g}, sqrt(MSE) {mse.sqrt().item():.4f}")
# --8<-- [end:noise_level]
