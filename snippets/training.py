"""A concise training loop (torch.nn + torch.optim) that the questions and exercises pages reuse."""

import torch
from torch import nn


# --8<-- [start:fit]
def fit(
    net,
    features,
    labels,
    lr=0.03,
    batch_size=10,
    num_epochs=3,
    loss_fn=None,
    shuffle=True,
):
    """Minibatch SGD (on nn.MSELoss unless `loss_fn` is given);
    returns the MSE on all the data.
    """
    loss_fn = loss_fn or nn.MSELoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    n = len(features)
    for epoch in range(num_epochs):
        order = torch.randperm(n) if shuffle else torch.arange(n)
        for i in range(0, n, batch_size):
            batch = order[i : i + batch_size]
            batch_loss = loss_fn(net(features[batch]), labels[batch])
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
    with torch.no_grad():
        return nn.MSELoss()(net(features), labels).item()


# --8<-- [end:fit]


if __name__ == "__main__":
    from data import synthetic_data, true_b, true_w

    torch.manual_seed(0)
    features, labels = synthetic_data(true_w, true_b, 1000)
    net = nn.Linear(2, 1)
    print("final MSE:", fit(net, features, labels))
    print("w:", net.weight.detach(), "b:", net.bias.detach())
