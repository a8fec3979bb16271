"""Questions and pitfalls: one small demonstration per question of the page "常见问题 / Questions".

Run: python snippets/questions.py [seed]   (the page shows seed 0)
Every section sets the seed again, so each answer can be read (and rerun) on its own.
"""

import sys
import warnings

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from data import synthetic_data, true_b, true_w
from training import fit  # shown on the page from snippets/training.py

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0

# --8<-- [start:common]
torch.manual_seed(seed)
features, labels = synthetic_data(true_w, true_b, 1000)
# --8<-- [end:common]

# --8<-- [start:linear_mismatch]
torch.manual_seed(seed)
X = features[:5]  # 5 examples, 2 features each
# in_features must be the number of columns of X
net = nn.Linear(2, 1)
print("X:", X.shape, "-> nn.Linear(2, 1)(X):", net(X).shape)
wrong = nn.Linear(3, 1)  # expects 3 features per example
print("weight of nn.Linear(3, 1):", wrong.weight.shape)
try:
    wrong(X)  # computes X @ weight.T: (5, 2) @ (3, 1)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
# --8<-- [end:linear_mismatch]

# --8<-- [start:lazy_linear]
lazy = nn.LazyLinear(1)  # only out_features is given
print("before the first call:", lazy.weight)
lazy(X)  # in_features is read from X here
print("after the first call: ", lazy, lazy.weight.shape)
# --8<-- [end:lazy_linear]

# --8<-- [start:zero_init_linear]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
nn.init.zeros_(net.weight)  # every parameter starts at exactly 0
nn.init.zeros_(net.bias)
final_loss = fit(net, features, labels)
print(f"loss {final_loss:.6f}")
print("w:", net.weight.detach(), "b:", net.bias.detach())
# --8<-- [end:zero_init_linear]


# --8<-- [start:zero_init_hidden]
def two_layer(init):
    """2 inputs -> 3 hidden tanh units -> 1 output, trained like the
    linear model.
    """
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    for param in net.parameters():
        if init == "zeros":
            nn.init.zeros_(param)
        elif init == "constant":
            nn.init.constant_(param, 0.1)
        # "random": keep PyTorch's default random initialisation
    final_loss = fit(net, features, labels)
    # row j: the weights of hidden unit j
    W1 = net[0].weight.detach()
    spread = (W1 - W1[0]).abs().max().item()
    print(
        f"{init:8}  loss {final_loss:7.4f}"
        f"  rows of W1 differ by at most {spread:.2e}"
    )
    return W1


W1 = {
    init: two_layer(init) for init in ("zeros", "constant", "random")
}
print(
    f"variance of the labels: {labels.var(unbiased=False).item():.4f}"
)
print(
    "largest |entry| of W1 trained from zeros:",
    W1["zeros"].abs().max().item(),
)
print("W1 trained from the constant 0.1:")
print(W1["constant"])
# --8<-- [end:zero_init_hidden]


# --8<-- [start:call_forward]
class LinearRegression(nn.Module):
    def __init__(self, num_inputs):
        super().__init__()
        self.linear = nn.Linear(num_inputs, 1)

    def forward(self, X):
        print("  forward called, X:", tuple(X.shape))
        return self.linear(X)


torch.manual_seed(seed)
model = LinearRegression(2)
model.register_forward_hook(
    lambda module, args, output: print("  hook called")
)
X = features[:3]
print("model(X):")
# nn.Module.__call__: forward, then the hooks
y_hat = model(X)
print("model.forward(X):")
model.forward(X)  # forward alone: the hook is skipped
W, b = model.linear.weight, model.linear.bias
print("model(X) == X @ W.T + b:", torch.allclose(y_hat, X @ W.T + b))
# --8<-- [end:call_forward]

# --8<-- [start:train_step]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
X, y = features[:10], labels[:10]
for step in range(3):
    # 1. forward: predictions, then the loss
    batch_loss = loss_fn(net(X), y)
    # 2. clear the gradients left by the last step
    optimizer.zero_grad()
    # 3. backward: d loss / d parameter into each .grad
    batch_loss.backward()
    # 4. update: parameter -= lr * parameter.grad
    optimizer.step()
    print(f"step {step}: loss {batch_loss.item():.4f}")
# --8<-- [end:train_step]

# --8<-- [start:accumulate]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
for i in range(3):
    # same batch, same parameters, no zero_grad
    loss_fn(net(X), y).backward()
    print(
        f"after backward {i + 1}: bias.grad "
        f"= {net.bias.grad.item():.4f}"
    )
optimizer.zero_grad()
print("after zero_grad:          bias.grad =", net.bias.grad)
# --8<-- [end:accumulate]


# --8<-- [start:no_zero_grad]
def fit_without_zero_grad(net, lr=0.03, batch_size=10, num_epochs=3):
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    for epoch in range(num_epochs):
        order = torch.randperm(len(features))
        for i in range(0, len(features), batch_size):
            batch = order[i : i + batch_size]
            # gradients pile up
            loss_fn(net(features[batch]), labels[batch]).backward()
            optimizer.step()
    with torch.no_grad():
        return loss_fn(net(features), labels).item()


torch.manual_seed(seed)
loss_with = fit(nn.Linear(2, 1), features, labels)
print(f"with zero_grad:    loss {loss_with:.6f}")
torch.manual_seed(seed)
loss_without = fit_without_zero_grad(nn.Linear(2, 1))
print(f"without zero_grad: loss {loss_without:.6f}")
# --8<-- [end:no_zero_grad]

# --8<-- [start:inplace_error]
w = torch.ones(2, requires_grad=True)
(w**2).sum().backward()
try:
    # autograd would have to record this update
    w -= 0.1 * w.grad
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
with torch.no_grad():
    # not recorded: a plain update of the values
    w -= 0.1 * w.grad
print("after the update:", w)
# --8<-- [end:inplace_error]

# --8<-- [start:data_pitfall]
w = torch.ones(2, requires_grad=True)
# backward will need w itself: d out/dw = 2w = [2, 2]
out = (w**2).sum()
w.data -= 0.5  # changes w behind autograd's back
out.backward()
print(
    "after w.data -= 0.5, w.grad =",
    w.grad,
    "(2w at the new w: silently wrong)",
)

w = torch.ones(2, requires_grad=True)
out = (w**2).sum()
with torch.no_grad():
    w -= 0.5  # the same change, but autograd sees it
try:
    out.backward()
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
# --8<-- [end:data_pitfall]


# --8<-- [start:sum_vs_mean]
def scratch_sgd(
    reduction, divide, lr=0.03, batch_size=100, num_epochs=30
):
    """From-scratch SGD on the ½ squared loss, with the two choices
    made explicit.
    """
    torch.manual_seed(seed)
    w = torch.zeros(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for epoch in range(num_epochs):
        order = torch.randperm(len(features))
        for i in range(0, len(features), batch_size):
            batch = order[i : i + batch_size]
            losses = (
                features[batch] @ w + b - labels[batch]
            ) ** 2 / 2
            (
                losses.sum() if reduction == "sum" else losses.mean()
            ).backward()
            with torch.no_grad():
                for param in (w, b):
                    param -= (
                        lr
                        * param.grad
                        / (len(batch) if divide else 1)
                    )
                    param.grad.zero_()
    with torch.no_grad():
        return ((features @ w + b - labels) ** 2 / 2).mean().item()


for reduction, divide in [
    ("sum", True),
    ("mean", False),
    ("mean", True),
    ("sum", False),
]:
    final_loss = scratch_sgd(reduction, divide)
    print(
        f"batch size 100, loss.{reduction}"
        f"(), divide: {str(divide):5} -> loss {final_loss:.3g}"
    )
final_loss = scratch_sgd("sum", False, batch_size=10, num_epochs=3)
print(
    "batch size  10, loss.sum(), divide: "
    f"False -> loss {final_loss:.3g}"
)
# --8<-- [end:sum_vs_mean]

# --8<-- [start:mse_factor]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
X, y = features[:10], labels[:10]


def weight_grad(scalar_loss):
    net.zero_grad()
    scalar_loss.backward()
    return net.weight.grad.clone()


# the ½ squared loss, averaged
g_half = weight_grad(((net(X) - y) ** 2 / 2).mean())
# mean of (ŷ - y)², no ½
g_mse = weight_grad(nn.MSELoss()(net(X), y))
g_sum = weight_grad(nn.MSELoss(reduction="sum")(net(X), y))
print("½ squared loss, mean:", g_half)
print(
    "MSELoss():           ",
    g_mse,
    " ratio to ½ loss:",
    g_mse / g_half,
)
print(
    "MSELoss('sum'):      ",
    g_sum,
    " ratio to MSELoss():",
    g_sum / g_mse,
)
# --8<-- [end:mse_factor]

# --8<-- [start:shuffle]
# the same examples, sorted by label
order = torch.argsort(labels[:, 0])
sorted_features, sorted_labels = features[order], labels[order]
for name, (F, L) in {
    "i.i.d.": (features, labels),
    "sorted": (sorted_features, sorted_labels),
}.items():
    for shuffle in (True, False):
        torch.manual_seed(seed)
        net = nn.Linear(2, 1)
        final_loss = fit(net, F, L, shuffle=shuffle)
        print(
            f"{name:6} data, shuffle={str(shuffle):5}"
            f": loss {final_loss:.6f}, b {net.bias.item():.4f}"
        )
# --8<-- [end:shuffle]

# --8<-- [start:broadcast]
# perfect predictions, shape (3, 1)
y_hat = torch.tensor([[1.0], [2.0], [3.0]])
y = torch.tensor([1.0, 2.0, 3.0])  # the labels, shape (3,)
print("(y_hat - y).shape:", (y_hat - y).shape)
print("wrong loss:", ((y_hat - y) ** 2).mean().item())
print(
    "right loss:",
    ((y_hat - y.reshape(y_hat.shape)) ** 2).mean().item(),
)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    mse_value = nn.MSELoss()(y_hat, y)
print("nn.MSELoss()(y_hat, y):", mse_value.item())
print(f"{caught[0].category.__name__}: {caught[0].message}")
# --8<-- [end:broadcast]


# --8<-- [start:diverge]
def train_checked(lr, num_steps=100):
    """Full-batch gradient descent that stops as soon as the loss is
    inf or nan.
    """
    torch.manual_seed(seed)
    net = nn.Linear(2, 1)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    for step in range(num_steps):
        full_loss = loss_fn(net(features), labels)
        if not torch.isfinite(full_loss):
            raise FloatingPointError(
                f"loss is {full_loss.item()}"
                f" at step {step} with lr={lr}"
                "; lower the learning rate"
            )
        if step % 5 == 0:
            print(
                f"  lr={lr}, step {step:2}: "
                f"loss {full_loss.item():.3g}"
            )
        optimizer.zero_grad()
        full_loss.backward()
        optimizer.step()
    return full_loss.item()


print(f"lr=0.1: final loss {train_checked(0.1, num_steps=20):.3g}")
try:
    train_checked(3.0)
except FloatingPointError as e:
    print(f"{type(e).__name__}: {e}")
# --8<-- [end:diverge]

# --8<-- [start:last_batch]
torch.manual_seed(seed)
# 10 examples
dataset = TensorDataset(*synthetic_data(true_w, true_b, 10))
print(
    "drop_last=False:",
    [len(X) for X, _ in DataLoader(dataset, batch_size=4)],
)
print(
    "drop_last=True: ",
    [
        len(X)
        for X, _ in DataLoader(dataset, batch_size=4, drop_last=True)
    ],
)

X, y = dataset[8:]  # the last batch: 2 examples
w = torch.zeros(2, 1, requires_grad=True)
((X @ w - y) ** 2 / 2).sum().backward()
print(
    "step, dividing by the nominal batch_size=4 vs by len(X)=2:",
    (w.grad / 4).norm().item() / (w.grad / len(X)).norm().item(),
)
# --8<-- [end:last_batch]

# --8<-- [start:int_dtype]
w_int = torch.tensor([[2], [-3]])
print(
    "torch.tensor([[2], [-3]]):",
    w_int.dtype,
    "| torch.tensor([2, -3.4]):",
    true_w.dtype,
)
X = features[:3]
try:
    X @ w_int
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
try:
    torch.tensor([2, -3], requires_grad=True)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
# or torch.tensor(..., dtype=torch.float32)
w_float = torch.tensor([[2.0], [-3.0]])
print("with float weights:", (X @ w_float).dtype, (X @ w_float).shape)
# --8<-- [end:int_dtype]

# --8<-- [start:exact]
torch.manual_seed(seed)
# A = [X, 1]: the ones multiply b
A = torch.cat([features, torch.ones(len(features), 1)], dim=1)
theta_ls = torch.linalg.lstsq(
    A, labels, driver="gelsd"
).solution.flatten()
net = nn.Linear(2, 1)
fit(net, features, labels)
theta_sgd = torch.cat(
    [net.weight.detach().flatten(), net.bias.detach()]
)
true_theta = torch.cat([true_w, torch.tensor([true_b])])
print("true (w1, w2, b):   ", true_theta)
print("least squares:      ", theta_ls)
print("SGD, 3 epochs:      ", theta_sgd)
ls_error = (theta_ls - true_theta).abs().max()
sgd_gap = (theta_sgd - theta_ls).abs().max()
print(f"max |least squares - true|: {ls_error:.1e}")
print(f"max |SGD - least squares|:  {sgd_gap:.1e}")

clean_X, clean_y = synthetic_data(true_w, true_b, 1000, noise=0)
clean = torch.linalg.lstsq(
    torch.cat([clean_X, torch.ones(1000, 1)], dim=1),
    clean_y,
    driver="gelsd",
).solution.flatten()
print(
    "without noise, max |least squares "
    f"- true|: {(clean - true_theta).abs().max():.1e}"
)
# --8<-- [end:exact]


# --8<-- [start:more_data]
def least_squares_error(n, repeats=20):
    """Mean over `repeats` fresh data sets of max |least-squares
    estimate - true parameters|.
    """
    errors = []
    for _ in range(repeats):
        X, y = synthetic_data(true_w, true_b, n)
        A = torch.cat([X, torch.ones(n, 1)], dim=1)
        estimate = torch.linalg.lstsq(
            A, y, driver="gelsd"
        ).solution.flatten()
        errors.append((estimate - true_theta).abs().max().item())
    return sum(errors) / repeats


torch.manual_seed(seed)
for n in (100, 1000, 10000):
    print(
        f"n = {n:5}: mean error of least "
        f"squares {least_squares_error(n):.1e}"
    )
# --8<-- [end:more_data]

# --8<-- [start:epochs]
for num_epochs in (1, 2, 3, 5):
    torch.manual_seed(seed)
    net = nn.Linear(2, 1)
    # from the start each time
    mse = fit(net, features, labels, num_epochs=num_epochs)
    print(f"epochs: {num_epochs}, MSE on all the data {mse:.2e}")
print(f"noise variance σ² = {0.01**2:.0e}")
# --8<-- [end:epochs]
