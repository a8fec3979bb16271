"""Linear regression with torch.nn, torch.optim and torch.utils.data, the page "简洁实现 / Concise implementation".

Run: python snippets/concise.py [seed]   (the page shows seed 0)
"""

# --8<-- [start:imports]
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

seed = 0  # change it for another run
# --8<-- [end:imports]
import sys

from data import synthetic_data, true_b, true_w  # shown on the page from snippets/data.py

seed = int(sys.argv[1]) if len(sys.argv) > 1 else seed  # python snippets/concise.py 7

# --8<-- [start:data]
# the same seed gives the same data as on the from-scratch page
torch.manual_seed(seed)
features, labels = synthetic_data(true_w, true_b, 1000)

batch_size = 10
# example i is (features[i], labels[i])
dataset = TensorDataset(features, labels)
# a new order every epoch
train_loader = DataLoader(dataset, batch_size, shuffle=True)

X, y = next(iter(train_loader))
print("one minibatch:", X.shape, y.shape)
print("minibatches per epoch:", len(train_loader))
# --8<-- [end:data]

# --8<-- [start:model]
net = nn.Sequential(nn.Linear(2, 1))  # 2 features in, 1 output
print(net)
print("weight:", net[0].weight.shape, "bias:", net[0].bias.shape)
# --8<-- [end:model]

# --8<-- [start:shapes]
try:
    nn.Linear(3, 1)(X)  # a layer that expects 3 features gets 2
except RuntimeError as error:
    print("RuntimeError:", error)

lazy = nn.LazyLinear(1)  # in_features is left open
print("before the first call:", lazy)
lazy(X)  # the first batch fixes it
print("after the first call: ", lazy)
# --8<-- [end:shapes]

# --8<-- [start:init]
# Seed again right before training, as on the from-scratch page: the
# layers and the minibatch above
# drew random numbers, and the run must not depend on them (the
# comparison page repeats this run).
# the initial weights, then DataLoader's shuffling
torch.manual_seed(seed)
# in place, without recording a graph
nn.init.normal_(net[0].weight, mean=0, std=0.01)
nn.init.zeros_(net[0].bias)
print(
    "weight:", net[0].weight.detach(), "bias:", net[0].bias.detach()
)
# --8<-- [end:init]

# --8<-- [start:loss]
loss_fn = nn.MSELoss()
# --8<-- [end:loss]


# --8<-- [start:factor2]
def gradient(scalar_loss):
    """The gradient of a scalar loss with respect to (weight, bias),
    as one vector.
    """
    net.zero_grad()
    scalar_loss.backward()
    return torch.cat([net[0].weight.grad.flatten(), net[0].bias.grad])


# squared_loss of the from-scratch page
half_squares = (net(X) - y) ** 2 / 2
# its sgd divides by the batch size
g_scratch = gradient(half_squares.sum()) / len(X)
g_mse = gradient(loss_fn(net(X), y))
print("from scratch:", g_scratch)
print("nn.MSELoss(): ", g_mse)
print("ratio:        ", g_mse / g_scratch)
# --8<-- [end:factor2]

# --8<-- [start:reduction]
g_sum = gradient(nn.MSELoss(reduction="sum")(net(X), y))
print("reduction='sum' / 'mean':", g_sum / g_mse)
# --8<-- [end:reduction]

# --8<-- [start:optimizer]
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
# --8<-- [end:optimizer]

# --8<-- [start:train]
num_epochs = 3
for epoch in range(num_epochs):
    for X, y in train_loader:
        # already the mean over the minibatch: a scalar
        batch_loss = loss_fn(net(X), y)
        optimizer.zero_grad()
        batch_loss.backward()
        optimizer.step()
    with torch.no_grad():  # only measuring: no graph
        train_loss = loss_fn(net(features), labels)
    print(f"epoch {epoch + 1}, loss {train_loss.item():f}")
# --8<-- [end:train]

# --8<-- [start:params]
print("weight:", net[0].weight.detach(), "grad:", net[0].weight.grad)
print("bias:  ", net[0].bias.detach(), "grad:", net[0].bias.grad)
optimizer.zero_grad()
print("after zero_grad():", net[0].weight.grad)
# --8<-- [end:params]

# --8<-- [start:errors]
w = net[0].weight.detach()  # the values, without the graph
b = net[0].bias.detach()
# weight has shape (1, 2): (out_features, in_features)
w_err = true_w - w.reshape(true_w.shape)
b_err = true_b - b.item()
print("error in w:", w_err)
print(f"error in b: {b_err:.1e}")
print(f"max |error|: {max(w_err.abs().max().item(), abs(b_err)):.1e}")
# --8<-- [end:errors]

# --8<-- [start:predict]
# three new examples
X_new = torch.tensor([[0.0, 0.0], [1.0, -1.0], [-2.0, 0.5]])
with torch.no_grad():
    y_new = net(X_new).flatten()
# what the true function gives, without noise
y_true = X_new @ true_w + true_b
print("prediction:   ", y_new)
print("true Xw + b:  ", y_true)
print(f"max |difference|: {(y_new - y_true).abs().max().item():.1e}")
# --8<-- [end:predict]
