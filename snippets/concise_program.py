"""The page "简洁实现 / Concise implementation" as one program: its steps, nothing else.

Run: python snippets/concise_program.py   (prints what the page's training prints, seed 0)
"""
# --8<-- [start:program]
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def synthetic_data(w, b, num_examples, noise=0.01):
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = X @ w + b
    y += torch.normal(0, noise, y.shape)
    return X, y.reshape(-1, 1)


# 1. Data: 1000 examples from known parameters, in minibatches
seed = 0
true_w, true_b = torch.tensor([2, -3.4]), 4.2
torch.manual_seed(seed)
features, labels = synthetic_data(true_w, true_b, 1000)
dataset = TensorDataset(features, labels)
train_loader = DataLoader(dataset, batch_size=10, shuffle=True)
# 2. Model, its parameters, the loss and the optimiser
net = nn.Sequential(nn.Linear(2, 1))
torch.manual_seed(seed)
nn.init.normal_(net[0].weight, mean=0, std=0.01)
nn.init.zeros_(net[0].bias)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
# 3. Training
num_epochs = 3
for epoch in range(num_epochs):
    for X, y in train_loader:
        batch_loss = loss_fn(net(X), y)
        optimizer.zero_grad()
        batch_loss.backward()
        optimizer.step()
    with torch.no_grad():
        train_loss = loss_fn(net(features), labels)
    print(f"epoch {epoch + 1}, loss {train_loss.item():f}")
# 4. Result: how far from the true parameters
w, b = net[0].weight.detach(), net[0].bias.detach()
w_err = true_w - w.reshape(true_w.shape)
b_err = true_b - b.item()
print(f"max |error|: {max(w_err.abs().max().item(), abs(b_err)):.1e}")
# --8<-- [end:program]
