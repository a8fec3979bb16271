"""Synthetic data for every page: y = Xw + b + noise with known w and b."""

import torch


# --8<-- [start:synthetic_data]
def synthetic_data(w, b, num_examples, noise=0.01):
    """X of shape (n, len(w)) and y = Xw + b + ε of shape (n, 1), ε ~
    N(0, noise²).
    """
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = X @ w + b
    y += torch.normal(0, noise, y.shape)
    return X, y.reshape(-1, 1)


# --8<-- [end:synthetic_data]

# --8<-- [start:true_params]
true_w = torch.tensor([2, -3.4])
true_b = 4.2
# --8<-- [end:true_params]

if __name__ == "__main__":
    torch.manual_seed(0)
    X, y = synthetic_data(true_w, true_b, 1000)
    print("X:", tuple(X.shape), "y:", tuple(y.shape))
    print("first row:", X[0], y[0])
