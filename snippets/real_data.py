"""One real data set end to end: scikit-learn's diabetes table (bundled with the package, read offline),
for the page "真实数据 / A real data set". tests/test_real_data.py recomputes every number with scikit-learn.

Run: python snippets/real_data.py [seed]   (the page shows seed 0)
"""

# --8<-- [start:imports]
import matplotlib.pyplot as plt
import pandas as pd
import torch

# the table ships inside the package: no download
from sklearn.datasets import load_diabetes
from torch import nn

seed = 0  # change it for another run
# --8<-- [end:imports]
import sys

from _plot import save_figure  # the site's figure style, and saving for the page

seed = int(sys.argv[1]) if len(sys.argv) > 1 else seed  # python snippets/real_data.py 7

# --8<-- [start:load]
# a pandas DataFrame, raw units
frame = load_diabetes(as_frame=True, scaled=False).frame
pd.set_option("display.width", 120)
print(frame.shape)
print(frame.head(3))
print(
    "missing values:",
    frame.isna().sum().sum(),
    "| column types:",
    set(frame.dtypes.astype(str)),
)
# --8<-- [end:load]

# --8<-- [start:split]
torch.manual_seed(seed)
order = torch.randperm(len(frame)).tolist()
# 340 for training (and choosing λ), 102 for the test
train_rows, test_rows = order[:340], order[340:]
feature_names = list(frame.columns[:-1])


def as_tensors(rows):
    """Features and target of some rows, as float64 tensors (the
    table's own precision).
    """
    part = frame.iloc[rows]
    return (
        torch.tensor(part[feature_names].to_numpy()),
        torch.tensor(part[["target"]].to_numpy()),
    )


X_train_raw, y_train = as_tensors(train_rows)
X_test_raw, y_test = as_tensors(test_rows)
print(
    "training:",
    tuple(X_train_raw.shape),
    "test:",
    tuple(X_test_raw.shape),
)
# --8<-- [end:split]

# --8<-- [start:messy]
# the training rows, spoiled as real files are
messy = frame.iloc[train_rows][feature_names].copy()
# a category written as text
messy["sex"] = messy["sex"].map({1.0: "one", 2.0: "two"})
generator = torch.Generator().manual_seed(seed)
for column in ("bmi", "s5"):
    holes = torch.randperm(len(messy), generator=generator)[
        :15
    ].tolist()
    # 15 missing entries each
    messy.iloc[holes, messy.columns.get_loc(column)] = float("nan")
print(messy[["age", "sex", "bmi", "s5"]].head(4))
print(
    "missing per column:",
    messy.isna().sum()[lambda counts: counts > 0].to_dict(),
)
# --8<-- [end:messy]


# --8<-- [start:prepare]
def prepare(table, medians):
    """Fill the holes with the training medians and turn the text
    column into 0/1 columns.
    """
    filled = table.fillna(medians)
    # sex_two: 1 or 0
    return pd.get_dummies(
        filled, columns=["sex"], drop_first=True, dtype=float
    )


# from the training rows only, kept for new data
medians = messy.median(numeric_only=True)
prepared = prepare(messy, medians)
print("medians used:", medians[["bmi", "s5"]].round(4).to_dict())
print("columns:", list(prepared.columns))
print(
    "missing now:",
    prepared.isna().sum().sum(),
    "| dtypes:",
    set(prepared.dtypes.astype(str)),
)
# --8<-- [end:prepare]

# --8<-- [start:standardise]
# training rows only
mean, std = (
    X_train_raw.mean(dim=0),
    X_train_raw.std(dim=0, correction=0),
)


def standardise(X_raw):
    return (X_raw - mean) / std


def augment(X):
    """A = [X, 1]: the column of ones for the bias."""
    return torch.cat([X, torch.ones(len(X), 1, dtype=X.dtype)], dim=1)


X_train, X_test = standardise(X_train_raw), standardise(X_test_raw)
print("means:", mean.round(decimals=2))
print("standard deviations:", std.round(decimals=2))
# --8<-- [end:standardise]


# --8<-- [start:closed_form]
def mse(y, y_hat):
    return ((y - y_hat) ** 2).mean().item()


def r2(y, y_hat):
    """1 - (squared error of the model) / (squared error of predicting
    the mean of y).
    """
    return (
        1
        - (
            ((y - y_hat) ** 2).sum() / ((y - y.mean()) ** 2).sum()
        ).item()
    )


theta_ls = torch.linalg.lstsq(
    augment(X_train), y_train, driver="gelsd"
).solution
pred_ls = augment(X_test) @ theta_ls
train_mse = mse(y_train, augment(X_train) @ theta_ls)
print(
    f"least squares: training MSE {train_mse:.1f}, "
    f"test MSE {mse(y_test, pred_ls):.1f}, "
    f"test R² {r2(y_test, pred_ls):.4f}"
)
print(
    "for scale: the variance of the test "
    f"targets is {y_test.var(correction=0).item():.1f}"
)
# --8<-- [end:closed_form]

# --8<-- [start:sgd]
torch.manual_seed(seed)
net = nn.Linear(10, 1, dtype=torch.float64)
nn.init.zeros_(net.weight)
nn.init.zeros_(net.bias)
optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
for epoch in range(1, 31):
    for batch in torch.randperm(len(X_train)).split(10):
        loss = (
            (net(X_train[batch]) - y_train[batch]) ** 2 / 2
        ).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if epoch in (1, 10, 30):
        with torch.no_grad():
            print(
                f"epoch {epoch:2d}: training "
                f"MSE {mse(y_train, net(X_train)):.1f}, "
                f"test MSE {mse(y_test, net(X_test)):.1f}"
            )
theta_sgd = torch.cat(
    [net.weight.detach().reshape(-1), net.bias.detach()]
)
print(
    "largest |θ_SGD - θ_LS|:",
    f"{(theta_sgd - theta_ls.reshape(-1)).abs().max():.1f}",
    "at",
    (feature_names + ["bias"])[
        (theta_sgd - theta_ls.reshape(-1)).abs().argmax()
    ],
)
# --8<-- [end:sgd]

# --8<-- [start:collinear]
A = augment(X_train)
curvatures = torch.linalg.eigvalsh(A.T @ A / len(A))
print(
    f"curvatures of the ½ loss: {curvatures[0]:.4f}"
    f" to {curvatures[-1]:.2f}, "
    f"ratio {curvatures[-1] / curvatures[0]:.0f}"
)
s1_s2 = torch.corrcoef(X_train_raw[:, 4:6].T)[0, 1]
print(f"correlation of s1 and s2 in the training rows: {s1_s2:.3f}")
# --8<-- [end:collinear]


# --8<-- [start:ridge_cv]
def ridge(X, y, lam):
    """Minimise (1/n)Σ½(ŷ - y)² + (λ/2)|w|², bias not penalised: least
    squares on A stacked on √(nλ)I'.
    """
    n, p = len(X), X.shape[1]
    rows = torch.cat(
        [
            augment(X),
            (n * lam) ** 0.5 * torch.eye(p, p + 1, dtype=X.dtype),
        ]
    )
    targets = torch.cat([y, torch.zeros(p, 1, dtype=y.dtype)])
    return torch.linalg.lstsq(rows, targets, driver="gelsd").solution


def cv_mse(lam, k=5):
    """5-fold cross-validation on the training rows; each fold
    standardised with its own training part.
    """
    folds = torch.arange(len(X_train_raw)).chunk(k)
    errors = []
    for fold in folds:
        keep = torch.ones(len(X_train_raw), dtype=torch.bool)
        keep[fold] = False
        fit_raw = X_train_raw[keep]
        m, s = fit_raw.mean(dim=0), fit_raw.std(dim=0, correction=0)
        theta = ridge((fit_raw - m) / s, y_train[keep], lam)
        errors.append(
            mse(
                y_train[fold],
                augment((X_train_raw[fold] - m) / s) @ theta,
            )
        )
    return sum(errors) / k


lams = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3]
cv = [cv_mse(lam) for lam in lams]
for lam, error in zip(lams, cv):
    print(f"λ = {lam:<6g} 5-fold CV MSE {error:.2f}")
best_lam = lams[cv.index(min(cv))]
theta_ridge = ridge(X_train, y_train, best_lam)
pred_ridge = augment(X_test) @ theta_ridge
print(
    f"chosen λ = {best_lam:g}: test MSE "
    f"{mse(y_test, pred_ridge):.1f}, test "
    f"R² {r2(y_test, pred_ridge):.4f}"
)
# --8<-- [end:ridge_cv]


# --8<-- [start:raw_coefficients]
def in_raw_units(theta):
    """w and b for the raw columns: ŷ = Σ (w_j/s_j)(x_j - m_j) + b."""
    w_raw = theta[:-1, 0] / std
    return w_raw, theta[-1, 0] - (w_raw * mean).sum()


print(
    f"{'':6s}{'per sd (LS)':>12s}{'raw (LS)':>11s}"
    f"{'raw (ridge)':>13s}"
)
(w_ls, b_ls), (w_rd, b_rd) = (
    in_raw_units(theta_ls),
    in_raw_units(theta_ridge),
)
for j, name in enumerate(feature_names):
    print(
        f"{name:6s}{theta_ls[j, 0]:12.2f}"
        f"{w_ls[j]:11.3f}{w_rd[j]:13.3f}"
    )
print(f"{'b':6s}{theta_ls[-1, 0]:12.2f}{b_ls:11.2f}{b_rd:13.2f}")
# --8<-- [end:raw_coefficients]

# --8<-- [start:residuals]
residuals = (y_test - pred_ridge).reshape(-1)
fig, ax = plt.subplots(figsize=(5, 3.2))
ax.scatter(pred_ridge.reshape(-1), residuals, s=10)
ax.axhline(0, color="black", lw=1)
ax.set_xlabel(r"$\hat{y}$")
ax.set_ylabel(r"$y - \hat{y}$")
low = pred_ridge.reshape(-1) < pred_ridge.median()
print(
    "residual sd: lower half of the predictions "
    f"{residuals[low].std():.1f}, "
    f"upper half {residuals[~low].std():.1f}"
)
print(
    f"predictions from {pred_ridge.min():.0f}"
    f" to {pred_ridge.max():.0f}; "
    f"targets from {y_test.min():.0f} to {y_test.max():.0f}"
)
# --8<-- [end:residuals]
save_figure(fig, "real_data_residuals")
