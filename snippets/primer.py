"""The PyTorch calls the later pages use, each with its output: the page "PyTorch 速览 / A PyTorch primer".

Run: python snippets/primer.py
"""

# --8<-- [start:imports]
import numpy as np
import torch
# --8<-- [end:imports]

# --8<-- [start:tensor]
# 2 rows (examples), 3 columns (features)
X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(X)
print(
    "shape:",
    X.shape,
    "ndim:",
    X.ndim,
    "len:",
    len(X),
    "numel:",
    X.numel(),
)
print(
    "a vector:",
    torch.tensor([1.0, 2.0, 3.0]).shape,
    "a scalar:",
    torch.tensor(3.0).shape,
)
# --8<-- [end:tensor]

# --8<-- [start:create]
print(torch.zeros(2, 3))
print(torch.ones(3))
print(torch.arange(5))  # 0, 1, ..., 4: integers
print(torch.arange(0, 1, 0.25))  # start, end (left out), step
# --8<-- [end:create]

# --8<-- [start:dtype]
print(
    "integers:",
    torch.tensor([1, 2]).dtype,
    " floats:",
    torch.tensor([1.0, 2.0]).dtype,
)
print(
    "bytes per number: float32",
    torch.ones(1).element_size(),
    " float64",
    torch.ones(1, dtype=torch.float64).element_size(),
)
a = np.array([0.5, 1.5])
print(
    "NumPy array:",
    a.dtype,
    "-> torch.from_numpy:",
    torch.from_numpy(a).dtype,
)
print(
    ".float():",
    torch.from_numpy(a).float().dtype,
    " as_tensor(a, dtype=torch.float32):",
    torch.as_tensor(a, dtype=torch.float32).dtype,
)
# --8<-- [end:dtype]

# --8<-- [start:dtype_error]
w = torch.ones(2, 1)  # float32, like a model's weights
try:
    torch.from_numpy(np.ones((3, 2))) @ w  # float64 data
except RuntimeError as error:
    print("RuntimeError:", error)
print((torch.from_numpy(np.ones((3, 2))).float() @ w).dtype)
# --8<-- [end:dtype_error]

# --8<-- [start:seed]
torch.manual_seed(0)
# mean, standard deviation, shape
first = torch.normal(0, 0.01, size=(2, 1))
torch.manual_seed(0)
again = torch.normal(0, 0.01, size=(2, 1))
print(first)
print("same seed, same numbers:", torch.equal(first, again))
following = torch.normal(0, 0.01, size=(2, 1))
print("the next draw is new:   ", torch.equal(first, following))
print(
    "randn(2, 3):", torch.randn(2, 3).shape, "standard normal N(0, 1)"
)
# --8<-- [end:seed]

# --8<-- [start:reshape]
x = torch.arange(6.0)
print(x.reshape(2, 3))
# -1: worked out from the size, 6 / 1
print("reshape(-1, 1):", x.reshape(-1, 1).shape)
print("view(3, 2):    ", x.view(3, 2).shape)  # the same here
try:
    # a transposed tensor: view cannot flatten it
    x.reshape(2, 3).T.view(-1)
except RuntimeError as error:
    print("RuntimeError:", error)
print("reshape can:", x.reshape(2, 3).T.reshape(-1))
# --8<-- [end:reshape]

# --8<-- [start:index]
X = torch.arange(12.0).reshape(3, 4)
print(X)
print("row 0:     ", X[0])
print("column 1:  ", X[:, 1], X[:, 1].shape)
print("column 1 as a column:", X[:, 1:2].shape)
# a tensor of indices, as data_iter uses
print("rows 0 and 2:", X[torch.tensor([0, 2])])
print("one entry: ", X[1, 2], "->", X[1, 2].item())
# --8<-- [end:index]

# --8<-- [start:stack]
a, b = torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])
print(torch.stack([a, b]))  # a new first dimension: (2, 2)
print(torch.stack([a, b], dim=1))  # as columns
# along the existing dimension: (4,)
print(torch.cat([a, b]))
X = torch.ones(3, 2)
# a column of ones on the right
print("[X, 1]:", torch.cat([X, torch.ones(3, 1)], dim=1).shape)
# --8<-- [end:stack]

# --8<-- [start:matmul]
X = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])  # (3, 2)
w = torch.tensor([[2.0], [-1.0]])  # (2, 1)
print(X @ w)
print(
    "@ == matmul:",
    torch.equal(X @ w, torch.matmul(X, w)),
    " @ == mm:",
    torch.equal(X @ w, torch.mm(X, w)),
)
# matmul takes 1-D too
print("w as a vector (2,):", (X @ w.reshape(-1)).shape)
try:
    torch.mm(X, w.reshape(-1))  # mm takes 2-D only
except RuntimeError as error:
    print("RuntimeError:", error)
u = torch.tensor([1.0, 2.0])
print("dot:", torch.dot(u, u), " elementwise *:", u * u)
# --8<-- [end:matmul]

# --8<-- [start:broadcast]
column = torch.tensor([[1.0], [2.0], [3.0]])  # (3, 1)
row = torch.tensor([10.0, 20.0, 30.0])  # (3,)
print(column + row)  # every pair: (3, 3)
# a bias added to every row
print("(3, 1) + (1,):", (column + torch.tensor([0.5])).shape)
# --8<-- [end:broadcast]

# --8<-- [start:sum]
X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print("sum:", X.sum(), "->", X.sum().item())
print("dim=0:", X.sum(dim=0))  # down the rows: one number per column
print("dim=1:", X.sum(dim=1))  # along each row: one number per row
print("dim=1, keepdim=True:", X.sum(dim=1, keepdim=True).shape)
print("mean over the examples:", X.mean(dim=0))
# --8<-- [end:sum]

# --8<-- [start:allclose]
total = torch.tensor([0.1] * 10).sum()
print(
    total,
    "== 1:",
    (total == 1.0).item(),
    " allclose:",
    torch.allclose(total, torch.tensor(1.0)),
)
print("difference:", (total - 1.0).item())
# --8<-- [end:allclose]

# --8<-- [start:autograd]
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x**2).sum()  # one number
print(y)  # grad_fn: y remembers how it was computed
y.backward()
print(x.grad)  # dy/dx = 2x
# --8<-- [end:autograd]

# --8<-- [start:scalar]
z = x**2  # three numbers
try:
    z.backward()
except RuntimeError as error:
    print("RuntimeError:", error)
x.grad = None  # forget the gradient of the last section
z.sum().backward()  # the sum is one number
print(x.grad)
# --8<-- [end:scalar]

# --8<-- [start:accumulate]
x.grad = None
for i in range(2):
    (x**2).sum().backward()
    print(f"after backward() {i + 1}:", x.grad)
x.grad.zero_()
print("after x.grad.zero_(): ", x.grad)
# --8<-- [end:accumulate]

# --8<-- [start:no_grad]
w = torch.tensor([1.0, 2.0], requires_grad=True)
print(w * 2)
with torch.no_grad():
    doubled = w * 2
print(
    doubled,
    "requires_grad:",
    doubled.requires_grad,
    "grad_fn:",
    doubled.grad_fn,
)
try:
    # an in-place change of w that autograd would have to record
    w -= 0.5
except RuntimeError as error:
    print("RuntimeError:", error)
with torch.no_grad():
    w -= 0.5  # how sgd updates the parameters
print(w)
# --8<-- [end:no_grad]

# --8<-- [start:detach]
error = w * 2 - 1
print(error)
print(error.detach())
try:
    error.numpy()
except RuntimeError as message:
    print("RuntimeError:", message)
print(error.detach().numpy())
# --8<-- [end:detach]


# --8<-- [start:generator]
def batches(n, batch_size):
    for i in range(0, n, batch_size):
        print(
            f"  cutting examples {i} to {min(i + batch_size, n) - 1}"
        )
        yield list(range(i, min(i + batch_size, n)))


it = batches(10, 4)
print("created:", type(it).__name__, "(nothing cut yet)")
print("next():", next(it))
for batch in it:
    print("for loop got:", batch)
print("used up:", list(it))
# --8<-- [end:generator]
