"""Training, validation and test error; overfitting; weight decay; standardisation and prediction:
the page "泛化 / Generalisation".

Run: python snippets/generalisation.py [seed]   (the page shows seed 0)
"""

# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

seed = 0  # change it for another run
# --8<-- [end:imports]
import sys

from _plot import save_figure  # the site's figure style, and saving for the page
from data import synthetic_data, true_b, true_w  # shown on the page from snippets/data.py

seed = int(sys.argv[1]) if len(sys.argv) > 1 else seed  # python snippets/generalisation.py 7

# --8<-- [start:split]
torch.manual_seed(seed)
features, labels = synthetic_data(true_w, true_b, 1000)
# shuffle, then cut: 600 / 200 / 200
order = torch.randperm(len(features))
train_idx, val_idx, test_idx = (
    order[:600],
    order[600:800],
    order[800:],
)
X_train, y_train = features[train_idx], labels[train_idx]
X_val, y_val = features[val_idx], labels[val_idx]
X_test, y_test = features[test_idx], labels[test_idx]
print(
    "training:",
    X_train.shape,
    "validation:",
    X_val.shape,
    "test:",
    X_test.shape,
)
# --8<-- [end:split]


# --8<-- [start:train]
def train(
    net,
    X_train,
    y_train,
    X_val,
    y_val,
    lr=0.03,
    num_epochs=5,
    batch_size=10,
):
    """Minibatch SGD on nn.MSELoss; prints the training and
    validation MSE after each epoch."""
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    train_loader = DataLoader(
        TensorDataset(X_train, y_train), batch_size, shuffle=True
    )
    for epoch in range(num_epochs):
        for X, y in train_loader:
            loss = loss_fn(net(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():  # evaluation only: no graph
            train_mse = loss_fn(net(X_train), y_train).item()
            val_mse = loss_fn(net(X_val), y_val).item()
        print(
            f"epoch {epoch + 1}: training MSE {train_mse:.2e},",
            f"validation MSE {val_mse:.2e}",
        )
    return train_mse, val_mse


# --8<-- [end:train]

# --8<-- [start:fit_linear]
net = nn.Linear(2, 1)
nn.init.normal_(net.weight, 0, 0.01)
nn.init.zeros_(net.bias)
train_mse, val_mse = train(net, X_train, y_train, X_val, y_val)
sigma = 0.01  # the noise level of synthetic_data
print(
    f"σ² = {sigma**2:.1e};",
    f"training MSE / σ² = {train_mse / sigma**2:.2f},",
    f"validation MSE / σ² = {val_mse / sigma**2:.2f}",
)
# A mean of m squared N(0, σ²) values scatters by σ²·√(2/m).
m = len(X_val)
print(
    f"chance scatter of a {m}-example MSE:",
    f"±{(2 / m) ** 0.5:.0%} of σ²",
)
# --8<-- [end:fit_linear]


# --8<-- [start:poly_data]
def f(x):
    """The true function, a cubic."""
    return 5 + 1.2 * x - 3.4 * x**2 / 2 + 5.6 * x**3 / 6


sigma_poly = 0.2


def sample(n):
    """n inputs x ~ U(-1, 1) and labels f(x) + ε, ε ~ N(0, 0.2²),
    in float64."""
    x = torch.rand(n, dtype=torch.float64) * 2 - 1
    noise = torch.normal(0.0, sigma_poly, (n,), dtype=torch.float64)
    return x, f(x) + noise


def powers(x, degree):
    """The features x, x², ..., x^degree: the columns of X,
    shape (n, degree)."""
    return x.reshape(-1, 1) ** torch.arange(1, degree + 1)


def augment(X):
    """A = [X, 1]: the column of ones on the right, for the bias."""
    return torch.cat([X, torch.ones(len(X), 1, dtype=X.dtype)], dim=1)


# (x, y) pairs
train_set, val_set, test_set = sample(20), sample(100), sample(100)
# --8<-- [end:poly_data]


# --8<-- [start:poly_fit]
def fit_ls(data, degree):
    """Least squares on A = [X, 1]; returns θ = (w, b), the bias
    last.
    """
    x, y = data
    A = augment(powers(x, degree))
    fit = torch.linalg.lstsq(A, y.reshape(-1, 1), driver="gelsd")
    return fit.solution.reshape(-1)


def mse(theta, data, degree):
    x, y = data
    return (
        ((augment(powers(x, degree)) @ theta - y) ** 2).mean().item()
    )


thetas = {degree: fit_ls(train_set, degree) for degree in (1, 3, 15)}
for degree, theta in thetas.items():
    print(
        f"degree {degree:2d}:",
        f"training MSE {mse(theta, train_set, degree):.4f},",
        f"validation MSE {mse(theta, val_set, degree):.4g}",
    )
print(f"noise σ² = {sigma_poly**2:.2f}")
# --8<-- [end:poly_fit]

# --8<-- [start:poly_plot]
grid = torch.linspace(-1, 1, 400, dtype=torch.float64)
fig, ax = plt.subplots(figsize=(5.5, 3.3))
ax.scatter(*train_set, color="black", s=12, zorder=3)
ax.plot(grid, f(grid), "k--", lw=1, label="$f(x)$")
for degree, theta in thetas.items():
    curve = augment(powers(grid, degree)) @ theta
    ax.plot(grid, curve, label=f"$k = {degree}$")
ax.legend()
ax.set_ylim(
    train_set[1].min().item() - 1, train_set[1].max().item() + 1
)
ax.set_xlabel("$x$")
ax.set_ylabel("$y$")
# --8<-- [end:poly_plot]
save_figure(fig, "generalisation_fits")

# --8<-- [start:degrees]
degrees = range(1, 16)
# for each draw: (training MSE, validation MSE) at each degree
errors = []
for draw in range(20):
    train_draw, val_draw = sample(20), sample(100)
    row = []
    for k in degrees:
        theta = fit_ls(train_draw, k)
        row.append(
            [mse(theta, train_draw, k), mse(theta, val_draw, k)]
        )
    errors.append(row)
# shape (draws, degrees, 2)
errors = torch.tensor(errors, dtype=torch.float64)
quartiles = torch.tensor([0.25, 0.5, 0.75], dtype=torch.float64)
low, median, high = errors.quantile(quartiles, dim=0)
print("degree  median training MSE  median validation MSE")
for k in (1, 2, 3, 5, 8, 10, 12, 15):
    print(
        f"{k:6d}  {median[k - 1, 0]:19.4f}  {median[k - 1, 1]:21.4g}"
    )
worse = errors[:, -1, 1] > errors[:, [0, 2], 1].max(dim=1).values
above = worse.sum().item()
print(
    "degree 15 validates worse than degrees 1 and 3",
    f"in {above} of {len(errors)} draws",
)
# Even the right model fits some noise: E[training MSE] = σ²(1 − p/n),
# with p = k + 1 parameters and n = 20 points.
expected = sigma_poly**2 * (1 - 4 / 20)
print(
    "expected training MSE at degree 3:",
    f"σ²(1 − 4/20) = {expected:.3f}",
)
# --8<-- [end:degrees]

# --8<-- [start:degrees_plot]
fig, ax = plt.subplots(figsize=(5, 3.2))
names = [r"$E_{\mathrm{train}}$", r"$E_{\mathrm{val}}$"]
for column, label in enumerate(names):
    ax.plot(degrees, median[:, column], marker="o", ms=3, label=label)
    ax.fill_between(
        degrees, low[:, column], high[:, column], alpha=0.25
    )
ax.axhline(sigma_poly**2, color="gray", ls=":", label=r"$\sigma^2$")
ax.legend()
ax.set_xlabel("$k$")
ax.set_yscale("log")
# --8<-- [end:degrees_plot]
save_figure(fig, "generalisation_degrees")


# --8<-- [start:ridge]
def eye_without_bias(p):
    """I': the p × p identity with 0 in the last (bias) entry."""
    eye = torch.eye(p, dtype=torch.float64)
    eye[-1, -1] = 0
    return eye


def ridge(data, degree, lam):
    """Weight decay in closed form: solve (AᵀA + nλI')θ = Aᵀy."""
    x, y = data
    A = augment(powers(x, degree))
    n, p = A.shape
    M = A.T @ A + n * lam * eye_without_bias(p)
    return torch.linalg.solve(M, A.T @ y)


# --8<-- [end:ridge]

# --8<-- [start:invertible]
# 10 examples, 16 parameters
x, y = train_set[0][:10], train_set[1][:10]
A = augment(powers(x, 15))
lam = 1e-2
M = A.T @ A + len(A) * lam * eye_without_bias(16)
print(
    "A:",
    tuple(A.shape),
    " rank of A (and of AᵀA):",
    torch.linalg.matrix_rank(A).item(),
)
print(
    "rank of AᵀA + nλI':",
    torch.linalg.matrix_rank(M).item(),
    "of",
    len(M),
)
# --8<-- [end:invertible]

# --8<-- [start:bias]
x, y = train_set
A = augment(powers(x, 15))


def fitted(penalty, labels):
    """The training-set predictions of least squares with the
    penalty nλ·penalty."""
    M = A.T @ A + len(A) * lam * penalty
    return A @ torch.linalg.solve(M, A.T @ labels)


for name, penalty in [
    ("bias not decayed", eye_without_bias(16)),
    ("bias decayed too", torch.eye(16, dtype=torch.float64)),
]:
    moved = fitted(penalty, y + 100) - fitted(penalty, y)
    print(
        f"labels + 100, {name}: predictions move by",
        f"{moved.min():.6f} to {moved.max():.6f}",
    )
# --8<-- [end:bias]

# --8<-- [start:gd]
X, y = powers(train_set[0], 15), train_set[1].reshape(-1, 1)
net = nn.Linear(15, 1, dtype=torch.float64)
nn.init.zeros_(net.weight)
nn.init.zeros_(net.bias)
A = augment(X)
# the Hessian of the objective
H = A.T @ A / len(A) + lam * eye_without_bias(16)
mu = torch.linalg.eigvalsh(H)  # its eigenvalues μ, ascending
optimizer = torch.optim.SGD(
    [
        {"params": [net.weight], "weight_decay": lam},
        {"params": [net.bias], "weight_decay": 0},
    ],
    lr=1 / mu[-1].item(),
)
num_steps = 3000
for _ in range(num_steps):  # full-batch gradient descent
    # the ½ loss; weight_decay adds λw to the gradient
    loss = ((net(X) - y) ** 2 / 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
theta_gd = torch.cat(
    [net.weight.detach().reshape(-1), net.bias.detach()]
)
theta_ridge = ridge(train_set, 15, lam)
# from θ = 0
bound = (1 - mu[0] / mu[-1]) ** num_steps * theta_ridge.norm()
print(
    f"eigenvalues of H: mu_min = {mu[0]:.4f}, mu_max = {mu[-1]:.3f}"
)
print(
    f"|θ_ridge| = {theta_ridge.norm():.2f}; after {num_steps} steps: "
    f"|θ_GD - θ_ridge| = {(theta_gd - theta_ridge).norm():.1e},",
    f"bound {bound:.1e}",
)
# --8<-- [end:gd]

# --8<-- [start:choose]
lams = [0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]
print("λ        training MSE  validation MSE")
val_errors = []
for lam in lams:
    if lam == 0:
        theta = fit_ls(train_set, 15)
    else:
        theta = ridge(train_set, 15, lam)
    val_errors.append(mse(theta, val_set, 15))
    train_error = mse(theta, train_set, 15)
    print(f"{lam:<8g} {train_error:12.4f}  {val_errors[-1]:14.4g}")
best_lam = lams[val_errors.index(min(val_errors))]
theta_best = ridge(train_set, 15, best_lam)
test_error = mse(theta_best, test_set, 15)
print(
    f"chosen λ = {best_lam:g};",
    f"test MSE, computed once: {test_error:.4f}",
)
# How far a 100-point MSE scatters around σ² by chance: σ²·√(2/100)
scatter = sigma_poly**2 * (2 / 100) ** 0.5
print(f"chance scatter of a 100-point MSE: ±{scatter:.4f}")
# --8<-- [end:choose]

# --8<-- [start:raw]
offset, scale = torch.tensor([100.0, 10.0]), torch.tensor([30.0, 5.0])


def to_raw(X):
    """The features in their own units: an area around 100 m²,
    an age around 10 years."""
    return offset + scale * X


raw_train, raw_val = to_raw(X_train), to_raw(X_val)
raw_test = to_raw(X_test)
print(raw_train[:3])
# --8<-- [end:raw]

# --8<-- [start:raw_sgd]
net = nn.Linear(2, 1)
nn.init.normal_(net.weight, 0, 0.01)
nn.init.zeros_(net.bias)
train(net, raw_train, y_train, raw_val, y_val, num_epochs=1)
# --8<-- [end:raw_sgd]

# --8<-- [start:standardise]
# the training set only; kept
mean, std = raw_train.mean(dim=0), raw_train.std(dim=0)


def standardise(raw):
    return (raw - mean) / std


print("training mean:", mean, "std:", std)
print(
    "validation set, standardised: mean",
    standardise(raw_val).mean(dim=0),
    "std",
    standardise(raw_val).std(dim=0),
)
# --8<-- [end:standardise]

# --8<-- [start:pipeline]
net = nn.Linear(2, 1)
nn.init.normal_(net.weight, 0, 0.01)
nn.init.zeros_(net.bias)
train(
    net, standardise(raw_train), y_train, standardise(raw_val), y_val
)
with torch.no_grad():
    test_mse = nn.MSELoss()(net(standardise(raw_test)), y_test).item()
print(f"test MSE, computed once: {test_mse:.2e}")
# --8<-- [end:pipeline]


# --8<-- [start:predict]
def predict(raw_inputs):
    """Predictions for inputs in raw units: the stored training
    statistics, then the model."""
    with torch.no_grad():
        return net(standardise(raw_inputs)).reshape(-1)


def true_f(raw):
    """The true function, written for raw inputs."""
    return ((raw - offset) / scale) @ true_w + true_b


new = torch.tensor(
    [[120.0, 5.0], [80.0, 20.0], [100.0, 10.0], [150.0, 2.0]]
)
print("area, age   prediction  true f(x)  difference")
for x, p, t in zip(new, predict(new), true_f(new)):
    print(
        f"{x[0]:4.0f}, {x[1]:3.0f}  {p:11.4f}  {t:9.4f}  {p - t:+.1e}"
    )
# --8<-- [end:predict]
