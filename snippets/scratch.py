"""Linear regression from scratch, the seven steps of the page "从零实现 / From scratch".

Run: python snippets/scratch.py [seed]   (the page shows seed 0)
"""

# --8<-- [start:imports]
import random

import matplotlib.pyplot as plt
import torch

seed = 0  # change it for another run
# --8<-- [end:imports]
import sys

from _plot import save_figure  # the site's figure style, and saving for the page
from data import synthetic_data, true_b, true_w  # shown on the page from snippets/data.py

seed = int(sys.argv[1]) if len(sys.argv) > 1 else seed  # python snippets/scratch.py 7

# --8<-- [start:data]
torch.manual_seed(seed)  # the data are random: the seed fixes them
features, labels = synthetic_data(true_w, true_b, 1000)
print("features:", features.shape, "labels:", labels.shape)
print("first example:", features[0], labels[0])
# --8<-- [end:data]

# --8<-- [start:plot]
fig, ax = plt.subplots(figsize=(4.5, 3))
ax.scatter(features[:, 1], labels[:, 0], s=3)
ax.set_xlabel("$x_2$")
ax.set_ylabel("$y$")
# --8<-- [end:plot]
save_figure(fig, "scratch_data")


# --8<-- [start:data_iter]
def data_iter(batch_size, features, labels):
    """A generator: each pass of a for loop gets the next
    minibatch.
    """
    num_examples = len(features)
    indices = list(range(num_examples))
    # a new order at every call, that is every epoch
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        # the last batch may be smaller
        batch = torch.tensor(indices[i : i + batch_size])
        yield features[batch], labels[batch]


# --8<-- [end:data_iter]

# --8<-- [start:data_iter_demo]
batches = data_iter(10, features, labels)
# nothing is sliced yet
print("data_iter(...) returns", type(batches).__name__)
X, y = next(batches)  # now the first minibatch is cut
print("one minibatch:", X.shape, y.shape)
sizes = [len(X) for X, _ in data_iter(64, features, labels)]
print(
    "batch size 64:",
    len(sizes),
    "batches, the last one has",
    sizes[-1],
    "examples",
)
# --8<-- [end:data_iter_demo]

# --8<-- [start:init]
# Seed again right before training: the demonstrations above drew
# random numbers, and the run
# must not depend on them (the comparison page repeats exactly this
# run).
torch.manual_seed(seed)  # the initial weights
random.seed(seed)  # the shuffling in data_iter
w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
# --8<-- [end:init]


# --8<-- [start:model]
def linreg(X, w, b):
    """The linear model Xw + b; b of shape (1,) is broadcast to every
    row.
    """
    return X @ w + b


# --8<-- [end:model]

# --8<-- [start:model_demo]
print(
    "Xw:",
    (X @ w).shape,
    "b:",
    b.shape,
    "Xw + b:",
    linreg(X, w, b).shape,
)
# --8<-- [end:model_demo]


# --8<-- [start:loss]
def squared_loss(y_hat, y):
    """Squared loss ½(ŷ − y)² per example; y is reshaped to ŷ's shape
    first.
    """
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


# --8<-- [end:loss]

# --8<-- [start:loss_demo]
y_hat, y_flat = torch.zeros(3, 1), torch.ones(3)
# broadcasting makes a 3×3 matrix
print("without reshape:", (y_hat - y_flat).shape)
print("with reshape:   ", squared_loss(y_hat, y_flat).shape)
# --8<-- [end:loss_demo]


# --8<-- [start:sgd]
def sgd(params, lr, batch_size):
    """One step of minibatch SGD; the loss was summed, so divide by
    the batch size.
    """
    # the update itself must not be recorded by autograd
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            # otherwise the next backward() adds to this gradient
            param.grad.zero_()


# --8<-- [end:sgd]

# --8<-- [start:why_sum]
# one loss per example of the minibatch
batch_loss = squared_loss(linreg(X, w, b), y)
print("batch_loss:", batch_loss.shape)
try:
    # without an argument, backward() needs a scalar
    batch_loss.backward()
except RuntimeError as error:
    print("RuntimeError:", error)
print("batch_loss.sum():", batch_loss.sum().shape, "(a scalar)")
# --8<-- [end:why_sum]

# --8<-- [start:train]
lr, num_epochs, batch_size = 0.03, 3, 10
# the loop below works for any model and loss
net, loss_fn = linreg, squared_loss
for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        # shape (len(X), 1): one loss per example
        batch_loss = loss_fn(net(X, w, b), y)
        # backward() needs a scalar: sum the losses
        batch_loss.sum().backward()
        # len(X): the actual size of this batch
        sgd([w, b], lr, len(X))
    with torch.no_grad():  # only measuring: no graph, no gradients
        train_loss = loss_fn(net(features, w, b), labels)
    print(f"epoch {epoch + 1}, loss {train_loss.mean().item():f}")
# --8<-- [end:train]

# --8<-- [start:graph]
print(
    "under no_grad: requires_grad",
    train_loss.requires_grad,
    "| grad_fn",
    train_loss.grad_fn,
)
# the same computation, recorded
outside = loss_fn(net(features, w, b), labels)
print(
    "without it:    requires_grad",
    outside.requires_grad,
    "| grad_fn",
    type(outside.grad_fn).__name__,
)
# same values, no graph
print("w.detach():    requires_grad", w.detach().requires_grad)
# --8<-- [end:graph]

# --8<-- [start:errors]
w_err = true_w - w.detach().reshape(true_w.shape)
b_err = true_b - b.detach().item()
print("error in w:", w_err)
print(f"error in b: {b_err:.1e}")
print(f"max |error|: {max(w_err.abs().max().item(), abs(b_err)):.1e}")
# --8<-- [end:errors]

# --8<-- [start:error_parts]
# Split the error θ_true − θ_SGD into three parts, with θ = (w1, w2,
# b) as one column.
# A = [X, 1]
A = torch.cat(
    [features, torch.ones(len(features), 1)], dim=1
).double()
y_all = labels.double()
theta_true = torch.cat(
    [true_w.reshape(2, 1), torch.tensor([[true_b]])]
).double()
theta_sgd = torch.cat([w.detach(), b.detach().reshape(1, 1)]).double()
# the best fit to these data
theta_ls = torch.linalg.lstsq(A, y_all, driver="gelsd").solution
torch.manual_seed(seed)  # the same start as the training run above
theta_gd = torch.cat(
    [torch.normal(0, 0.01, size=(2, 1)), torch.zeros(1, 1)]
).double()
# as many steps as SGD took: 300
num_steps = num_epochs * len(features) // batch_size
# full-batch gradient descent, same learning rate
for step in range(num_steps):
    theta_gd -= lr * A.T @ (A @ theta_gd - y_all) / len(A)
# noise in the data
parts = {
    "statistical  θ_true - θ_LS ": theta_true - theta_ls,
    # too few steps
    "unfinished   θ_LS - θ_GD   ": theta_ls - theta_gd,
    # random minibatches
    "jitter       θ_GD - θ_SGD  ": theta_gd - theta_sgd,
    "sum = error  θ_true - θ_SGD": theta_true - theta_sgd,
}
print(f"{num_steps} steps; parts of the error in (w1, w2, b):")
for name, part in parts.items():
    print(
        name + ":",
        " ".join(f"{v:+.1e}" for v in part.flatten().tolist()),
    )
# --8<-- [end:error_parts]

# --8<-- [start:predict]
# three new examples
X_new = torch.tensor([[0.0, 0.0], [1.0, -1.0], [-2.0, 0.5]])
with torch.no_grad():
    y_new = net(X_new, w, b).flatten()
# what the true function gives, without noise
y_true = X_new @ true_w + true_b
print("prediction:   ", y_new)
print("true Xw + b:  ", y_true)
print(f"max |difference|: {(y_new - y_true).abs().max().item():.1e}")
# --8<-- [end:predict]
