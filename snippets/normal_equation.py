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
X = torch.cat([torch.ones(n, 1), features], dim=1)        # [1, x1, x2] in every row
true_beta = torch.cat([torch.tensor([true_b]), true_w])   # β = [b, w1, w2]
print("first rows of X:\n", X[:3])
print("Xβ equals Xw + b:", torch.allclose(X @ true_beta, features @ true_w + true_b))
# --8<-- [end:augment]

# --8<-- [start:lstsq]
# driver="gelsd" (SVD-based): copes with any X and gives the same answer every run;
# the section on rank deficiency says why we do not rely on the default here.
beta = torch.linalg.lstsq(X, labels, driver="gelsd").solution   # shape (3, 1): [b, w1, w2]
beta_err = beta[:, 0] - true_beta
print("β:", beta[:, 0])
print("β - true β:", beta_err)
print(f"max |error|: {beta_err.abs().max():.1e}")
# --8<-- [end:lstsq]

# --8<-- [start:orthogonal]
def cosines(X, v):
    """cos of the angle between v and each column of X (0 means perpendicular)."""
    return (X.T @ v)[:, 0] / (X.norm(dim=0) * v.norm())

e = labels - X @ beta
print("X^T e:", (X.T @ e)[:, 0])
print("cos(column, e):     ", cosines(X, e))
print("cos(column, random):", cosines(X, torch.randn(n, 1)))
# The same in float64: what was left in float32 was rounding.
X64, y64 = X.double(), labels.double()
e64 = y64 - X64 @ torch.linalg.lstsq(X64, y64, driver="gelsd").solution
print("cos(column, e), float64:", cosines(X64, e64))
# --8<-- [end:orthogonal]

# --8<-- [start:conditioning]
# Two features that are almost the same number: X is ill-conditioned.
torch.manual_seed(seed)
x1 = torch.randn(n, 1)
x2 = x1 + 1e-3 * torch.randn(n, 1)
A = torch.cat([torch.ones(n, 1), x1, x2], dim=1)
y = 4.2 + 2 * x1 - 3.4 * x2 + 0.01 * torch.randn(n, 1)

# The exact least-squares solution of THIS data, computed in float64, as the reference.
best = torch.linalg.lstsq(A.double(), y.double(), driver="gelsd").solution
via_lstsq = torch.linalg.lstsq(A, y, driver="gelsd").solution   # float32, works on X
via_inverse = torch.linalg.inv(A.T @ A) @ A.T @ y               # float32, textbook formula
via_solve = torch.linalg.solve(A.T @ A, A.T @ y)                # float32, no inverse, same X^T X

def correct_digits(beta):
    """Significant digits of beta that agree with the reference (0 if none)."""
    rel_error = ((beta.double() - best).norm() / best.norm()).item()
    return max(0, math.floor(-math.log10(rel_error)))

print(f"float32 carries about {-math.log10(torch.finfo(torch.float32).eps):.0f} digits")
print(f"log10 cond(X) = {math.log10(torch.linalg.cond(A.double())):.1f}, "
      f"log10 cond(X^T X) = {math.log10(torch.linalg.cond(A.double().T @ A.double())):.1f}")
print("correct digits of β: lstsq", correct_digits(via_lstsq),
      "| inv(X^T X) @ X^T y", correct_digits(via_inverse),
      "| solve(X^T X, X^T y)", correct_digits(via_solve))
# --8<-- [end:conditioning]

# --8<-- [start:repeated]
# The second feature twice (say, the same measurement stored in two columns).
X_rep = torch.cat([X, features[:, 1:]], dim=1)             # [1, x1, x2, x2]
print("columns:", X_rep.shape[1], "| rank of X:", torch.linalg.matrix_rank(X_rep).item(),
      "| rank of X^T X:", torch.linalg.matrix_rank(X_rep.T @ X_rep).item())

fit = torch.linalg.lstsq(X_rep, labels, driver="gelsd")
print("gelsd: β =", fit.solution[:, 0], "| rank found:", fit.rank.item())
print("pinv:  β =", (torch.linalg.pinv(X_rep) @ labels)[:, 0])

# Another solution: all of the weight on one copy. Same predictions, larger norm.
other = fit.solution.clone()
other[2:, 0] = torch.tensor([fit.solution[2:, 0].sum(), 0.0])
print("other: β =", other[:, 0])
print("same predictions:", torch.allclose(X_rep @ other, X_rep @ fit.solution, atol=1e-5))
print(f"norm of β: gelsd {fit.solution.norm():.3f}, other {other.norm():.3f}")
# --8<-- [end:repeated]

# --8<-- [start:drivers]
default = torch.linalg.lstsq(X_rep, labels)                # the CPU default, 'gelsy'
print("gelsy: same β as gelsd:", torch.allclose(default.solution, fit.solution, atol=1e-3),
      "| rank found:", default.rank.item())
gels = torch.linalg.lstsq(X_rep, labels, driver="gels").solution  # CUDA's only driver
copies = gels[2:, 0]   # the weights on the two copies come from rounding errors
print(f"gels:  weights on the copies sum to {copies.sum():.3f}, "
      f"each over 100 in size: {bool(copies.abs().min() > 100)}")

# Two small systems solved as one batch: the identity, then a matrix of rank 2.
A2 = torch.zeros(2, 3, 3, dtype=torch.float64)
A2[0] = torch.eye(3)
A2[1, 0, 1] = A2[1, 1, 2] = 1.0
B2 = torch.ones(2, 3, 1, dtype=torch.float64)
for driver in ["gelsy", "gelsd"]:
    out = torch.linalg.lstsq(A2, B2, driver=driver)
    print(f"batch, {driver}: ranks {out.rank.tolist()}, "
          f"second solution {out.solution[1, :, 0].tolist()}")
# --8<-- [end:drivers]

# Figure: 3 examples, 2 columns (ones and one feature). y lives in R^3, the column space is a
# plane through the origin, ŷ is the foot of the perpendicular from y, e = y - ŷ.
ones, col = torch.ones(3), torch.tensor([0.0, 1.0, 2.0])
small = torch.stack([ones, col], dim=1)
y3 = torch.tensor([1.6, 0.3, 2.6])
y3_hat = small @ torch.linalg.lstsq(small, y3[:, None]).solution[:, 0]
e3 = y3 - y3_hat

fig = plt.figure(figsize=(4, 3.2))
ax = fig.add_subplot(projection="3d")
ax.set_proj_type("ortho")
s, t = torch.meshgrid(torch.linspace(-0.2, 1.8, 2), torch.linspace(-0.2, 1.0, 2), indexing="ij")
plane = s[..., None] * ones + t[..., None] * col      # points s·1 + t·x of the column space
ax.plot_surface(plane[..., 0], plane[..., 1], plane[..., 2], color="tab:blue", alpha=0.15)

def arrow(start, end, colour, label, at=1.0, offset=(0, 0, 0)):
    """An arrow from start to end, labelled at the fraction `at` of the way."""
    ax.quiver(*start.tolist(), *(end - start).tolist(), color=colour,
              arrow_length_ratio=0.1, linewidth=1.6)
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
