"""The analytic solution: a column of ones, the projection picture, torch.linalg.lstsq, rank deficiency.

Run: python snippets/normal_equation.py [seed]   (the page shows seed 0)
"""

import math
import sys

import torch

from _plot import plt, save_figure
from data import synthetic_data, true_b, true_w

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0

# --8<-- [start:augment]
torch.manual_seed(seed)  # the same data as the from-scratch page
features, labels = synthetic_data(true_w, true_b, 1000)
n = len(features)
# A = [X, 1]: [x1, x2, 1] in every row
A = torch.cat([features, torch.ones(n, 1)], dim=1)
# θ = (w1, w2, b)
theta_true = torch.cat([true_w, torch.tensor([true_b])])
print("first rows of A:\n", A[:3])
print(
    "Aθ equals Xw + b:",
    torch.allclose(A @ theta_true, features @ true_w + true_b),
)
# --8<-- [end:augment]

# --8<-- [start:lstsq]
# driver="gelsd" (SVD-based): copes with any A and gives the same
# answer every run;
# the note on the drivers in section 5 says why we do not rely on the
# default.
# shape (3, 1): [w1, w2, b]
theta_ls = torch.linalg.lstsq(A, labels, driver="gelsd").solution
theta_err = theta_ls[:, 0] - theta_true
print("θ_LS:", theta_ls[:, 0])
print("θ_LS - θ_true:", theta_err)
print(f"max |error|: {theta_err.abs().max():.1e}")
# --8<-- [end:lstsq]


# --8<-- [start:orthogonal]
def cosines(M, v):
    """cos of the angle between v and each column of M (0 means
    perpendicular).
    """
    return (M.T @ v)[:, 0] / (M.norm(dim=0) * v.norm())


e = labels - A @ theta_ls  # the residual
print("A^T e:", (A.T @ e)[:, 0])
print("cos(column, e):     ", cosines(A, e))
print("cos(column, random):", cosines(A, torch.randn(n, 1)))
# The same in float64: what was left in float32 was rounding.
A64, y64 = A.double(), labels.double()
e64 = (
    y64 - A64 @ torch.linalg.lstsq(A64, y64, driver="gelsd").solution
)
print("cos(column, e), float64:", cosines(A64, e64))
# the last row of A^T e = 0, divided by n
print(f"mean residual, float64: {e64.mean().item():.0e}")
# --8<-- [end:orthogonal]

# --8<-- [start:conditioning]
# Two features that are almost the same number: A is ill-conditioned.
torch.manual_seed(seed)
x1 = torch.randn(n, 1)
x2 = x1 + 1e-3 * torch.randn(n, 1)
A_ill = torch.cat([x1, x2, torch.ones(n, 1)], dim=1)
y = 2 * x1 - 3.4 * x2 + 4.2 + 0.01 * torch.randn(n, 1)

# The exact least-squares solution of THIS data, computed in float64,
# as the reference.
best = torch.linalg.lstsq(
    A_ill.double(), y.double(), driver="gelsd"
).solution
# float32, works on A
via_lstsq = torch.linalg.lstsq(A_ill, y, driver="gelsd").solution
# float32, textbook formula
via_inverse = torch.linalg.inv(A_ill.T @ A_ill) @ A_ill.T @ y
# float32, no inverse, same A^T A
via_solve = torch.linalg.solve(A_ill.T @ A_ill, A_ill.T @ y)


def correct_digits(theta):
    """Significant digits of theta that agree with the reference (0 if
    none).
    """
    rel_error = ((theta.double() - best).norm() / best.norm()).item()
    return max(0, math.floor(-math.log10(rel_error)))


A_ill64 = A_ill.double()
float32_digits = -math.log10(torch.finfo(torch.float32).eps)
print(f"float32 carries about {float32_digits:.0f} digits")
cond_A = torch.linalg.cond(A_ill64)
cond_AtA = torch.linalg.cond(A_ill64.T @ A_ill64)
print(
    f"log10 cond(A) = {math.log10(cond_A):.1f}, "
    f"log10 cond(A^T A) = {math.log10(cond_AtA):.1f}"
)
print(
    "correct digits of θ: lstsq",
    correct_digits(via_lstsq),
    "| inv(A^T A) @ A^T y",
    correct_digits(via_inverse),
    "| solve(A^T A, A^T y)",
    correct_digits(via_solve),
)
# --8<-- [end:conditioning]

# --8<-- [start:repeated]
# The second feature twice (say, the same measurement stored in two
# columns).
# [x1, x2, x2, 1]
A_rep = torch.cat(
    [features, features[:, 1:], torch.ones(n, 1)], dim=1
)
print(
    "columns:",
    A_rep.shape[1],
    "| rank of A:",
    torch.linalg.matrix_rank(A_rep).item(),
    "| rank of A^T A:",
    torch.linalg.matrix_rank(A_rep.T @ A_rep).item(),
)

fit = torch.linalg.lstsq(A_rep, labels, driver="gelsd")
print(
    "gelsd: θ =", fit.solution[:, 0], "| rank found:", fit.rank.item()
)
print("pinv:  θ =", (torch.linalg.pinv(A_rep) @ labels)[:, 0])

# Another solution: all of the weight on the first copy. Same
# predictions, larger norm.
other = fit.solution.clone()
other[1:3, 0] = torch.tensor([fit.solution[1:3, 0].sum(), 0.0])
print("other: θ =", other[:, 0])
print(
    "same predictions:",
    torch.allclose(A_rep @ other, A_rep @ fit.solution, atol=1e-5),
)
print(
    f"norm of θ: gelsd {fit.solution.norm():.3f}"
    f", other {other.norm():.3f}"
)
# halfway between two minimisers
midpoint = (fit.solution + other) / 2
print(
    "the midpoint predicts the same too:",
    torch.allclose(A_rep @ midpoint, A_rep @ fit.solution, atol=1e-5),
)
# --8<-- [end:repeated]

# --8<-- [start:drivers]
# CUDA's only driver
gels = torch.linalg.lstsq(A_rep, labels, driver="gels").solution
# the weights on the two copies come from rounding errors
copies = gels[1:3, 0]
print(
    f"gels:  weights on the copies sum to {copies.sum():.3f}, "
    f"each over 100 in size: {bool(copies.abs().min() > 100)}"
)

# Two small systems solved as one batch: the identity, then a matrix
# of rank 2.
# gelsy is the CPU default driver.
M = torch.zeros(2, 3, 3, dtype=torch.float64)
M[0] = torch.eye(3)
M[1, 0, 1] = M[1, 1, 2] = 1.0
rhs = torch.ones(2, 3, 1, dtype=torch.float64)
for driver in ["gelsy", "gelsd"]:
    out = torch.linalg.lstsq(M, rhs, driver=driver)
    print(
        f"batch, {driver}: ranks {out.rank.tolist()}, "
        f"second solution {out.solution[1, :, 0].tolist()}"
    )
# --8<-- [end:drivers]

# Figure: 3 examples, 2 columns (ones and one feature). y lives in R^3, the column space is a
# plane through the origin, ŷ is the foot of the perpendicular from y, e = y - ŷ.
ones, col = torch.ones(3), torch.tensor([0.0, 1.0, 2.0])
small = torch.stack([col, ones], dim=1)  # [x, 1], as A = [X, 1]
y3 = torch.tensor([1.6, 0.3, 2.6])
y3_hat = small @ torch.linalg.lstsq(small, y3[:, None], driver="gelsd").solution[ :, 0 ]
e3 = y3 - y3_hat

fig = plt.figure(figsize=(4, 3.2))
ax = fig.add_subplot(projection="3d")
ax.set_proj_type("ortho")
s, t = torch.meshgrid(torch.linspace(-0.2, 1.8, 2), torch.linspace(-0.2, 1.0, 2), indexing="ij")
plane = s[..., None] * ones + t[..., None] * col  # points s·1 + t·x of the column space
ax.plot_surface(plane[..., 0], plane[..., 1], plane[..., 2], color="tab:blue", alpha=0.15)


def arrow(start, end, colour, label, at=1.0, offset=(0, 0, 0)):
    """An arrow from start to end, labelled at the fraction `at` of the way."""
    ax.quiver(*start.tolist(), *(end - start).tolist(), color=colour, arrow_length_ratio=0.1, linewidth=1.6)
    where = start + at * (end - start) + torch.tensor(offset)
    ax.text(*where.tolist(), label, color=colour, fontsize=12)


zero = torch.zeros(3)
arrow(zero, ones, "tab:blue", r"$\mathbf{1}$", offset=(0.05, 0, 0.08))
arrow(zero, col, "tab:blue", r"$\mathbf{x}$", offset=(0, 0.05, 0.08))
arrow(zero, y3, "black", r"$\mathbf{y}$", offset=(0, 0, 0.1))
arrow(zero, y3_hat, "tab:green", r"$\hat{\mathbf{y}}$", offset=(0.1, 0.1, -0.45))
arrow(y3_hat, y3, "tab:red", r"$\mathbf{e}$", at=0.5, offset=(0, 0, 0.12))
# The right angle at ŷ: a small square with sides along e and along ŷ.
u, v = 0.2 * e3 / e3.norm(), -0.2 * y3_hat / y3_hat.norm()
corner = torch.stack([y3_hat + u, y3_hat + u + v, y3_hat + v])
ax.plot(*corner.T.tolist(), color="black", linewidth=1)
ax.set_axis_off()
ax.set_box_aspect((1, 1, 1), zoom=1.8)
ax.view_init(elev=15, azim=60)
save_figure(fig, "normal_equation_projection")
