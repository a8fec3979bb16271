"""Errors and silent failures of a linear-regression script, for the page "报错与排查 / Troubleshooting".

Run: python snippets/troubleshooting.py [seed]   (the page shows seed 0)
Each entry has a section that fails (it prints the error or the symptom) and a section with the fix.
"""

# --8<-- [start:setup]
import re
import warnings

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# --8<-- [end:setup]
from data import synthetic_data, true_b, true_w  # shown on the pages that make the data

# --8<-- [start:helpers]
seed = 0  # change it for another run


def show_error(fn):
    """Call fn(); print the warnings it gives and the error it raises,
    as PyTorch words them.
    """
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn()
        except Exception as e:
            error = e
    messages = [f"{w.category.__name__}: {w.message}" for w in caught]
    if error is not None:
        messages.append(f"{type(error).__name__}: {error}")
    # each distinct message once
    for message in dict.fromkeys(messages):
        # drop the C++ source location
        message = message.split(" (Triggered internally at")[0]
        # one sentence per line
        print(re.sub(r"(?<=\.) (?=[A-Z])", "\n    ", message))


def full_loss(net, X=None, y=None):
    """nn.MSELoss on all the data (the 1000 examples unless X, y are
    given), not recorded.
    """
    X = features if X is None else X
    y = labels if y is None else y
    with torch.no_grad():
        return nn.MSELoss()(net(X), y).item()


def param_error(w, b):
    """max |θ - θ_true| over θ = (w1, w2, b)."""
    theta = torch.cat([w.detach().flatten(), b.detach().flatten()])
    return (
        (theta - torch.cat([true_w, torch.tensor([true_b])]))
        .abs()
        .max()
        .item()
    )


def new_parameters():
    """w and b as the from-scratch page initialises them, the same
    at
    every call (seeded).
    """
    torch.manual_seed(seed)
    return torch.normal(
        0, 0.01, size=(2, 1), requires_grad=True
    ), torch.zeros(1, requires_grad=True)


def train(
    net, optimizer, X=None, y=None, num_epochs=3, batch_size=10
):
    """The loop of the concise page (nn.MSELoss); prints the loss on
    all the data after each epoch.
    """
    X = features if X is None else X
    y = labels if y is None else y
    loss = nn.MSELoss()
    for epoch in range(num_epochs):
        for X_batch, y_batch in DataLoader(
            TensorDataset(X, y), batch_size, shuffle=True
        ):
            l = loss(net(X_batch), y_batch)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
        print(f"epoch {epoch + 1}, loss {full_loss(net, X, y):f}")


# --8<-- [end:helpers]
import sys

seed = int(sys.argv[1]) if len(sys.argv) > 1 else seed  # python snippets/troubleshooting.py 7

# --8<-- [start:data]
torch.manual_seed(seed)
features, labels = synthetic_data(true_w, true_b, 1000)
data_iter = DataLoader(
    TensorDataset(features, labels), batch_size=10, shuffle=True
)
loss = nn.MSELoss()
print(
    "torch",
    torch.__version__,
    "| features:",
    features.shape,
    "labels:",
    labels.shape,
)
# --8<-- [end:data]

# ---------------------------------------------------------------- autograd

# --8<-- [start:non_scalar]
torch.manual_seed(seed)
w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
X, y = features[:10], labels[:10]
l = (X @ w + b - y) ** 2 / 2  # the ½ squared loss of each example
print("l.shape:", l.shape)
show_error(l.backward)
# --8<-- [end:non_scalar]

# --8<-- [start:non_scalar_fix]
# one number: the loss summed over the batch
l.sum().backward()
print("l.sum().shape:", l.sum().shape)
print("w.grad:", w.grad.flatten(), "b.grad:", b.grad)
# --8<-- [end:non_scalar_fix]

# --8<-- [start:backward_twice]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
l = loss(net(features), labels)  # computed once, before the loop


def train_steps():
    for step in range(3):
        optimizer.zero_grad()
        # the second call finds the graph already freed
        l.backward()
        optimizer.step()
        print(f"step {step}: loss {l.item():.4f}")


show_error(train_steps)
# --8<-- [end:backward_twice]

# --8<-- [start:backward_twice_fix]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
for step in range(3):
    # a new forward pass builds a new graph
    l = loss(net(features), labels)
    optimizer.zero_grad()
    l.backward()
    optimizer.step()
    print(f"step {step}: loss {l.item():.4f}")
# --8<-- [end:backward_twice_fix]

# --8<-- [start:grad_none]
torch.manual_seed(seed)
# the product is a new tensor
w = torch.randn(2, 1, requires_grad=True) * 0.01
b = torch.zeros(1, requires_grad=True)
((features @ w + b - labels) ** 2 / 2).mean().backward()
print("w.is_leaf:", w.is_leaf, "| b.grad:", b.grad)
show_error(lambda: print("w.grad:", w.grad))
# --8<-- [end:grad_none]

# --8<-- [start:grad_none_fix]
torch.manual_seed(seed)
# made by torch: a leaf
w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
print("before backward(): w.grad =", w.grad)
((features @ w + b - labels) ** 2 / 2).mean().backward()
print("w.is_leaf:", w.is_leaf, "| w.grad:", w.grad.flatten())
# --8<-- [end:grad_none_fix]

# --8<-- [start:no_grad_fn]
torch.manual_seed(seed)
w = torch.normal(0, 0.01, size=(2, 1))  # requires_grad forgotten
b = torch.zeros(1)
l = ((features @ w + b - labels) ** 2 / 2).mean()
print("l.requires_grad:", l.requires_grad, "| l.grad_fn:", l.grad_fn)
show_error(l.backward)
# --8<-- [end:no_grad_fn]

# --8<-- [start:no_grad_fn_fix]
# from now on autograd records what is computed from w and b
w.requires_grad_()
b.requires_grad_()
l = ((features @ w + b - labels) ** 2 / 2).mean()
print("l.grad_fn:", type(l.grad_fn).__name__)
l.backward()
print("w.grad:", w.grad.flatten(), "b.grad:", b.grad)
# --8<-- [end:no_grad_fn_fix]

# --8<-- [start:inplace_leaf]
torch.manual_seed(seed)
w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
X, y = features[:10], labels[:10]
((X @ w + b - y) ** 2 / 2).sum().backward()


def update(lr=0.03, batch_size=10):
    for param in (w, b):
        # an in-place change of a leaf
        param -= lr * param.grad / batch_size
        param.grad.zero_()


show_error(update)
# --8<-- [end:inplace_leaf]

# --8<-- [start:inplace_leaf_fix]
# the update is not part of the model: do not record it
with torch.no_grad():
    update()
print("w:", w.detach().flatten(), "b:", b.detach())
# --8<-- [end:inplace_leaf_fix]

# ---------------------------------------------------------------- parameters and updates


# --8<-- [start:rebind_outside]
def gd_rebinding(lr=0.5, num_steps=3):
    w, b = new_parameters()
    for step in range(num_steps):
        l = ((features @ w + b - labels) ** 2 / 2).mean()
        l.backward()
        print(
            f"step {step}: loss {l.item():.4f}, w.is_leaf {w.is_leaf}"
        )
        # a new tensor, computed (and recorded) from the old w
        w = w - lr * w.grad
        b = b - lr * b.grad


show_error(gd_rebinding)
# --8<-- [end:rebind_outside]


# --8<-- [start:rebind_outside_fix]
def gd_in_place(lr=0.5, num_steps=30):
    w, b = new_parameters()
    for step in range(num_steps):
        l = ((features @ w + b - labels) ** 2 / 2).mean()
        l.backward()
        with torch.no_grad():
            w -= lr * w.grad  # in place: w stays the same leaf tensor
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    print(
        f"{num_steps} steps: w.is_leaf {w.is_leaf}"
        f", max |error| {param_error(w, b):.1e}"
    )


gd_in_place()
# --8<-- [end:rebind_outside_fix]


# --8<-- [start:rebind_inside]
def gd_rebinding_in_no_grad(lr=0.5, num_steps=3):
    w, b = new_parameters()
    for step in range(num_steps):
        l = ((features @ w + b - labels) ** 2 / 2).mean()
        l.backward()
        print(
            f"step {step}: loss {l.item():.4f}"
            f", w.requires_grad {w.requires_grad}"
        )
        with torch.no_grad():
            w = w - lr * w.grad  # a new tensor, made without autograd
            b = b - lr * b.grad


show_error(gd_rebinding_in_no_grad)
# --8<-- [end:rebind_inside]


# --8<-- [start:rebind_inside_fix]
def gd_optimizer(lr=0.5, num_steps=30):
    w, b = new_parameters()
    # updates w and b in place
    optimizer = torch.optim.SGD([w, b], lr=lr)
    for step in range(num_steps):
        l = ((features @ w + b - labels) ** 2 / 2).mean()
        optimizer.zero_grad()
        l.backward()
        optimizer.step()
    print(
        f"{num_steps} steps: w.requires_grad "
        f"{w.requires_grad}, max |error| {param_error(w, b):.1e}"
    )


gd_optimizer()
# --8<-- [end:rebind_inside_fix]

# --8<-- [start:assign_tensor]
torch.manual_seed(seed)
net = nn.Linear(2, 1)


def set_weight():
    # a plain tensor, not an nn.Parameter
    net.weight = torch.tensor([[2.0, -3.4]])


show_error(set_weight)
# --8<-- [end:assign_tensor]

# --8<-- [start:assign_tensor_fix]
with torch.no_grad():
    # new values, the same Parameter
    net.weight.copy_(torch.tensor([[2.0, -3.4]]))
nn.init.zeros_(net.bias)
print("weight:", net.weight.detach(), type(net.weight).__name__)
print("bias:  ", net.bias.detach(), type(net.bias).__name__)
# --8<-- [end:assign_tensor_fix]

# --8<-- [start:other_model]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
# the model built again, e.g. by running a notebook cell twice
net = nn.Linear(2, 1)
train(net, optimizer)
print(
    "the optimizer updates net.weight:",
    any(p is net.weight for p in optimizer.param_groups[0]["params"]),
)
# --8<-- [end:other_model]

# --8<-- [start:other_model_fix]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
# right after the model it updates
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
train(net, optimizer)
print(f"max |error|: {param_error(net.weight, net.bias):.1e}")
# --8<-- [end:other_model_fix]


# --8<-- [start:index_module]
class LinearRegression(nn.Module):
    def __init__(self, num_inputs):
        super().__init__()
        self.linear = nn.Linear(num_inputs, 1)

    def forward(self, X):
        return self.linear(X)


net = nn.Linear(2, 1)
model = LinearRegression(2)
show_error(lambda: net[0].weight)
show_error(lambda: model[0].weight)
# --8<-- [end:index_module]

# --8<-- [start:index_module_fix]
print("nn.Linear:        net.weight         ", net.weight.shape)
print(
    "LinearRegression: model.linear.weight", model.linear.weight.shape
)
# only a Sequential is a list of layers
seq = nn.Sequential(nn.Linear(2, 1))
print("nn.Sequential:    seq[0].weight      ", seq[0].weight.shape)
# --8<-- [end:index_module_fix]

# ---------------------------------------------------------------- shapes and dtypes

# --8<-- [start:one_feature]
# one feature, stored as a vector of shape (100,)
x = torch.linspace(0, 1, 100)
y = 3 * x + 1
net = nn.Linear(1, 1)
print("x.shape:", x.shape)
show_error(lambda: net(x))
# --8<-- [end:one_feature]

# --8<-- [start:one_feature_fix]
X = x.reshape(-1, 1)  # 100 examples with 1 feature each
print(
    "X.shape:",
    X.shape,
    "-> net(X).shape:",
    net(X).shape,
    "| y.reshape(-1, 1).shape:",
    y.reshape(-1, 1).shape,
)
# --8<-- [end:one_feature_fix]

# --8<-- [start:target_shape]
# shape (1000,), as from X @ true_w + true_b
y_flat = labels.reshape(-1)
torch.manual_seed(seed)
net = nn.Linear(2, 1)
show_error(
    lambda: train(
        net,
        torch.optim.SGD(net.parameters(), lr=0.03),
        features,
        y_flat,
    )
)
print("w:", net.weight.detach(), "b:", net.bias.detach())
print(f"loss with the right shapes: {full_loss(net):.4f}")
# --8<-- [end:target_shape]

# --8<-- [start:target_shape_fix]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
train(
    net,
    torch.optim.SGD(net.parameters(), lr=0.03),
    features,
    y_flat.reshape(-1, 1),
)
print(f"max |error|: {param_error(net.weight, net.bias):.1e}")
# --8<-- [end:target_shape_fix]

# --8<-- [start:float64]
rng = np.random.default_rng(seed)
# NumPy makes float64 unless told otherwise
X_np = rng.normal(size=(1000, 2))
y_np = (
    X_np @ true_w.reshape(-1, 1).numpy()
    + true_b
    + rng.normal(0, 0.01, size=(1000, 1))
)
torch.manual_seed(seed)
net = nn.Linear(2, 1)
print(
    "X_np.dtype:",
    X_np.dtype,
    "| torch.from_numpy(X_np).dtype:",
    torch.from_numpy(X_np).dtype,
    "| net.weight.dtype:",
    net.weight.dtype,
)
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
show_error(
    lambda: train(
        net, optimizer, torch.from_numpy(X_np), torch.from_numpy(y_np)
    )
)
# --8<-- [end:float64]

# --8<-- [start:float64_fix]
# or torch.from_numpy(X_np).float()
X = torch.tensor(X_np, dtype=torch.float32)
y = torch.tensor(y_np, dtype=torch.float32)
train(net, optimizer, X, y)
print(f"max |error|: {param_error(net.weight, net.bias):.1e}")
# --8<-- [end:float64_fix]

# --8<-- [start:int_features]
X = torch.tensor([[1, 2], [3, 4]])  # only whole numbers: int64
torch.manual_seed(seed)
net = nn.Linear(2, 1)
print("X.dtype:", X.dtype)
show_error(lambda: net(X))
# --8<-- [end:int_features]

# --8<-- [start:int_features_fix]
X = torch.tensor([[1.0, 2.0], [3.0, 4.0]])  # or X.float()
print("X.dtype:", X.dtype, "-> net(X).dtype:", net(X).dtype)
# integer labels are converted by the loss
y = torch.tensor([[5], [11]])
print("loss(net(X), y).dtype:", loss(net(X), y).dtype)
# --8<-- [end:int_features_fix]

# ---------------------------------------------------------------- loss functions

# --8<-- [start:loss_class]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
y_hat, y = net(features[:10]), labels[:10]
# the class, given two tensors
show_error(lambda: nn.MSELoss(y_hat, y))
# a batch of one example
show_error(lambda: nn.MSELoss(y_hat[:1], y[:1]).backward())
# --8<-- [end:loss_class]

# --8<-- [start:loss_class_fix]
loss = nn.MSELoss()  # first make the loss function
l = loss(y_hat, y)  # then call it on predictions and labels
print(
    f"loss(y_hat, y): {l.item():.4f} | "
    "nn.functional.mse_loss(y_hat, y): "
    f"{nn.functional.mse_loss(y_hat, y).item():.4f}"
)
# --8<-- [end:loss_class_fix]


# --8<-- [start:reduction_sum]
def train_batches(reduction, lr, batch_size=100, num_epochs=20):
    torch.manual_seed(seed)
    net = nn.Linear(2, 1)
    loss = nn.MSELoss(reduction=reduction)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    batches = DataLoader(
        TensorDataset(features, labels), batch_size, shuffle=True
    )
    losses = []
    for epoch in range(num_epochs):
        for X, y in batches:
            l = loss(net(X), y)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
        losses.append(full_loss(net))
    print(
        f"reduction={reduction!r}, lr={lr:g}: loss after epochs 1-5",
        " ".join(f"{v:.3g}" for v in losses[:5]),
        f"... {num_epochs}: {losses[-1]:.3g}",
    )
    return net


train_batches("mean", lr=0.03)
train_batches("sum", lr=0.03)
# --8<-- [end:reduction_sum]

# --8<-- [start:reduction_sum_fix]
# the sum is 100 times the mean
net = train_batches("sum", lr=0.03 / 100)
print(f"max |error|: {param_error(net.weight, net.bias):.1e}")
# --8<-- [end:reduction_sum_fix]


# --8<-- [start:divide_twice]
def train_from_scratch(reduce, lr=0.03, batch_size=10, num_epochs=3):
    """The from-scratch loop; reduce turns the per-example losses into
    one number.
    """
    w, b = new_parameters()
    for epoch in range(num_epochs):
        for X, y in data_iter:
            reduce((X @ w + b - y) ** 2 / 2).backward()
            with torch.no_grad():
                for param in (w, b):
                    # as sgd on the from-scratch page
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()
        loss = full_loss(lambda X: X @ w + b)
        print(f"epoch {epoch + 1}, loss {loss:f}")
    print(f"max |error|: {param_error(w, b):.1e}")


# averaged, then divided by the batch size again
train_from_scratch(torch.mean)
# --8<-- [end:divide_twice]

# --8<-- [start:divide_twice_fix]
train_from_scratch(torch.sum)  # summed, then divided once
# --8<-- [end:divide_twice_fix]

# ---------------------------------------------------------------- training symptoms

# --8<-- [start:loss_flat]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
for epoch in range(3):
    for X, y in data_iter:
        l = loss(net(X), y)
        l.backward()
        # clears the gradients that step() is about to use
        optimizer.zero_grad()
        optimizer.step()
    print(f"epoch {epoch + 1}, loss {full_loss(net):f}")
# --8<-- [end:loss_flat]

# --8<-- [start:loss_flat_fix]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
# zero_grad(), backward(), step(): in this order
train(net, optimizer)
print(f"max |error|: {param_error(net.weight, net.bias):.1e}")
# --8<-- [end:loss_flat_fix]

# --8<-- [start:loss_nan]
# the same examples in other units: values around 50
raw = 50 + 10 * features
torch.manual_seed(seed)
net = nn.Linear(2, 1)
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
for step, (X, y) in enumerate(
    DataLoader(
        TensorDataset(raw, labels), batch_size=10, shuffle=True
    )
):
    l = loss(net(X), y)
    if step % 4 == 0 or torch.isnan(l):
        print(f"step {step}: loss {l.item():.3g}")
    if torch.isnan(l):
        break
    optimizer.zero_grad()
    l.backward()
    optimizer.step()
# --8<-- [end:loss_nan]

# --8<-- [start:loss_nan_fix]
mean, std = raw.mean(dim=0), raw.std(dim=0)
# standardised: every feature has mean 0 and standard deviation 1
scaled = (raw - mean) / std
print("mean:", mean, "std:", std)
torch.manual_seed(seed)
net = nn.Linear(2, 1)
train(net, torch.optim.SGD(net.parameters(), lr=0.03), scaled, labels)
# --8<-- [end:loss_nan_fix]

# --8<-- [start:new_inputs]
torch.manual_seed(seed)
# new inputs, in the units of raw
new_raw = 50 + 10 * torch.normal(0, 1, (3, 2))
# what they should predict
truth = ((new_raw - 50) / 10) @ true_w + true_b
with torch.no_grad():
    print("truth:       ", truth)
    print("net(new_raw):", net(new_raw).flatten())
# --8<-- [end:new_inputs]

# --8<-- [start:new_inputs_fix]
with torch.no_grad():
    # the mean and std of the training data
    prediction = net((new_raw - mean) / std).flatten()
print("net((new_raw - mean) / std):", prediction)
gap = (prediction - truth).abs().max()
print(f"max |prediction - truth|: {gap:.1e}")
# --8<-- [end:new_inputs_fix]


# --8<-- [start:oscillates]
def last_epoch_losses(lr, num_epochs=3):
    """Train with minibatch SGD; the full-data loss after every
    step
    of the last epoch.
    """
    torch.manual_seed(seed)
    net = nn.Linear(2, 1)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    for epoch in range(num_epochs):
        losses = []
        for X, y in data_iter:
            l = loss(net(X), y)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            losses.append(full_loss(net))
    print(
        f"lr={lr}: every 10 steps",
        " ".join(f"{v:.1e}" for v in losses[::10]),
    )
    print(
        f"lr={lr}: last epoch between {min(losses):.2e}"
        f" and {max(losses):.2e},"
        f" max |error| {param_error(net.weight, net.bias):.1e}"
    )


last_epoch_losses(lr=0.7)
# --8<-- [end:oscillates]

# --8<-- [start:oscillates_fix]
last_epoch_losses(lr=0.03)
# --8<-- [end:oscillates_fix]

# --8<-- [start:loss_slow]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
train(net, torch.optim.SGD(net.parameters(), lr=0.001))
# --8<-- [end:loss_slow]

# --8<-- [start:loss_slow_fix]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
train(net, torch.optim.SGD(net.parameters(), lr=0.03))
print(f"max |error|: {param_error(net.weight, net.bias):.1e}")
# --8<-- [end:loss_slow_fix]

# --8<-- [start:epoch_loss]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
for epoch in range(3):
    batch_losses = []
    for X, y in data_iter:
        l = loss(net(X), y)
        optimizer.zero_grad()
        l.backward()
        optimizer.step()
        # the loss of this batch, before this step
        batch_losses.append(l.item())
    print(
        f"epoch {epoch + 1}, mean of the "
        f"batch losses {sum(batch_losses) / len(batch_losses):f}"
    )
# --8<-- [end:epoch_loss]

# --8<-- [start:epoch_loss_fix]
torch.manual_seed(seed)
net = nn.Linear(2, 1)
# the loss on all data after each epoch
train(net, torch.optim.SGD(net.parameters(), lr=0.03))
# --8<-- [end:epoch_loss_fix]

# ---------------------------------------------------------------- data loading

# --8<-- [start:last_batch]
batch_size = 64
batches = DataLoader(
    TensorDataset(features, labels), batch_size, shuffle=True
)
print("batch sizes:", [len(X) for X, _ in batches])
net = nn.Linear(2, 1)


def predict_every_batch():
    for X, y in batches:
        net(X.view(batch_size, 2))  # assumes that every batch is full


show_error(predict_every_batch)
# --8<-- [end:last_batch]

# --8<-- [start:last_batch_fix]
for X, y in batches:
    # the size of this batch (or X.view(-1, 2))
    y_hat = net(X.view(len(X), 2))
print("last batch:", X.shape, "->", y_hat.shape)
print(
    "drop_last=True:",
    [
        len(X)
        for X, _ in DataLoader(
            TensorDataset(features, labels),
            batch_size,
            drop_last=True,
        )
    ],
)
# --8<-- [end:last_batch_fix]

# --8<-- [start:shuffle_apart]
torch.manual_seed(seed)
X_shuffled = features[torch.randperm(1000)]
# another order: the pairs are broken
y_shuffled = labels[torch.randperm(1000)]
net = nn.Linear(2, 1)
train(
    net,
    torch.optim.SGD(net.parameters(), lr=0.03),
    X_shuffled,
    y_shuffled,
)
print("w:", net.weight.detach(), "b:", net.bias.detach())
print(
    f"variance of the labels: {labels.var(unbiased=False).item():.4f}"
    f", mean: {labels.mean().item():.4f}"
)
# --8<-- [end:shuffle_apart]

# --8<-- [start:shuffle_apart_fix]
torch.manual_seed(seed)
order = torch.randperm(1000)  # one order for both
X_shuffled, y_shuffled = features[order], labels[order]
net = nn.Linear(2, 1)
train(
    net,
    torch.optim.SGD(net.parameters(), lr=0.03),
    X_shuffled,
    y_shuffled,
)
print(f"max |error|: {param_error(net.weight, net.bias):.1e}")
# --8<-- [end:shuffle_apart_fix]

# --8<-- [start:dataset_sizes]
# one label lost, e.g. a header line dropped from one file only
y_short = labels[1:]
print("len(features):", len(features), "len(y_short):", len(y_short))
show_error(lambda: TensorDataset(features, y_short))
# --8<-- [end:dataset_sizes]

# --8<-- [start:dataset_sizes_fix]
# check before pairing them
assert len(features) == len(labels), (len(features), len(labels))
dataset = TensorDataset(features, labels)
print("len(dataset):", len(dataset), "| dataset[0]:", dataset[0])
# --8<-- [end:dataset_sizes_fix]

# ---------------------------------------------------------------- tables, saved models, devices

# --8<-- [start:object_column]
import pandas as pd

table = pd.DataFrame(
    {
        "area": [120.0, 80.0, 95.0],
        "city": ["Beijing", "Shanghai", "Beijing"],
        "price": [480.0, 400.0, 390.0],
    }
)
print(table.dtypes.astype(str).to_dict())
# a text column among the features
show_error(lambda: torch.tensor(table[["area", "city"]].to_numpy()))
# --8<-- [end:object_column]

# --8<-- [start:object_column_fix]
encoded = pd.get_dummies(
    table[["area", "city"]],
    columns=["city"],
    drop_first=True,
    dtype=float,
)
# numbers only now
X_table = torch.tensor(encoded.to_numpy(), dtype=torch.float32)
print(list(encoded.columns), X_table)
# --8<-- [end:object_column_fix]

# --8<-- [start:nan_column]
holes = pd.DataFrame(features.numpy(), columns=["x1", "x2"])
# two empty cells in a file of 1000 rows
holes.loc[[3, 500], "x2"] = float("nan")
torch.manual_seed(seed)
net = nn.Linear(2, 1)
train(
    net,
    torch.optim.SGD(net.parameters(), lr=0.03),
    torch.tensor(holes.to_numpy()),
    labels,
    num_epochs=1,
)
print("w:", net.weight.detach(), "b:", net.bias.detach())
# --8<-- [end:nan_column]

# --8<-- [start:nan_column_fix]
# look before training
print("missing per column:", holes.isna().sum().to_dict())
# the training data's median (keep it for new data)
filled = holes.fillna(holes.median())
torch.manual_seed(seed)
net = nn.Linear(2, 1)
train(
    net,
    torch.optim.SGD(net.parameters(), lr=0.03),
    torch.tensor(filled.to_numpy()),
    labels,
)
print(f"max |error|: {param_error(net.weight, net.bias):.1e}")
# --8<-- [end:nan_column_fix]

# --8<-- [start:state_dict_keys]
import io

saved = io.BytesIO()  # stands for a file
# saved from an nn.Sequential
torch.save(nn.Sequential(nn.Linear(2, 1)).state_dict(), saved)
saved.seek(0)
# loaded into a bare nn.Linear
show_error(lambda: nn.Linear(2, 1).load_state_dict(torch.load(saved)))
# --8<-- [end:state_dict_keys]

# --8<-- [start:state_dict_keys_fix]
saved.seek(0)
state = torch.load(saved)
print("keys in the file:", list(state))
# the same architecture as when it was saved
net = nn.Sequential(nn.Linear(2, 1))
print(net.load_state_dict(state))
# --8<-- [end:state_dict_keys_fix]

# --8<-- [start:meta_device]
# stands for a model on another device (a GPU)
net = nn.Linear(2, 1).to("meta")
X = features[:3]  # the data on the CPU
show_error(lambda: net(X))
# --8<-- [end:meta_device]

# --8<-- [start:meta_device_fix]
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
net = nn.Linear(2, 1).to(device)
# the data go where the model is
X = features[:3].to(next(net.parameters()).device)
print(
    "model on",
    next(net.parameters()).device,
    "| data on",
    X.device,
    "| output on",
    net(X).device,
)
# --8<-- [end:meta_device_fix]
