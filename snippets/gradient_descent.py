"""Gradient descent: loss surfaces, the gradient, its formula checked by autograd, too large a step,
feature standardisation, momentum.

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
# float64, so that the comparisons below measure the formulas,
# not rounding errors
f64 = torch.float64
X, y = features.to(f64), labels.to(f64)


def loss(X, y, w, b):
    """L(w, b): the mean over all examples of ½(ŷ − y)²."""
    return ((X @ w + b - y) ** 2 / 2).mean()


# --8<-- [end:data]


# --8<-- [start:formula]
def grad_formula(X, y, w, b):
    """∂L/∂w = Xᵀ(Xw + b − y)/n and ∂L/∂b = mean(Xw + b − y)."""
    # errors ŷ − y (minus the residuals), shape (n, 1)
    err = X @ w + b - y
    return X.T @ err / len(X), err.mean().reshape(1)


# --8<-- [end:formula]


# --8<-- [start:tangent]
def autograd_grad(w, b):
    """∇L at (w, b) by autograd, as one vector
    (∂L/∂w1, ∂L/∂w2, ∂L/∂b)."""
    # copies that record
    w = w.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    loss(X, y, w, b).backward()
    # cat: join the pieces into one vector
    return torch.cat([w.grad[:, 0], b.grad])


def per_example_loss(w, b):
    # l⁽ⁱ⁾ for every i, shape (n,)
    return ((X @ w + b - y) ** 2 / 2)[:, 0]


w0, b0 = torch.zeros(2, 1, dtype=f64), torch.zeros(1, dtype=f64)
grad = autograd_grad(w0, b0)
# Nudge w1 back and forth and watch every example's own height:
# some rise, others fall.
h = torch.tensor([[1e-4], [0.0]], dtype=f64)
up, down = per_example_loss(w0 + h, b0), per_example_loss(w0 - h, b0)
slopes = (up - down) / 2e-4
rising = (slopes > 0).sum().item()
print(f"examples whose loss rises with w1: {rising} of {len(X)}")
print(
    f"mean slope over all {len(X)} examples:",
    f"{slopes.mean().item():.4f}   dL/dw1: {grad[0].item():.4f}",
)

# small moves of w1, w2, b, and each parameter's contribution
step = torch.tensor([0.01, -0.02, 0.03], dtype=f64)
parts = grad * step
print(
    "contributions of w1, w2, b:",
    [round(p, 4) for p in parts.tolist()],
)
gaps = []
# the step, then half of it
for name, delta in [("δ  ", step), ("δ/2", step / 2)]:
    predicted = (grad * delta).sum().item()
    moved = loss(X, y, w0 + delta[:2].reshape(2, 1), b0 + delta[2])
    actual = (moved - loss(X, y, w0, b0)).item()
    gaps.append(actual - predicted)
    print(
        f"step {name}: tangent plane predicts {predicted:.4f},",
        f"the loss changes by {actual:.4f},",
        f"gap {actual - predicted:.2e}",
    )
print(f"gap at δ/2 divided by gap at δ: {gaps[1] / gaps[0]:.3f}")
# --8<-- [end:tangent]

# --8<-- [start:steepest]
u = torch.randn(2000, 3, dtype=f64)
# 2000 random unit directions in (w1, w2, b)
u = u / u.norm(dim=1, keepdim=True)


def loss_at(theta):
    """L at many parameter points at once: theta has one row
    (w1, w2, b) per point."""
    return ((X @ theta[:, :2].T + theta[:, 2] - y) ** 2 / 2).mean(
        dim=0
    )


theta0, eps = torch.zeros(1, 3, dtype=f64), 1e-5
# rise per unit step along each direction, by central differences
rise = loss_at(theta0 + eps * u) - loss_at(theta0 - eps * u)
slope = rise / (2 * eps)
best = slope.argmax()
cosine = (u[best] @ grad / grad.norm()).clamp(max=1)
angle = torch.rad2deg(torch.acos(cosine))
print(
    f"steepest of 2000 directions rises at {slope[best].item():.4f}",
    "per unit step",
)
print(
    f"|grad L| = {grad.norm().item():.4f},",
    f"angle between them: {angle.item():.1f} degrees",
)
# --8<-- [end:steepest]

# --8<-- [start:check]
torch.manual_seed(seed + 1)
# any point will do
w, b = torch.randn(2, 1, dtype=f64), torch.randn(1, dtype=f64)
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


# from w0 = 0, b0 = 0 (section 2)
path = gradient_descent(X, y, w0, b0, lr=0.3, num_steps=30)
for k in range(0, 31, 5):
    print(f"step {k:2d}: L = {loss(X, y, *path[k]).item():.6f}")
w_gd, b_gd = path[-1]
print("w:", w_gd[:, 0].tolist(), " b:", b_gd.item())
# --8<-- [end:descent]

# --8<-- [start:curvature]
# The Hessian of L in θ = (w1, w2, b): H = AᵀA/n, with A = [X, 1].
A = torch.cat([X, torch.ones(len(X), 1, dtype=f64)], dim=1)
H = A.T @ A / len(A)
mu = torch.linalg.eigvalsh(H)  # eigenvalues, smallest first
U = torch.linalg.eigh(H).eigenvectors  # column k goes with mu[k]
print("eigenvalues of H:", [round(m, 4) for m in mu.tolist()])
print("all positive (H positive definite):", bool((mu > 0).all()))


def L_at(theta):
    """L at theta = (w1, w2, b)."""
    return loss(X, y, theta[:2].reshape(2, 1), theta[2:])


# Second derivative of t ↦ L(θ + t·u) by a central difference
# (exact for a parabola, up to rounding), at an arbitrary point θ
theta, t = torch.tensor([0.5, -1.0, 2.0], dtype=f64), 0.1
for k in range(3):
    u_k = U[:, k]
    up, down = L_at(theta + t * u_k), L_at(theta - t * u_k)
    second = (up - 2 * L_at(theta) + down) / t**2
    print(
        f"along eigenvector {k}: L'' = {second.item():.4f}",
        f"  mu = {mu[k].item():.4f}",
    )

# The correlated features of section 9: mean 0, variance 1 each,
# correlation 0.8.
torch.manual_seed(seed)
x1 = torch.randn(1000, 1, dtype=f64)
x_other = torch.randn(1000, 1, dtype=f64)
# 0.6 = √(1 − 0.8²), so the second feature has variance 1 too
X_corr = torch.cat([x1, 0.8 * x1 + 0.6 * x_other], dim=1)
noise = 0.01 * torch.randn(1000, 1, dtype=f64)
y_corr = X_corr @ true_w.to(f64).reshape(2, 1) + true_b + noise
A_corr = torch.cat([X_corr, torch.ones(1000, 1, dtype=f64)], dim=1)
mu_corr = torch.linalg.eigvalsh(A_corr.T @ A_corr / 1000)
print(
    "eigenvalues, correlated:",
    [round(m, 4) for m in mu_corr.tolist()],
)
ratio = (mu_corr[-1] / mu_corr[0]).item()
print(
    f"mu_max / mu_min = {ratio:.2f};",
    f"longest / shortest half-axis = {ratio**0.5:.2f}",
)
# --8<-- [end:curvature]

# --8<-- [start:overshoot]
# One dimension: L(w) = ½·c·w², whose curvature L'' is c, with the
# minimum at w = 0. A step takes w to w − η·c·w = (1 − η·c)·w:
# closer to 0 only if |1 − η·c| < 1, i.e. η·c < 2.
c = 1.0
overshoot = {}
for lr in (0.5, 1.5, 2.5):
    w_1d = [1.0]
    for _ in range(6):
        w_1d.append(w_1d[-1] - lr * c * w_1d[-1])
    overshoot[lr] = w_1d
    print(
        f"eta * L'' = {lr * c}: w =",
        " ".join(f"{v:+.3f}" for v in w_1d),
    )

# On our data the steepest curvature of L is μ_max, the largest
# eigenvalue of the Hessian H (the box before this section).
mu_max = mu[-1].item()
print(
    f"largest curvature of L: {mu_max:.3f},",
    f"so eta must stay below {2 / mu_max:.3f}",
)
for lr in (1.5, 2.5):
    p = gradient_descent(X, y, w0, b0, lr, 30)
    print(
        f"full batch, eta = {lr}:",
        f"L after 30 steps = {loss(X, y, *p[-1]).item():.2e}",
    )
# --8<-- [end:overshoot]

# --8<-- [start:houses]
# House prices at natural scales: area around 100 m², age 0 to 20
# years, price in 10,000 yuan.
torch.manual_seed(seed)
area = 100 + 25 * torch.randn(1000, 1, dtype=f64)
age = 20 * torch.rand(1000, 1, dtype=f64)
X_raw = torch.cat([area, age], dim=1)
w_house, b_house = torch.tensor([[1.5], [-0.5]], dtype=f64), 20.0
noise = torch.randn(1000, 1, dtype=f64)  # noise σ = 1
y_raw = X_raw @ w_house + b_house + noise

A_raw = torch.cat([X_raw, torch.ones(1000, 1, dtype=f64)], dim=1)
# the eigenvalues of the Hessian, smallest to largest
curvatures = torch.linalg.eigvalsh(A_raw.T @ A_raw / 1000)
print(
    f"curvatures of L: smallest {curvatures[0]:.3f},",
    f"largest {curvatures[-1]:.0f}",
    f"(eta must stay below {2 / curvatures[-1]:.1e})",
)


def losses_at(X, y, lr, steps):
    """Full-batch gradient descent from w = 0, b = 0; L after each
    number of steps in `steps`."""
    p = gradient_descent(X, y, w0, b0, lr, max(steps))
    return [loss(X, y, *p[k]).item() for k in steps]


raw_fast = losses_at(X_raw, y_raw, 0.3, [10, 100])
raw_slow = losses_at(X_raw, y_raw, 1e-4, [100, 10000])
print(
    "raw features, eta = 0.3:    L after "
    f"10 steps = {raw_fast[0]:.1e},",
    f"after 100 = {raw_fast[1]:.1e}",
)
print(
    "raw features, eta = 0.0001: L after "
    f"100 steps = {raw_slow[0]:.2f},",
    f"after 10000 = {raw_slow[1]:.2f}",
)
# --8<-- [end:houses]

# --8<-- [start:standardise]
# Standardise with the statistics of the TRAINING data, and keep them
# for new inputs.
mean, std = X_raw.mean(dim=0), X_raw.std(dim=0)


def standardise(X):
    # broadcast: every row minus the means, divided by the stds
    return (X - mean) / std


X_std = standardise(X_raw)
path_std = gradient_descent(
    X_std, y_raw, w0, b0, lr=0.3, num_steps=100
)
w_std, b_std = path_std[-1]
L_std = loss(X_std, y_raw, w_std, b_std).item()
print(f"standardised, eta = 0.3:    L after 100 steps = {L_std:.2f}")

# Back to the raw scale: ŷ = Σ w_std·(x − mean)/std + b_std.
w_back = w_std / std.reshape(2, 1)
b_back = b_std - (mean / std) @ w_std
print(
    "on the raw scale: w =",
    [round(v, 4) for v in w_back[:, 0].tolist()],
    " b =",
    round(b_back.item(), 4),
)
solution = torch.linalg.lstsq(A_raw, y_raw, driver="gelsd").solution
theta_ls = solution[:, 0]
print(
    "least squares:    w =",
    [round(v, 4) for v in theta_ls[:2].tolist()],
    " b =",
    round(theta_ls[2].item(), 4),
)

# New houses: standardise them with the SAME training statistics,
# then predict.
X_new = torch.tensor([[120.0, 3.0], [75.0, 15.0]], dtype=f64)
via_std = standardise(X_new) @ w_std + b_std
via_raw = X_new @ w_back + b_back
print(
    "new houses:",
    [round(v, 2) for v in via_std[:, 0].tolist()],
    "| same with raw-scale weights:",
    torch.allclose(via_std, via_raw),
)
# --8<-- [end:standardise]


# --8<-- [start:momentum]
def heavy_ball(X, y, w, b, lr, beta, num_steps):
    """Gradient descent with momentum: the velocity v remembers
    past gradients."""
    path, vw, vb = [(w, b)], torch.zeros_like(w), torch.zeros_like(b)
    for _ in range(num_steps):
        dw, db = grad_formula(X, y, w, b)
        # beta = 0: plain descent
        vw, vb = beta * vw - lr * dw, beta * vb - lr * db
        w, b = w + vw, b + vb
        path.append((w, b))
    return path


# X_corr, y_corr, A_corr: the correlated features of the box before
# section 7. Standardising changes nothing there, but the bowl is a
# long diagonal valley.
w_start = torch.tensor([[-1.0], [0.5]], dtype=f64)
# b = 4.2, the slice drawn in the figure
b_start = torch.tensor([true_b], dtype=f64)
# (w1, w2, b) at the exact minimum, and the minimum itself
theta_min = torch.linalg.lstsq(
    A_corr, y_corr, driver="gelsd"
).solution
L_min = loss(X_corr, y_corr, theta_min[:2], theta_min[2])
valley = {
    beta: heavy_ball(
        X_corr,
        y_corr,
        w_start,
        b_start,
        lr=0.5,
        beta=beta,
        num_steps=300,
    )
    for beta in (0, 0.5, 0.9)
}
for beta, p in valley.items():
    gaps_to_min = [loss(X_corr, y_corr, *q) - L_min for q in p]
    steps = next(k for k, gap in enumerate(gaps_to_min) if gap < 1e-6)
    print(
        f"beta = {beta}: {steps} steps until L is within 1e-6",
        "of its minimum",
    )
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
ax.set(xlabel="$w_1$", ylabel="$w_2$", title="$l^{(1)}$", xlim=(-2, 5), ylim=(-6, 2), aspect="equal")
save_figure(fig, "gradient_descent_trough")

# The mean L is a bowl; arrows show −∇L, the dots a descent path in w on this slice.
fig, ax = plt.subplots(figsize=(4, 4))
W1, W2, L = contour_grid(X, y, b_fix, w1, w2)
ax.contour(W1, W2, L, levels=[0.1, 1, 3, 6, 10, 15, 21], cmap="viridis", linewidths=1)
a1, a2 = torch.meshgrid(
    torch.linspace(-1.5, 4.5, 7, dtype=f64),
    torch.linspace(-5.5, 1.5, 8, dtype=f64),
    indexing="xy",
)
feet = torch.stack([a1.reshape(-1), a2.reshape(-1)])
G = grad_formula(X, y, feet, b_fix)[0]  # ∂L/∂w at every arrow's foot (one column each)
ax.quiver(feet[0], feet[1], -G[0], -G[1], color="0.45", angles="xy", scale_units="xy", scale=6, width=0.006)
w_path = [torch.tensor([[-1.0], [1.0]], dtype=f64)]
for _ in range(12):
    w_path.append(w_path[-1] - 0.3 * grad_formula(X, y, w_path[-1], b_fix)[0])
pts = torch.cat(w_path, dim=1)
ax.plot(pts[0], pts[1], "o-", color="tab:red", ms=3, lw=1.2)
ax.set(xlabel="$w_1$", ylabel="$w_2$", title="$L$", xlim=(-2, 5), ylim=(-6, 2), aspect="equal")
save_figure(fig, "gradient_descent_contours")

# The correlated features: a long diagonal valley; plain descent (β = 0) and the heavy ball.
fig, ax = plt.subplots(figsize=(4.5, 3.4))
W1, W2, L = contour_grid(
    X_corr,
    y_corr,
    b_fix,
    torch.linspace(-1.5, 3.5, 101, dtype=f64),
    torch.linspace(-4.5, 1.0, 111, dtype=f64),
)
ax.contour(W1, W2, L, levels=[0.05, 0.3, 1, 2, 4, 7, 11], cmap="viridis", linewidths=1)
for beta, style in [(0, "o-"), (0.5, "s-")]:
    pts = torch.cat([q[0] for q in valley[beta][:26]], dim=1)  # the first 25 steps
    ax.plot(pts[0], pts[1], style, ms=3, lw=1, label=f"$\\beta = {beta}$")
ax.plot(*theta_min[:2, 0].tolist(), "k+", ms=9, mew=1.5, zorder=5)
ax.set(xlabel="$w_1$", ylabel="$w_2$", aspect="equal")
ax.legend(loc="upper right", fontsize=8)
save_figure(fig, "gradient_descent_momentum")

# The valley's contours are ellipses whose axes are the eigenvectors of the Hessian. In the
# slice b = b̂ (the best bias) the Hessian in (w1, w2) is the 2×2 block XᵀX/n; the half-axes of
# the contour L − L_min = c are √(2c/μ) long.
fig, ax = plt.subplots(figsize=(4.5, 3.4))
b_best = theta_min[2]
w_best = theta_min[:2, 0]
W1, W2, L = contour_grid(
    X_corr,
    y_corr,
    b_best,
    torch.linspace(-1.5, 5.5, 141, dtype=f64),
    torch.linspace(-7.0, 0.2, 145, dtype=f64),
)
levels = [0.02, 0.1, 0.3, 0.7, 1.3]
ax.contour(W1, W2, L - L_min, levels=levels, cmap="viridis", linewidths=1)
mu_slice, U_slice = torch.linalg.eigh(X_corr.T @ X_corr / len(X_corr))
c = levels[3]
for k, name in [(0, "\\mu_{\\min}"), (1, "\\mu_{\\max}")]:
    end = w_best + (2 * c / mu_slice[k]) ** 0.5 * U_slice[:, k] * (1 if U_slice[1, k] < 0 else -1)
    ax.annotate("", end.tolist(), w_best.tolist(), arrowprops=dict(arrowstyle="->", color="tab:red", lw=1.4))
    ax.annotate(
        f"$\\propto 1/\\sqrt{{{name}}}$",
        end.tolist(),
        textcoords="offset points",
        xytext=(4, -12) if k == 0 else (-4, -14),
        ha="left" if k == 0 else "right",
        fontsize=9,
        color="tab:red",
    )
ax.plot(*w_best.tolist(), "k+", ms=9, mew=1.5, zorder=5)
ax.set(xlabel="$w_1$", ylabel="$w_2$", aspect="equal")
save_figure(fig, "gradient_descent_axes")

# Too large a step in one dimension: L(w) = ½w², steps with η·L'' = 1.5 and 2.5 from w = 1.
fig, axes = plt.subplots(1, 2, figsize=(6.4, 2.6))
for ax, lr, edge in zip(axes, (1.5, 2.5), (1.3, 3.6)):
    ws = torch.linspace(-edge, edge, 200)
    pts = torch.tensor(overshoot[lr][:4])
    ax.plot(ws, ws**2 / 2, color="0.6", lw=1)
    ax.plot(pts, pts**2 / 2, "o-", color="tab:red", ms=4, lw=1)
    for k, v in enumerate(pts.tolist()):
        ax.annotate(f"${k}$", (v, v**2 / 2), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set(xlabel="$w$", title=f"$\\eta L'' = {lr}$", ylim=(-0.05 * edge**2, 0.55 * edge**2))
axes[0].set_ylabel("$L$")
save_figure(fig, "gradient_descent_overshoot")
