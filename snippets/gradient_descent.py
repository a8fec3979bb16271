"""Gradient descent: loss surfaces, the gradient, its formula checked by autograd, momentum.

Run: python snippets/gradient_descent.py [seed]   (the page shows seed 0)
"""
import sys

import torch

from _plot import plt, save_figure
from data import synthetic_data, true_b, true_w

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0

# --8<-- [start:data]
torch.manual_seed(seed)
features, labels = synthetic_data(true_w, true_b, 1000)
# float64, so that the comparisons below measure the formulas, not rounding errors
f64 = torch.float64
X, y = features.to(f64), labels.to(f64)


def loss(X, y, w, b):
    """L(w, b): the mean over all examples of ½(ŷ − y)²."""
    return ((X @ w + b - y) ** 2 / 2).mean()
# --8<-- [end:data]

# --8<-- [start:formula]
def grad_formula(X, y, w, b):
    """∂L/∂w = Xᵀ(Xw + b − y)/n and ∂L/∂b = mean(Xw + b − y)."""
    r = X @ w + b - y  # residuals ŷ − y, shape (n, 1)
    return X.T @ r / len(X), r.mean().reshape(1)
# --8<-- [end:formula]

# --8<-- [start:tangent]
def autograd_grad(w, b):
    """∇L at (w, b) by autograd, as one vector (∂L/∂w1, ∂L/∂w2, ∂L/∂b)."""
    w, b = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    loss(X, y, w, b).backward()
    return torch.cat([w.grad[:, 0], b.grad])


def per_example_loss(w, b):
    return ((X @ w + b - y) ** 2 / 2)[:, 0]  # l⁽ⁱ⁾ for every i, shape (n,)


w0, b0 = torch.zeros(2, 1, dtype=f64), torch.zeros(1, dtype=f64)
grad = autograd_grad(w0, b0)
# Nudge w1 back and forth and watch every example's own height: some rise, others fall.
h = torch.tensor([[1e-4], [0.0]], dtype=f64)
slopes = (per_example_loss(w0 + h, b0) - per_example_loss(w0 - h, b0)) / 2e-4
print(f"examples whose loss rises with w1: {(slopes > 0).sum().item()} of {len(X)}")
print(f"mean of their slopes: {slopes.mean().item():.4f}   dL/dw1: {grad[0].item():.4f}")

step = torch.tensor([0.01, -0.02, 0.03], dtype=f64)  # small moves of w1, w2, b
parts = grad * step                                   # each parameter's contribution
actual = loss(X, y, w0 + step[:2].reshape(2, 1), b0 + step[2]) - loss(X, y, w0, b0)
print("contributions of w1, w2, b:", [round(p, 4) for p in parts.tolist()])
print(f"tangent plane predicts {parts.sum().item():.4f},",
      f"the loss changes by {actual.item():.4f}")
# --8<-- [end:tangent]

# --8<-- [start:steepest]
u = torch.randn(2000, 3, dtype=f64)
u = u / u.norm(dim=1, keepdim=True)  # 2000 random unit directions in (w1, w2, b)


def loss_at(theta):
    """L at many parameter points at once: theta has one row (w1, w2, b) per point."""
    return ((X @ theta[:, :2].T + theta[:, 2] - y) ** 2 / 2).mean(dim=0)


theta0, eps = torch.zeros(1, 3, dtype=f64), 1e-5
# rise per unit step along each direction, by central differences
slope = (loss_at(theta0 + eps * u) - loss_at(theta0 - eps * u)) / (2 * eps)
best = slope.argmax()
angle = torch.rad2deg(torch.acos((u[best] @ grad / grad.norm()).clamp(max=1)))
print(f"steepest of 2000 directions rises at {slope[best].item():.4f} per unit step")
print(f"|grad L| = {grad.norm().item():.4f}, angle between them: {angle.item():.1f} degrees")
# --8<-- [end:steepest]

# --8<-- [start:check]
torch.manual_seed(seed + 1)
w, b = torch.randn(2, 1, dtype=f64), torch.randn(1, dtype=f64)  # any point will do
by_autograd = autograd_grad(w, b)
dw, db = grad_formula(X, y, w, b)
by_formula = torch.cat([dw[:, 0], db])
print("autograd (dL/dw1, dL/dw2, dL/db):", by_autograd.tolist())
print("formula  (dL/dw1, dL/dw2, dL/db):", by_formula.tolist())
diff = (by_autograd - by_formula).abs().max().item()
print(f"largest difference: {diff:.1e}")
# --8<-- [end:check]

# --8<-- [start:descent]
def gradient_descent(X, y, w, b, lr, num_steps):
    """Full-batch gradient descent; returns every (w, b) visited."""
    path = [(w, b)]
    for _ in range(num_steps):
        dw, db = grad_formula(X, y, w, b)
        w, b = w - lr * dw, b - lr * db  # a step along −∇L
        path.append((w, b))
    return path

path = gradient_descent(X, y, torch.zeros(2, 1, dtype=f64), torch.zeros(1, dtype=f64),
                        lr=0.3, num_steps=30)
for k in range(0, 31, 5):
    print(f"step {k:2d}: L = {loss(X, y, *path[k]).item():.6f}")
w_gd, b_gd = path[-1]
print("w:", w_gd[:, 0].tolist(), " b:", b_gd.item())
# --8<-- [end:descent]

# --8<-- [start:momentum]
def heavy_ball(X, y, w, b, lr, beta, num_steps):
    """Gradient descent with momentum: the velocity v remembers past gradients."""
    path, vw, vb = [(w, b)], torch.zeros_like(w), torch.zeros_like(b)
    for _ in range(num_steps):
        dw, db = grad_formula(X, y, w, b)
        vw, vb = beta * vw - lr * dw, beta * vb - lr * db  # beta = 0: plain descent
        w, b = w + vw, b + vb
        path.append((w, b))
    return path

X_scaled = X * torch.tensor([1.0, 3.0], dtype=f64)  # x2 in other units: a long valley
w_start = torch.tensor([[-1.0], [0.5]], dtype=f64)
b_start = torch.tensor([true_b], dtype=f64)  # b = 4.2, the slice drawn in the figure
A_scaled = torch.cat([X_scaled, torch.ones(len(X), 1, dtype=f64)], dim=1)
L_min = loss(A_scaled, y, torch.linalg.lstsq(A_scaled, y).solution, 0)  # the exact minimum
valley = {beta: heavy_ball(X_scaled, y, w_start, b_start, lr=0.1, beta=beta, num_steps=300)
          for beta in (0, 0.5, 0.9)}
for beta, p in valley.items():
    steps = next(k for k, q in enumerate(p) if loss(X_scaled, y, *q) - L_min < 1e-6)
    print(f"beta = {beta}: {steps} steps until L is within 1e-6 of its minimum")
# --8<-- [end:momentum]


# ---------------------------------------------------------- figures (not shown on the page)

def contour_grid(X, y, b, w1, w2):
    """L on a grid of (w1, w2) with b held fixed."""
    W1, W2 = torch.meshgrid(w1, w2, indexing="xy")
    W = torch.stack([W1.reshape(-1), W2.reshape(-1)])  # (2, k): one column per grid point
    L = ((X @ W + b - y) ** 2 / 2).mean(dim=0)
    return W1, W2, L.reshape(W1.shape)

b_fix = torch.tensor([true_b], dtype=f64)  # the slice b = 4.2 through the bowl
w1 = torch.linspace(-2, 5, 71, dtype=f64)
w2 = torch.linspace(-6, 2, 81, dtype=f64)

# One example's loss l⁽¹⁾ is a trough: zero all along the line x⁽¹⁾ᵀw + b = y⁽¹⁾.
fig, ax = plt.subplots(figsize=(4, 4))
W1, W2, L1 = contour_grid(X[:1], y[:1], b_fix, w1, w2)
ax.contour(W1, W2, L1, levels=[0.5, 2, 8, 18, 32], cmap="viridis", linewidths=1)
for i in range(4):  # the zero lines of four examples all pass near the true w
    x1, x2 = X[i].tolist()
    ax.plot(w1, (y[i, 0] - b_fix[0] - x1 * w1) / x2, "k--" if i == 0 else "k:", lw=1)
ax.plot(*true_w.tolist(), "r*", ms=9)
ax.set(xlabel="$w_1$", ylabel="$w_2$", title="$l^{(1)}$", xlim=(-2, 5), ylim=(-6, 2),
       aspect="equal")
save_figure(fig, "gradient_descent_trough")

# The mean L is a bowl; arrows show −∇L, the dots a descent path in w on this slice.
fig, ax = plt.subplots(figsize=(4, 4))
W1, W2, L = contour_grid(X, y, b_fix, w1, w2)
ax.contour(W1, W2, L, levels=[0.1, 1, 3, 6, 10, 15, 21], cmap="viridis", linewidths=1)
a1, a2 = torch.meshgrid(torch.linspace(-1.5, 4.5, 7, dtype=f64),
                        torch.linspace(-5.5, 1.5, 8, dtype=f64), indexing="xy")
feet = torch.stack([a1.reshape(-1), a2.reshape(-1)])
G = grad_formula(X, y, feet, b_fix)[0]  # ∂L/∂w at every arrow's foot (one column each)
ax.quiver(feet[0], feet[1], -G[0], -G[1], color="0.45", angles="xy", scale_units="xy",
          scale=6, width=0.006)
w_path = [torch.tensor([[-1.0], [1.0]], dtype=f64)]
for _ in range(12):
    w_path.append(w_path[-1] - 0.3 * grad_formula(X, y, w_path[-1], b_fix)[0])
pts = torch.cat(w_path, dim=1)
ax.plot(pts[0], pts[1], "o-", color="tab:red", ms=3, lw=1.2)
ax.set(xlabel="$w_1$", ylabel="$w_2$", title="$L$", xlim=(-2, 5), ylim=(-6, 2),
       aspect="equal")
save_figure(fig, "gradient_descent_contours")

fig, ax = plt.subplots(figsize=(4.5, 3))
W1, W2, L = contour_grid(X_scaled, y, b_fix, torch.linspace(-1.5, 3, 91, dtype=f64),
                         torch.linspace(-2, 1.5, 71, dtype=f64))
ax.contour(W1, W2, L, levels=[0.05, 0.3, 1, 2, 4, 7, 11], cmap="viridis", linewidths=1)
for beta, style in [(0, "o-"), (0.5, "s-")]:
    pts = torch.cat([q[0] for q in valley[beta][:26]], dim=1)  # the first 25 steps
    ax.plot(pts[0], pts[1], style, ms=3, lw=1, label=f"$\\beta = {beta}$")
ax.set(xlabel="$w_1$", ylabel="$w_2$", aspect="equal")
ax.legend(loc="upper right", fontsize=8)
save_figure(fig, "gradient_descent_momentum")
