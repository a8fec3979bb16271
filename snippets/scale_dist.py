"""The worker processes of the distributed part of the page "速度与规模 / Speed and scale".

snippets/scale.py starts them with torch.multiprocessing, which hands each new process the function to
run by module and name, so they live in this small module. The same worker also runs under torchrun:
    GLOO_SOCKET_IFNAME=lo torchrun --nproc-per-node=2 --master-addr=127.0.0.1 --master-port=29500 \
        snippets/scale_dist.py
Run as a plain script (as the site build does), it does nothing.
"""

import contextlib
import os
import sys
import types

import torch
import torch.distributed as dist
from torch import nn


# --8<-- [start:exact]
def exact_solution(X, y):
    """The least-squares θ = (w₁, w₂, b) of the data of all workers
    together, in float64.
    """
    A = torch.cat([X, torch.ones(len(X), 1)], dim=1).double()
    # this shard's [AᵀA | Aᵀy], 3 × 4
    stats = torch.cat([A.T @ A, A.T @ y.double()], dim=1)
    # sums over the workers; every worker receives the total
    dist.all_reduce(stats)
    return torch.linalg.solve(stats[:, :3], stats[:, 3:]).flatten()


# --8<-- [end:exact]


# --8<-- [start:ddp]
def ddp_sgd(X, y, num_epochs=5, lr=0.03, batch_size=10):
    """Minibatch SGD on the worker's own shard; DDP averages the
    gradients of all workers.
    """
    # the same start everywhere (DDP also copies rank 0's parameters)
    torch.manual_seed(0)
    net = nn.Linear(2, 1)
    nn.init.normal_(net.weight, mean=0, std=0.01)
    nn.init.zeros_(net.bias)
    model = nn.parallel.DistributedDataParallel(net)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    # but each worker shuffles its shard its own way
    torch.manual_seed(1 + dist.get_rank())
    for epoch in range(num_epochs):
        order = torch.randperm(len(X))
        for i in range(0, len(X), batch_size):
            batch = order[i : i + batch_size]
            batch_loss = loss_fn(model(X[batch]), y[batch])
            optimizer.zero_grad()
            # computes the gradient and all-reduces it: every worker
            # gets the mean
            batch_loss.backward()
            optimizer.step()
    return torch.cat(
        [net.weight.detach().flatten(), net.bias.detach()]
    )


# --8<-- [end:ddp]


# --8<-- [start:worker]
def worker(shards, results=None):
    """One process of the group; RANK, WORLD_SIZE, MASTER_ADDR,
    MASTER_PORT come from the environment.
    """
    torch.set_num_threads(1)  # one core per process
    # waits until all WORLD_SIZE processes have joined
    dist.init_process_group("gloo")
    try:
        rank = dist.get_rank()
        X, y = shards[rank]
        thetas = {
            "exact": exact_solution(X, y),
            "DDP SGD": ddp_sgd(X, y),
        }
        for kind, theta in thetas.items():
            # started by scale.py: send the numbers back
            if results is not None:
                results.put((kind, rank, theta.tolist()))
            elif rank == 0:  # started by torchrun: print them
                print(kind, theta.tolist())
    finally:
        dist.destroy_process_group()


def spawned(rank, world_size, port, shards, results):
    """Entry point for torch.multiprocessing: set the environment
    that
    torchrun would set.
    """
    os.environ.update(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        RANK=str(rank),
        WORLD_SIZE=str(world_size),
        # gloo's own connections on the loopback
        # interface too
        GLOO_SOCKET_IFNAME="lo",
    )
    worker(shards, results)
    leave()


def leave():
    """End a worker whose work is done and sent, skipping the
    interpreter's clean-up: that clean-up
    now and then crashed (SIGABRT) in the distributed library's
    threads as the processes exited.
    A workaround for this site's section-by-section script: a
    normal script needs none of it.
    """
    sys.stdout.flush()
    os._exit(0)


# --8<-- [end:worker]


@contextlib.contextmanager
def no_main_script():
    """The spawn start method re-runs the parent's main script in every new process (to find
    functions defined there); ours are defined here, so let the workers skip the benchmark script.
    A workaround for this site's section-by-section script; a normal script guards its start instead:
        if __name__ == "__main__":
            mp.spawn(spawned, args=(...), nprocs=2)
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")  # no file: nothing to re-run
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def shards_of_the_pages_data(world_size):
    """The 1000 examples of the other pages (seed 0), cut into world_size equal shards."""
    from data import synthetic_data, true_b, true_w

    torch.manual_seed(0)
    features, labels = synthetic_data(true_w, true_b, 1000)
    return list(zip(features.chunk(world_size), labels.chunk(world_size)))


if (__name__ == "__main__" and "RANK" in os.environ):  # under torchrun (not when run as a plain script)
    worker(shards_of_the_pages_data(int(os.environ["WORLD_SIZE"])))
    leave()
