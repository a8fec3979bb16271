"""The squared loss, where it comes from (Gaussian noise and maximum likelihood), and vertical (least
squares) against perpendicular (total least squares) distance.

Run: python snippets/loss.py [seed]   (the page shows seed 0)
"""

import math
import sys

import torch

from _plot import plt, save_figure
from data import synthetic_data, true_b, true_w

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0


# --8<-- [start:mean_loss]
def mean_loss(X, y, w, b):
    """L(w, b): the mean over all n examples of ½(ŷ − y)²."""
    y_hat = X @ w + b
    return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).mean()


torch.manual_seed(seed)
features, labels = synthetic_data(true_w, true_b, 1000)
L_true = mean_loss(features, labels, true_w, true_b)
L_zero = mean_loss(features, labels, torch.zeros(2), 0.0)
print(f"L at the true w, b: {L_true:.2e}")
print(f"L at w = 0, b = 0:  {L_zero:.2e}")
# --8<-- [end:mean_loss]


# --8<-- [start:likelihood]
def neg_log_likelihood(X, y, w, b, sigma):
    """−log p(y | X) for y = Xw + b + ε, ε ~ N(0, σ²):
    the sum over the examples."""
    r = y[:, 0] - (X @ w + b)  # residuals
    constant = len(y) / 2 * math.log(2 * math.pi * sigma**2)
    return constant + (r**2).sum() / (2 * sigma**2)


# float64: the comparison measures the maths, not rounding
X64, y64 = features.double(), labels.double()
ones = torch.ones(len(X64), 1, dtype=torch.float64)
A = torch.cat([X64, ones], dim=1)  # A = [X, 1]
solution = torch.linalg.lstsq(A, y64, driver="gelsd").solution
theta_ls = solution[:, 0]  # (w1, w2, b)
print(
    "least squares      (w1, w2, b):",
    [round(v, 6) for v in theta_ls.tolist()],
)

theta_ml = {}
for sigma in (0.01, 1.0):
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    # L-BFGS: a general-purpose minimiser that only needs the function
    # and its gradient.
    optimizer = torch.optim.LBFGS(
        [w, b], max_iter=100, line_search_fn="strong_wolfe"
    )

    # L-BFGS calls this whenever it needs the function and its
    # gradient
    def closure():
        optimizer.zero_grad()
        nll = neg_log_likelihood(X64, y64, w, b, sigma)
        nll.backward()
        return nll

    optimizer.step(closure)
    theta_ml[sigma] = torch.cat([w, b]).detach()
    nll = neg_log_likelihood(X64, y64, w, b, sigma).item()
    print(
        f"max likelihood, σ = {sigma:<4} (w1, w2, b):",
        [round(v, 6) for v in theta_ml[sigma].tolist()],
        f"| −log p = {nll:.1f}",
    )
gap = max(
    (theta - theta_ls).abs().max().item()
    for theta in theta_ml.values()
)
print(f"largest difference from least squares: {gap:.0e}")
# --8<-- [end:likelihood]


# --8<-- [start:fit_both]
def ols_line(x, y):
    """Least squares: minimise the squared VERTICAL distances.
    Returns (slope, intercept)."""
    # columns: x and a column of ones
    A = torch.cat([x, torch.ones_like(x)], dim=1)
    solution = torch.linalg.lstsq(A, y, driver="gelsd").solution
    slope, intercept = solution[:, 0]
    return slope.item(), intercept.item()


def tls_line(x, y):
    """Total least squares: minimise the squared PERPENDICULAR
    distances. Returns (slope, intercept)."""
    centred = torch.cat([x - x.mean(), y - y.mean()], dim=1)
    # The best line through the centre runs along the first right
    # singular vector; the last one is its normal (a, c):
    # a·(x - x̄) + c·(y - ȳ) = 0 on the line.
    a, c = torch.linalg.svd(centred, full_matrices=False).Vh[-1]
    slope = (-a / c).item()
    return slope, (y.mean() - slope * x.mean()).item()


def large_n_limits(cov):
    """Where both slopes go as n grows, from the covariance matrix
    of (x, y)."""
    ols = cov[0, 1] / cov[0, 0]  # cov(x, y) / var(x)
    major_axis = torch.linalg.eigh(cov).eigenvectors[:, -1]
    return ols.item(), (major_axis[1] / major_axis[0]).item()


# --8<-- [end:fit_both]

# --8<-- [start:noise_in_y]
w, b, sigma = torch.tensor([2.0]), 1.0, 1.0
torch.manual_seed(seed)
# x exact, noise in y only
x, y = synthetic_data(w, b, 1000, noise=sigma)
print("true slope:", w.item())
print(
    f"fitted: OLS {ols_line(x, y)[0]:.3f},",
    f"TLS {tls_line(x, y)[0]:.3f}",
)
# var(x) = 1, y = 2x + 1 + ε
cov = torch.tensor([[1.0, 2.0], [2.0, 4.0 + sigma**2]])
print("n → ∞:  OLS {:.3f}, TLS {:.3f}".format(*large_n_limits(cov)))
# --8<-- [end:noise_in_y]

# --8<-- [start:noise_in_both]
torch.manual_seed(seed)
# noise in y ...
x_exact, y2 = synthetic_data(w, b, 1000, noise=0.6)
# ... and the same amount in x
x2 = x_exact + torch.normal(0, 0.6, x_exact.shape)
print(
    f"fitted: OLS {ols_line(x2, y2)[0]:.3f},",
    f"TLS {tls_line(x2, y2)[0]:.3f}",
)
cov = torch.tensor([[1.0 + 0.6**2, 2.0], [2.0, 4.0 + 0.6**2]])
print("n → ∞:  OLS {:.3f}, TLS {:.3f}".format(*large_n_limits(cov)))

# Predicting y for NEW examples, whose x is just as noisy:
# mean squared error of each line.
x_new, y_new = synthetic_data(w, b, 1000, noise=0.6)
x_new = x_new + torch.normal(0, 0.6, x_new.shape)
for name, fit in [("OLS", ols_line), ("TLS", tls_line)]:
    slope, intercept = fit(x2, y2)
    error = ((slope * x_new + intercept - y_new) ** 2).mean()
    print(
        f"{name} line, mean squared error on new examples:",
        f"{error:.2f}",
    )
# --8<-- [end:noise_in_both]

# --8<-- [start:units]
# The same data, x measured in other units (x·c). Convert each fitted
# slope back to the original units (× c) and compare: the answer
# should not depend on the units.
for c in [0.1, 1.0, 10.0]:
    ols_slope = ols_line(x * c, y)[0] * c
    tls_slope = tls_line(x * c, y)[0] * c
    print(
        f"x in units × {c:>4}: OLS {ols_slope:.3f},",
        f"TLS {tls_slope:.3f}",
    )
# --8<-- [end:units]

# Figure: the same 8 points, vertical residuals to the OLS line (left),
# perpendicular residuals to the TLS line (right).
torch.manual_seed(3)
px, py = synthetic_data(torch.tensor([1.0]), 0.0, 8, noise=0.7)
fig, axes = plt.subplots(1, 2, figsize=(6.4, 3), sharex=True, sharey=True)
for ax, fit, colour in [(axes[0], ols_line, "tab:blue"), (axes[1], tls_line, "tab:orange")]:
    slope, intercept = fit(px, py)
    xs, ys = px[:, 0], py[:, 0]
    if fit is ols_line:  # foot of the vertical segment: same x, on the line
        fx, fy = xs, slope * xs + intercept
    else:  # foot of the perpendicular: project the point onto the line
        t = (xs + slope * (ys - intercept)) / (1 + slope**2)
        fx, fy = t, slope * t + intercept
    line = torch.linspace(float(xs.min()) - 0.5, float(xs.max()) + 0.5, 2)
    ax.plot(line, slope * line + intercept, color=colour)
    for x0, y0, x1, y1 in zip(xs, ys, fx, fy):
        ax.plot([x0, x1], [y0, y1], color="tab:red", linewidth=1)
    ax.scatter(xs, ys, s=14, color="black", zorder=3)
    ax.set_aspect("equal")  # so that right angles look right
    ax.set_xlabel("$x$")
axes[0].set_ylabel("$y$")
axes[0].set_title(r"$|\hat{y} - y|$")
axes[1].set_title(r"$\perp$")
save_figure(fig, "loss_residuals")

# Figure: the normal density N(0, σ²) of the noise for three σ. The smaller σ, the narrower
# and taller the bell (its peak is 1/(√(2π)·σ), above 1 once σ < 0.4).
eps = torch.linspace(-5, 5, 401)
fig, ax = plt.subplots(figsize=(5, 2.8))
for s in (0.5, 1.0, 2.0):
    density = torch.exp(-(eps**2) / (2 * s**2)) / math.sqrt(2 * math.pi * s**2)
    ax.plot(eps, density, label=f"$\\sigma = {s}$")
ax.set_xlabel(r"$\epsilon$")
ax.set_ylabel(r"$p(\epsilon)$")
ax.legend()
save_figure(fig, "loss_density")
