"""The linear model: one house at a time and a whole dataset at once, vectorisation, the noise term,
and the same model as a one-layer neural network (nn.Linear).

Run: python snippets/linear_model.py [seed]   (the page shows seed 0)
"""

import sys
import timeit

import torch
from matplotlib.patches import Circle

from _plot import plt, save_figure
from data import synthetic_data, true_b, true_w

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0

# --8<-- [start:houses]
# Three made-up houses: area in m², age in years;
# prices in units of 10,000 yuan.
X = torch.tensor([[90.0, 10.0], [120.0, 3.0], [60.0, 25.0]])
w = torch.tensor([1.5, -0.5])  # w_area, w_age
b = 20.0

# One example at a time: y_hat = w^T x + b
# (torch.dot: the dot product of two vectors).
# stack: a list of numbers -> one tensor
one_by_one = torch.stack([torch.dot(w, x) + b for x in X])
# The whole dataset at once: y_hat = Xw + b
# (@ is torch.matmul; b is broadcast to every row).
all_at_once = X @ w + b
print("one by one: ", one_by_one)
print("all at once:", all_at_once)
# equal up to rounding
print("equal:", torch.allclose(one_by_one, all_at_once))
# --8<-- [end:houses]


# --8<-- [start:vectorise]
def best_time(f, number):
    """Seconds per call of f: the fastest of 5 rounds of
    `number` calls (the least disturbed)."""
    return min(timeit.repeat(f, number=number, repeat=5)) / number


u, v = torch.ones(10000), torch.ones(10000)


def add_loop():
    total = torch.zeros(10000)
    for i in range(10000):  # one Python step per entry
        total[i] = u[i] + v[i]
    return total


torch.manual_seed(seed)
X_big = torch.normal(0, 1, (1000, 2))  # 1000 examples with 2 features


def predict_loop():
    return torch.stack([torch.dot(w, x) + b for x in X_big])


tasks = [
    ("add two vectors of 10,000", add_loop, lambda: u + v),
    ("predict 1000 examples   ", predict_loop, lambda: X_big @ w + b),
]
for task, loop, one_op in tasks:
    t_loop, t_op = best_time(loop, 1), best_time(one_op, 100)
    same = torch.allclose(loop(), one_op())
    print(
        f"{task}: loop {t_loop * 1e3:.2f} ms,",
        f"one tensor operation {t_op * 1e3:.4f} ms,",
        f"loop/op {t_loop / t_op:.0f}x, same result: {same}",
    )
# --8<-- [end:vectorise]

# --8<-- [start:noise]
torch.manual_seed(seed)
features, labels = synthetic_data(true_w, true_b, 1000)
# Predict with the TRUE parameters: what is left over is exactly
# the noise.
leftover = labels[:, 0] - (features @ true_w + true_b)
print(
    f"leftover with the true w and b: mean {leftover.mean():.4f},",
    f"std {leftover.std():.4f}",
)
# --8<-- [end:noise]

# --8<-- [start:nn_linear]
from torch import nn

torch.manual_seed(seed)
# d = 2 inputs, 1 output: one fully connected layer
net = nn.Linear(2, 1)
print(
    "weight:",
    tuple(net.weight.shape),
    "| bias:",
    tuple(net.bias.shape),
)
out = net(X)  # the three houses above, shape (3, 2)
by_hand = X @ net.weight.T + net.bias
print("output:", tuple(out.shape))
print(
    "net(X) equals X @ weight.T + bias:", torch.allclose(out, by_hand)
)
# --8<-- [end:nn_linear]

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

# Figure: linear regression as a network: inputs x_1 ... x_d on the left, one output o on the
# right, every input connected to the output (a fully connected layer).
inputs = {3.0: "$x_1$", 2.0: "$x_2$", 0.0: "$x_d$"}  # height: label (the dots stand for the rest)
out_xy, radius = (3.0, 1.5), 0.32
fig, ax = plt.subplots(figsize=(3.6, 3))
for height, label in inputs.items():
    ax.add_patch(Circle((0, height), radius, fill=False, lw=1.5))
    ax.text(0, height, label, ha="center", va="center", fontsize=12)
    ax.annotate(
        "",
        xy=out_xy,
        xytext=(0, height),
        arrowprops=dict(arrowstyle="-|>", lw=1.2, shrinkA=14, shrinkB=14, color="0.3"),
    )
ax.text(0, 1.05, r"$\vdots$", ha="center", va="center", fontsize=14)
ax.add_patch(Circle(out_xy, radius, fill=False, lw=1.5))
ax.text(*out_xy, "$o$", ha="center", va="center", fontsize=12)
ax.text(out_xy[0], out_xy[1] - 0.75, r"$o = \mathbf{w}^\top\mathbf{x} + b$", ha="center", fontsize=10)
ax.set(xlim=(-0.6, 3.9), ylim=(-0.6, 3.6), aspect="equal")
ax.set_axis_off()
save_figure(fig, "linear_model_network")
