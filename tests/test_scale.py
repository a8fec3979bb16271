"""snippets/scale.py in quick mode: the page's measurements compute the right things. Timings are
printed on the page but never asserted (they depend on the machine)."""
import multiprocessing
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from conftest import ROOT, numbers, run_snippet

# One worker runs this whole file, so the quick run below (with its two worker processes) happens once.


@pytest.fixture(scope="module")
def run():
    return run_snippet("scale", "--quick")  # includes the 2-process run on 127.0.0.1


def test_the_machine_and_mode_are_stated(run):
    _, out = run
    assert re.search(r"^CPU: .+, \d+ cores; Python 3\.\d+\.\d+, torch \d+\.\d+", out["machine"], re.M)
    assert re.search(r"^device: .+; mode: quick$", out["machine"], re.M)


def test_the_loops_compute_what_the_tensor_ops_compute(run):
    ns, _ = run
    a, b = ns["a"], ns["b"]
    assert torch.equal(ns["add_tensor_loop"](), a + b)
    assert torch.allclose(torch.tensor(ns["add_list_loop"]()), (a + b).cpu())
    X, w = ns["X"], ns["w"]
    assert torch.allclose(ns["matvec_tensor_loop"](), X @ w, atol=1e-5)
    assert torch.allclose(torch.tensor(ns["matvec_list_loop"]()), (X @ w).cpu(), atol=1e-5)


def test_the_time_tables_list_every_method_against_the_fastest(run):
    ns, out = run
    for section, times in [("vector_add", ns["add_times"]), ("matvec", ns["matvec_times"])]:
        lines = out[section].splitlines()
        assert len(lines) == 1 + len(times)
        for name, line in zip(times, lines[1:]):
            assert line.startswith(name)
            ratio = float(line.split()[-1].rstrip("x").replace(",", ""))
            assert ratio == pytest.approx(times[name] / min(times.values()), rel=0.01, abs=0.5)


@pytest.mark.parametrize("name", ["list shuffle", "DataLoader", "DataLoader, batch sampler",
                                  "randperm slices"])
def test_every_pipeline_gives_each_example_once_per_epoch(run, name):
    ns, _ = run
    torch.manual_seed(5)
    features, labels = torch.randn(1003, 2), torch.randn(1003, 1)
    batches = list(ns["pipelines"][name](features, labels, 10))
    assert [len(X) for X, _ in batches] == [10] * 100 + [3]  # the last batch is smaller
    X = torch.cat([X for X, _ in batches])
    y = torch.cat([y for _, y in batches])
    order = torch.argsort(X[:, 0])
    assert torch.equal(X[order], features[torch.argsort(features[:, 0])])  # a permutation of the rows
    assert not torch.equal(X, features)  # shuffled
    rows = {tuple(r) for r in torch.cat([features, labels], dim=1).tolist()}
    assert {tuple(r) for r in torch.cat([X, y], dim=1).tolist()} == rows  # labels stay with their rows


def test_the_pipeline_tables_have_every_pipeline_and_size(run):
    ns, out = run
    for name in ns["pipelines"]:
        line = next(l for l in out["throughput"].splitlines() if l.startswith(name + "  "))
        rates = [float(x) for x in line[len(name):].split()]
        assert rates == [round(ns["rates"][name, size] / 1e6, 2) for size in ns["batch_sizes"]]
        assert out["growth"].count(name + "  ") == 2  # both growth tables
    assert ns["sizes"] == [10**3, 10**4, 10**5]  # quick mode; the page's full run adds 10**6
    assert all(seconds > 0 for seconds in ns["starts"].values())


def test_the_growth_tables_show_the_best_of_three(run):
    ns, out = run
    starts_table, steady_table = out["growth"].split("million examples/s after it")
    for name in ns["pipelines"]:
        for table, values, scale in [(starts_table, ns["starts"], 1e3), (steady_table, ns["steady"], 1e-6)]:
            line = next(l for l in table.splitlines() if l.startswith(name + "  "))
            printed = [float(x) for x in line[len(name):].split()]
            assert printed == [round(values[name, n] * scale, 2) for n in ns["sizes"]]
    assert re.search(r"runs = \[\s*measure\(", (ROOT / "snippets/scale.py").read_text())  # three measurements each


def test_show_times_picks_a_readable_unit(run, capsys):
    ns, _ = run
    ns["show_times"]("t", {"slow": 1.5, "middle": 2e-3, "fast": 3e-6, "fastest": 4e-9})
    lines = capsys.readouterr().out.splitlines()
    assert "1.5 s " in lines[1] and "2.0 ms" in lines[2] and "3.0 µs" in lines[3] and "4.0 ns" in lines[4]


def test_one_pass_least_squares_equals_lstsq_on_the_same_data(run, tmp_path):
    ns, _ = run
    torch.manual_seed(3)
    paths = ns["write_shards"](tmp_path, 3, 40_000)  # three blocks per shard, the last one shorter
    rows = torch.cat([torch.from_numpy(np.load(p)) for p in paths]).double()
    A = torch.cat([rows[:, :2], torch.ones(len(rows), 1, dtype=torch.float64)], dim=1)
    lstsq = torch.linalg.lstsq(A, rows[:, 2:], driver="gelsd").solution.flatten()
    exact = ns["one_pass_lstsq"](paths)
    assert exact.dtype == torch.float64
    assert (exact - lstsq).abs().max() < 1e-9


def test_the_snippets_out_of_core_results(run):
    ns, out = run
    true_theta = ns["true_theta"]
    assert ns["num_shards"] * ns["shard_rows"] == 2_000_000
    assert (ns["theta_sgd"] - true_theta).abs().max() < 2e-3
    # 2,000,000 examples: the exact solution's error is about σ/√n ≈ 7e-6 per component.
    assert (ns["theta_exact"] - true_theta).abs().max() < 5e-5
    assert "one-pass least squares" in out["out_of_core"]


def test_streaming_keeps_memory_well_below_the_dataset_size(run):
    ns, _ = run
    dataset_mb, shard_mb = ns["dataset_mb"], ns["dataset_mb"] / ns["num_shards"]
    assert dataset_mb > 20
    assert ns["num_shards"] == 16
    # About one shard (the pages of the mapped shard read so far) plus a few temporary tensors, not
    # the dataset (reference: 2-5 MB here against 23 MB of data, shards of 1.4 MB).
    for growth in (ns["m_sgd"], ns["m_exact"]):
        assert growth < 0.35 * dataset_mb
        assert growth < shard_mb + 6
    # Written one shard at a time: a few shards' temporaries (reference: 5-11 MB).
    assert ns["m_write"] < 0.75 * dataset_mb


def test_the_temporary_folder_is_gone(run):
    ns, _ = run
    assert not Path(ns["folder"]).exists()
    assert not any(p.exists() for p in ns["paths"])


@pytest.mark.parametrize("seed", [1, 2])
def test_streaming_sgd_at_other_seeds(run, tmp_path, seed):
    ns, _ = run
    torch.manual_seed(seed)
    paths = ns["write_shards"](tmp_path, 4, 50_000)
    theta_sgd, theta_exact = ns["train_streaming"](paths), ns["one_pass_lstsq"](paths)
    assert (theta_sgd - ns["true_theta"]).abs().max() < 2e-3
    assert (theta_sgd - theta_exact).abs().max() < 2e-3


def test_distributed_exact_solution_equals_single_process_lstsq(run):
    ns, out = run
    theta_lstsq = ns["theta_lstsq"]
    assert theta_lstsq.dtype == torch.float64
    for rank in range(2):
        assert (ns["thetas"]["exact", rank] - theta_lstsq).abs().max() < 1e-6
    # lstsq itself: the same as solving the normal equation on all the data.
    A, labels = ns["A"], ns["labels"].double()
    assert torch.allclose(torch.linalg.solve(A.T @ A, A.T @ labels).flatten(), theta_lstsq, atol=1e-12)
    assert "exact, rank 1" in out["distributed"]


def test_ddp_sgd_replicas_agree_and_reach_the_usual_error(run):
    ns, _ = run
    thetas = ns["thetas"]
    assert torch.equal(thetas["DDP SGD", 0], thetas["DDP SGD", 1])
    assert (thetas["DDP SGD", 0] - ns["true_theta"]).abs().max() < 2e-3
    assert (thetas["DDP SGD", 0] - ns["theta_lstsq"]).abs().max() < 2e-3


def test_ddp_step_is_one_sgd_step_on_both_workers_batches(run):
    """What the page says DDP does: average the two workers' gradients, i.e. one step of plain SGD
    on the batch of 20 made of both workers' batches of 10. Replayed here in one process."""
    ns, _ = run
    (X0, y0), (X1, y1) = ns["shards"]
    torch.manual_seed(0)
    net = nn.Linear(2, 1)
    nn.init.normal_(net.weight, mean=0, std=0.01)
    nn.init.zeros_(net.bias)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
    shuffles = [torch.Generator().manual_seed(1 + rank) for rank in range(2)]  # each worker's seed
    for epoch in range(5):
        orders = [torch.randperm(len(X0), generator=g) for g in shuffles]
        for i in range(0, len(X0), 10):
            b0, b1 = orders[0][i:i + 10], orders[1][i:i + 10]
            X, y = torch.cat([X0[b0], X1[b1]]), torch.cat([y0[b0], y1[b1]])
            loss = nn.MSELoss()(net(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    theta = torch.cat([net.weight.detach().flatten(), net.bias.detach()]).double()
    assert (theta - ns["thetas"]["DDP SGD", 0]).abs().max() < 1e-5


def test_a_failing_worker_stops_the_group_and_leaves_no_process(run):
    ns, _ = run
    (X0, y0), (X1, y1) = ns["shards"]
    with pytest.raises(Exception):
        ns["run_workers"]([(X0, y0), (X1, y1[:-1])])  # worker 1 fails: labels of the wrong length
    assert multiprocessing.active_children() == []


def test_the_same_worker_runs_under_torchrun(run):
    """The page's torchrun command (python -m torch.distributed.run is torchrun) prints the same θ."""
    ns, _ = run
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node=2",
               "--master-addr=127.0.0.1", f"--master-port={ns['free_port']()}", "snippets/scale_dist.py"]
    # A session of its own, so that on a hang the launcher and its workers can all be stopped.
    launcher = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True,
                                env={**os.environ, "GLOO_SOCKET_IFNAME": "lo"})  # loopback only
    try:
        stdout, stderr = launcher.communicate(timeout=120)
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.communicate()
    assert launcher.returncode == 0, stderr
    printed = dict(re.findall(r"^(exact|DDP SGD) (\[.*\])$", stdout, re.M))
    for kind in ("exact", "DDP SGD"):
        theta = torch.tensor(eval(printed[kind]), dtype=torch.float64)
        assert (theta - ns["thetas"][kind, 0]).abs().max() < 1e-12, kind


def test_no_worker_process_is_left_after_the_run(run):
    assert multiprocessing.active_children() == []


def test_summary_repeats_the_headline_ratios(run):
    ns, out = run
    summary = out["summary"]
    assert re.match(r"this run \(quick mode\): \d+ s after the imports", summary)
    loop, op = ns["add_times"]["loop over tensor elements"], ns["add_times"]["a + b"]
    assert f"a + b {loop / op:,.0f}x" in summary
    assert f"{ns['m_sgd'] / ns['dataset_mb']:.2f} of the dataset" in summary
    assert numbers(summary, "max difference")[0] < 1e-6
