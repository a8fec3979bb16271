"""The linear model: one house at a time and a whole dataset at once, and what the noise term means.

Run: python snippets/linear_model.py [seed]   (the page shows seed 0)
"""
import sys

import torch

from _plot import plt, save_figure
from data import synthetic_data, true_b, true_w

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0

# --8<-- [start:houses]
# Three made-up houses: area in m², age in years; prices in units of 10,000 yuan.
X = torch.tensor([[90.0, 10.0],
                  [120.0, 3.0],
                  [60.0, 25.0]])
w = torch.tensor([1.5, -0.5])  # w_area, w_age
b = 20.0

# One example at a time: y_hat = w^T x + b.
one_by_one = torch.stack([torch.dot(w, x) + b for x in X])
# The whole dataset at once: y_hat = Xw + b (b is broadcast to every row).
all_at_once = X @ w + b
print("one by one: ", one_by_one)
print("all at once:", all_at_once)
print("equal:", torch.allclose(one_by_one, all_at_once))
# --8<-- [end:houses]

# --8<-- [start:noise]
torch.manual_seed(seed)
features, labels = synthetic_data(true_w, true_b, 1000)
# Predict with the TRUE parameters: what is left over is exactly the noise.
leftover = labels[:, 0] - (features @ true_w + true_b)
print(f"leftover with the true w and b: mean {leftover.mean():.4f}, std {leftover.std():.4f}")
# --8<-- [end:noise]

# Figure: a one-feature model, the line w x + b and noisy observations around it.
torch.manual_seed(1)
w1, b1 = torch.tensor([1.5]), 1.0
x, y = synthetic_data(w1, b1, 20, noise=0.8)
x, y = x[:, 0], y[:, 0]
line_x = torch.linspace(float(x.min()) - 0.3, float(x.max()) + 0.3, 2)
fig, ax = plt.subplots(figsize=(4.5, 3))
ax.vlines(x, w1 * x + b1, y, colors="tab:red", linewidth=1, label=r"$\epsilon$")
ax.plot(line_x, w1 * line_x + b1, color="tab:blue", label=r"$wx + b$")
ax.scatter(x, y, s=14, color="black", zorder=3, label=r"$y$")
ax.set_xlabel("$x$")
ax.set_ylabel("$y$")
ax.legend(loc="upper left")
save_figure(fig, "linear_model_noise")
