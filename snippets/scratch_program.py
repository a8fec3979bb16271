"""The page "从零实现 / From scratch" as one program: its seven steps, nothing else.

Run: python snippets/scratch_program.py   (prints what the page's training prints, seed 0)
"""
# --8<-- [start:program]
import random

import torch


def synthetic_data(w, b, num_examples, noise=0.01):
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = X @ w + b
    y += torch.normal(0, noise, y.shape)
    return X, y.reshape(-1, 1)


def data_iter(batch_size, features, labels):
    indices = list(range(len(features)))
    random.shuffle(indices)
    for i in range(0, len(features), batch_size):
        batch = torch.tensor(indices[i:i + batch_size])
        yield features[batch], labels[batch]


def linreg(X, w, b):
    return X @ w + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


# 1. Data: 1000 examples from known parameters
seed = 0
true_w, true_b = torch.tensor([2, -3.4]), 4.2
torch.manual_seed(seed)
features, labels = synthetic_data(true_w, true_b, 1000)
# 2. Parameters: small random w, zero b
torch.manual_seed(seed)
random.seed(seed)
w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
# 3. Training: minibatch SGD on the squared loss
lr, num_epochs, batch_size = 0.03, 3, 10
for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        batch_loss = squared_loss(linreg(X, w, b), y)
        batch_loss.sum().backward()
        sgd([w, b], lr, len(X))
    with torch.no_grad():
        train_loss = squared_loss(linreg(features, w, b), labels)
    print(f"epoch {epoch + 1}, loss {train_loss.mean().item():f}")
# 4. Result: how far from the true parameters
w_err = true_w - w.detach().reshape(true_w.shape)
b_err = true_b - b.detach().item()
print(f"max |error|: {max(w_err.abs().max().item(), abs(b_err)):.1e}")
# --8<-- [end:program]
