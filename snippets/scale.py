"""Speed and scale: vectorisation, minibatch pipelines, data on disk, exact distributed regression —
the page "速度与规模 / Speed and scale".

Run: python snippets/scale.py           (the page's tables; its last section prints how long it took)
     python snippets/scale.py --quick   (small sizes, a few seconds)
"""

# --8<-- [start:setup]
import ctypes
import itertools
import os
import platform
import random
import socket
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.multiprocessing as mp
from torch import nn
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    TensorDataset,
)

# small sizes: python snippets/scale.py --quick
quick = "--quick" in sys.argv
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
started = time.perf_counter()  # for the total time at the end
# --8<-- [end:setup]
from data import synthetic_data, true_b, true_w  # shown on other pages
from scale_dist import no_main_script, spawned  # the worker processes of section 5

true_theta = torch.cat([true_w, torch.tensor([true_b])]).double()  # θ_true = (w₁, w₂, b)


# --8<-- [start:machine]
def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


print(
    f"CPU: {cpu_name()}, {os.cpu_count()}"
    f" cores; Python {platform.python_version()}, "
    f"torch {torch.__version__} ({torch.get_num_threads()}"
    " threads)"
)
gpu = torch.cuda.get_device_name() if device.type == "cuda" else None
print(f"device: {gpu or 'cpu'}; mode: {'quick' if quick else 'full'}")
# --8<-- [end:machine]


# --8<-- [start:helpers]
def sync():
    if device.type == "cuda":
        # GPU work runs asynchronously: wait for it before reading the
        # clock
        torch.cuda.synchronize()


def best_time(fn, repeat):
    """The shortest of `repeat` runs of fn(), in seconds: the run
    least disturbed by other work.
    """
    times = []
    for _ in range(repeat):
        sync()
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return min(times)


def show_times(title, times):
    """One row per way of computing the same thing: its time, and
    how
    many times the fastest's.
    """
    fastest = min(times.values())
    print(f"{title:<30} {'time':>9} {'ratio':>9}")
    for name, seconds in times.items():
        if seconds >= 1:
            unit, scale = "s", 1
        elif seconds >= 1e-3:
            unit, scale = "ms", 1e-3
        elif seconds >= 1e-6:
            unit, scale = "µs", 1e-6
        else:
            unit, scale = "ns", 1e-9
        print(
            f"{name:<30} {seconds / scale:6.1f}"
            f" {unit:<2} {seconds / fastest:>8,.0f}x"
        )


def show_thetas(title, rows, reference=None):
    """θ = (w₁, w₂, b) per row, with its distance to θ_true (and to a
    reference θ if given).
    """
    print(
        f"{title:<24} {'w1':>9} {'w2':>9}"
        f" {'b':>9} {'max|θ-θ_true|':>14}",
        *[f"{'max|θ-θ_LS|':>12}"] if reference is not None else [],
    )
    for name, theta in rows.items():
        print(
            f"{name:<24}",
            *[f"{v:>9.6f}" for v in theta.tolist()],
            f"{(theta - true_theta).abs().max():>14.1e}",
            *[f"{(theta - reference).abs().max():>12.1e}"]
            if reference is not None
            else [],
        )


# --8<-- [end:helpers]

# --8<-- [start:vector_add]
n_add = 1_000 if quick else 10_000
a, b = (
    torch.randn(n_add, device=device),
    torch.randn(n_add, device=device),
)
a_list, b_list = a.tolist(), b.tolist()


def add_tensor_loop():
    c = torch.empty(n_add, device=device)
    for i in range(n_add):
        # two indexings, one addition, one assignment: four tensor
        # operations
        c[i] = a[i] + b[i]
    return c


def add_list_loop():
    # Python floats, no tensors
    return [x + y for x, y in zip(a_list, b_list)]


add_times = {
    "loop over tensor elements": best_time(add_tensor_loop, repeat=3),
    "loop over Python lists": best_time(add_list_loop, repeat=5),
    "a + b": best_time(lambda: a + b, repeat=200),
}
show_times(f"a + b, n = {n_add:,}", add_times)
# --8<-- [end:vector_add]

# --8<-- [start:matvec]
n_rows = 10_000 if quick else 100_000
X = torch.randn(n_rows, 2, device=device)
w = true_w.to(device)
X_list, w_list = X.tolist(), w.tolist()


def matvec_tensor_loop():
    y = torch.empty(n_rows, device=device)
    for i in range(n_rows):
        y[i] = X[i] @ w
    return y


def matvec_list_loop():
    w1, w2 = w_list
    return [x1 * w1 + x2 * w2 for x1, x2 in X_list]


matvec_times = {
    "loop over tensor rows": best_time(matvec_tensor_loop, repeat=1),
    "loop over Python lists": best_time(matvec_list_loop, repeat=3),
    "X @ w": best_time(lambda: X @ w, repeat=50),
}
show_times(f"Xw, n = {n_rows:,}", matvec_times)
# --8<-- [end:matvec]


# --8<-- [start:pipelines]
def list_shuffle(features, labels, batch_size):
    """data_iter of the from-scratch page: shuffle a Python list of
    indices.
    """
    indices = list(range(len(features)))
    random.shuffle(indices)
    for i in range(0, len(features), batch_size):
        batch = torch.tensor(
            indices[i : i + batch_size], device=features.device
        )
        yield features[batch], labels[batch]


def data_loader(features, labels, batch_size):
    """DataLoader over TensorDataset (the concise page): examples
    fetched one by one, then collated.
    """
    return iter(
        DataLoader(
            TensorDataset(features, labels), batch_size, shuffle=True
        )
    )


def data_loader_batched(features, labels, batch_size):
    """The same DataLoader, but its sampler hands out a whole batch of
    indices, fetched in one go.
    """
    sampler = BatchSampler(
        RandomSampler(range(len(features))),
        batch_size,
        drop_last=False,
    )
    return iter(
        DataLoader(
            TensorDataset(features, labels),
            sampler=sampler,
            # None: the dataset itself returns batches
            batch_size=None,
        )
    )


def randperm_slices(features, labels, batch_size):
    """One permutation as a tensor, sliced: per batch, a slice of it
    and one indexing per tensor.
    """
    order = torch.randperm(len(features), device=features.device)
    for i in range(0, len(features), batch_size):
        batch = order[i : i + batch_size]
        yield features[batch], labels[batch]


pipelines = {
    "list shuffle": list_shuffle,
    "DataLoader": data_loader,
    "DataLoader, batch sampler": data_loader_batched,
    "randperm slices": randperm_slices,
}
# --8<-- [end:pipelines]


# --8<-- [start:measure]
def measure(pipeline, features, labels, batch_size, max_batches):
    """Seconds until the first batch (the epoch's shuffle happens
    there), and examples per second
    over at most max_batches batches after it.
    """
    sync()
    start = time.perf_counter()
    batches = pipeline(features, labels, batch_size)
    next(batches)
    sync()
    first = time.perf_counter()
    count = sum(
        len(X) for X, y in itertools.islice(batches, max_batches)
    )
    sync()
    return first - start, count / (time.perf_counter() - first)


# --8<-- [end:measure]

# --8<-- [start:throughput]
random.seed(0)
torch.manual_seed(0)
n_data = 10_000 if quick else 100_000
features, labels = synthetic_data(true_w, true_b, n_data)
features, labels = features.to(device), labels.to(device)
batch_sizes = [10, 1000]
# per measurement, whatever the batch size
examples_timed = 5_000 if quick else 20_000
# (pipeline, batch size) -> examples per second, the best of 3
# measurements
rates = {}
print(f"n = {n_data:,}, million examples per second")
print(f"{'batch size':<26}", *[f"{size:>6}" for size in batch_sizes])
for name, pipeline in pipelines.items():
    for size in batch_sizes:
        rates[name, size] = max(
            measure(
                pipeline,
                features,
                labels,
                size,
                examples_timed // size,
            )[1]
            for _ in range(3)
        )
    print(
        f"{name:<26}",
        *[f"{rates[name, size] / 1e6:6.2f}" for size in batch_sizes],
    )
# --8<-- [end:throughput]

# --8<-- [start:growth]
sizes = (
    [10**3, 10**4, 10**5] if quick else [10**3, 10**4, 10**5, 10**6]
)
# (pipeline, n) -> seconds to the first batch; examples/s after it
starts, steady = {}, {}
for n in sizes:
    features, labels = synthetic_data(true_w, true_b, n)
    features, labels = features.to(device), labels.to(device)
    for name, pipeline in pipelines.items():
        runs = [
            measure(
                pipeline, features, labels, 10, examples_timed // 10
            )
            for _ in range(3)
        ]
        # the best of 3 measurements,
        starts[name, n] = min(start for start, rate in runs)
        # as in the table above
        steady[name, n] = max(rate for start, rate in runs)
for title, table, scale in [
    ("ms to the first batch", starts, 1e3),
    ("million examples/s after it", steady, 1e-6),
]:
    print(f"batch size 10, {title}")
    print(f"{'n':<26}", *[f"{n:>9,}" for n in sizes])
    for name in pipelines:
        print(
            f"{name:<26}",
            *[f"{table[name, n] * scale:>9.2f}" for n in sizes],
        )
# --8<-- [end:growth]


# --8<-- [start:write]
def write_shards(folder, num_shards, shard_rows):
    """The dataset on disk: num_shards .npy files of shard_rows rows
    [x₁, x₂, y] in float32.
    It is generated one shard at a time, so writing it holds one
    shard's data at a time
    (plus the temporaries made while generating it), never the
    whole dataset.
    """
    paths = []
    for k in range(num_shards):
        features, labels = synthetic_data(true_w, true_b, shard_rows)
        paths.append(Path(folder) / f"shard_{k:03d}.npy")
        np.save(
            paths[-1], torch.cat([features, labels], dim=1).numpy()
        )
    return paths


def read_blocks(path, block_rows=16_384):
    """The rows of one shard, block by block, through a memory map:
    only the rows used are read.
    """
    # maps the file into memory; reads nothing yet
    shard = np.load(path, mmap_mode="r")
    for start in range(0, len(shard), block_rows):
        # copies these rows
        yield torch.from_numpy(
            np.array(shard[start : start + block_rows])
        )


# --8<-- [end:write]


# --8<-- [start:stream]
def stream_batches(paths, batch_size):
    """Minibatches from disk: shards in a random order, rows shuffled
    within each block.
    """
    for k in torch.randperm(len(paths)).tolist():
        for block in read_blocks(paths[k]):
            block = block[torch.randperm(len(block))]
            for i in range(0, len(block), batch_size):
                yield (
                    block[i : i + batch_size, :2],
                    block[i : i + batch_size, 2:],
                )


def train_streaming(paths, num_epochs=1, lr=0.03, batch_size=1000):
    net = nn.Linear(2, 1)
    nn.init.normal_(net.weight, mean=0, std=0.01)
    nn.init.zeros_(net.bias)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    for epoch in range(num_epochs):
        for X, y in stream_batches(paths, batch_size):
            batch_loss = loss_fn(net(X), y)
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
    return torch.cat(
        [net.weight.detach().flatten(), net.bias.detach()]
    ).double()


# --8<-- [end:stream]


# --8<-- [start:one_pass]
def one_pass_lstsq(paths):
    """The exact least-squares θ from one pass over the data: only AᵀA
    and Aᵀy are kept.
    """
    AtA = torch.zeros(3, 3, dtype=torch.float64)
    Aty = torch.zeros(3, 1, dtype=torch.float64)
    for path in paths:
        for block in read_blocks(path):
            block = block.double()
            A = torch.cat(
                [
                    block[:, :2],
                    torch.ones(len(block), 1, dtype=torch.float64),
                ],
                dim=1,
            )
            AtA += A.T @ A
            Aty += A.T @ block[:, 2:]
    return torch.linalg.solve(AtA, Aty).flatten()


# --8<-- [end:one_pass]


# --8<-- [start:memory]
def memory_mb(field):
    """VmRSS: resident memory now; VmHWM: its peak since the last
    reset (Linux, /proc).
    """
    with open("/proc/self/status") as f:
        kilobytes = next(
            int(line.split()[1])
            for line in f
            if line.startswith(field + ":")
        )
    return kilobytes / 1024


def peak_growth(fn, *args):
    """Run fn(*args); return its result, its time, and how far the
    peak resident memory rose
    above what the process held when it started (in MB).
    """
    # glibc keeps freed memory and may hand it back to the system at
    # any moment; doing that now
    # keeps it from happening during fn and hiding part of fn's
    # growth.
    ctypes.CDLL(None).malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as f:
        # Linux: reset the peak (VmHWM) to the current resident size
        f.write("5")
    before = memory_mb("VmRSS")
    start = time.perf_counter()
    result = fn(*args)
    seconds = time.perf_counter() - start
    return result, seconds, memory_mb("VmHWM") - before


# --8<-- [end:memory]

# --8<-- [start:out_of_core]
num_shards, shard_rows = (16, 125_000) if quick else (20, 500_000)
# The first step of torch.optim in a process sets up more of torch
# (about a second and tens of MB,
# once): one tiny step first keeps that out of the measurements.
net = nn.Linear(2, 1)
nn.MSELoss()(net(torch.zeros(1, 2)), torch.zeros(1, 1)).backward()
torch.optim.SGD(net.parameters(), lr=0.03).step()
torch.manual_seed(0)
# deleted at the end of the block, even on errors
with tempfile.TemporaryDirectory() as folder:
    paths, t_write, m_write = peak_growth(
        write_shards, folder, num_shards, shard_rows
    )
    dataset_mb = sum(p.stat().st_size for p in paths) / 2**20
    theta_sgd, t_sgd, m_sgd = peak_growth(train_streaming, paths)
    theta_exact, t_exact, m_exact = peak_growth(one_pass_lstsq, paths)
print(
    f"dataset: {num_shards} shards x {shard_rows:,}"
    f" rows = {num_shards * shard_rows:,} examples, "
    f"{dataset_mb:.0f} MB on disk, {dataset_mb / num_shards:.1f}"
    " MB per shard"
)
print(
    f"{'':<24} {'time':>8} {'peak memory growth':>19}"
    f" {'/ dataset':>10}"
)
for name, seconds, growth in [
    ("write the shards", t_write, m_write),
    ("streaming SGD, 1 epoch", t_sgd, m_sgd),
    ("one-pass least squares", t_exact, m_exact),
]:
    print(
        f"{name:<24} {seconds:>6.2f} s {growth:>16.1f}"
        f" MB {growth / dataset_mb:>10.2f}"
    )
show_thetas(
    "",
    {
        "streaming SGD": theta_sgd,
        "one-pass least squares": theta_exact,
    },
)
# --8<-- [end:out_of_core]


# --8<-- [start:launch]
def free_port():
    with socket.socket() as s:
        # port 0: the operating system picks a free one
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_workers(shards):
    """One process per shard on this machine; returns {(kind, rank):
    θ} as the workers sent it.
    """
    world_size = len(shards)
    results = mp.get_context("spawn").SimpleQueue()
    with no_main_script():  # see scale_dist.py
        workers = mp.start_processes(
            spawned,
            args=(world_size, free_port(), shards, results),
            nprocs=world_size,
            join=False,
            start_method="spawn",
        )
    try:
        while not workers.join():  # raises as soon as a worker fails
            pass
    # on success they have exited; on failure stop the others, and
    # always reap them
    finally:
        for process in workers.processes:
            if process.is_alive():
                process.terminate()
            process.join()
    thetas = {}
    # every worker sent two results: "exact" and "DDP SGD"
    for _ in range(2 * world_size):
        kind, rank, theta = results.get()
        thetas[kind, rank] = torch.tensor(theta, dtype=torch.float64)
    return thetas


# --8<-- [end:launch]

# --8<-- [start:distributed]
torch.manual_seed(0)
# the other pages' data (seed 0)
features, labels = synthetic_data(true_w, true_b, 1000)
# worker 0: rows 0-499, worker 1: 500-999
shards = list(zip(features.chunk(2), labels.chunk(2)))
start = time.perf_counter()
thetas = run_workers(shards)
t_workers = time.perf_counter() - start
A = torch.cat(
    [features, torch.ones(len(features), 1)], dim=1
).double()
theta_lstsq = torch.linalg.lstsq(
    A, labels.double(), driver="gelsd"
).solution.flatten()
print(
    "2 processes (gloo on 127.0.0.1): "
    f"{t_workers:.1f} s, start-up included"
)
rows = {"single-process lstsq": theta_lstsq}
for kind in ["exact", "DDP SGD"]:
    for rank in range(2):
        rows[f"{kind}, rank {rank}"] = thetas[kind, rank]
show_thetas("", rows, reference=theta_lstsq)
print(
    f"DDP SGD: max|θ(rank 0) - θ(rank 1)| = "
    f"{(thetas['DDP SGD', 0] - thetas['DDP SGD', 1]).abs().max():.1e}"
)
# --8<-- [end:distributed]

# --8<-- [start:summary]
print(
    f"this run ({'quick' if quick else 'full'}"
    f" mode): {time.perf_counter() - started:.0f} s after the imports"
)
add = add_times["loop over tensor elements"] / add_times["a + b"]
matvec = matvec_times["loop over tensor rows"] / matvec_times["X @ w"]
print(
    "one tensor op vs a Python loop over tensor elements: "
    f"a + b {add:,.0f}x, Xw {matvec:,.0f}x faster"
)
for size in batch_sizes:
    loader = rates["DataLoader", size]
    print(
        f"batch size {size}: "
        f"randperm {rates['randperm slices', size] / loader:.1f}x, "
        f"list shuffle {rates['list shuffle', size] / loader:.1f}x "
        "the examples/s of DataLoader"
    )
print(
    "streaming SGD: peak memory growth "
    f"{m_sgd / dataset_mb:.2f} of the dataset's size"
)
exact_gap = max(
    (thetas["exact", r] - theta_lstsq).abs().max().item()
    for r in range(2)
)
print(
    "distributed exact θ vs single-process lstsq: "
    f"max difference {exact_gap:.1e}"
)
# --8<-- [end:summary]
