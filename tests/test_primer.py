"""snippets/primer.py: each PyTorch behaviour the primer page describes, as the page says it."""
import contextlib
import io

import numpy as np
import pytest
import torch

from conftest import run_snippet


@pytest.fixture(scope="module")
def run():
    return run_snippet("primer")


def test_shapes_of_a_matrix_a_vector_and_a_scalar(run):
    _, out = run
    assert "shape: torch.Size([2, 3]) ndim: 2 len: 2 numel: 6" in out["tensor"]
    assert "a vector: torch.Size([3]) a scalar: torch.Size([])" in out["tensor"]


def test_arange_of_integers_gives_integers():
    assert torch.arange(5).dtype == torch.int64
    assert torch.arange(0, 1, 0.25).dtype == torch.float32


def test_float32_is_the_default_and_numpy_arrives_as_float64(run):
    _, out = run
    assert torch.tensor([1.0]).dtype == torch.float32 and torch.tensor([1]).dtype == torch.int64
    a = np.array([0.5, 1.5])
    assert a.dtype == np.float64 and torch.from_numpy(a).dtype == torch.float64
    assert torch.from_numpy(a).float().dtype == torch.as_tensor(a, dtype=torch.float32).dtype == torch.float32
    assert "float32 4  float64 8" in out["dtype"]  # half the memory
    assert "NumPy array: float64 -> torch.from_numpy: torch.float64" in out["dtype"]


def test_mixing_float64_data_and_float32_weights_fails(run):
    _, out = run
    lines = out["dtype_error"].splitlines()
    assert lines[0].startswith("RuntimeError:") and "same dtype" in lines[0]
    assert lines[1] == "torch.float32"  # after .float() it works


def test_same_seed_same_numbers_and_the_next_draw_differs(run):
    _, out = run
    assert "same seed, same numbers: True" in out["seed"]
    assert "the next draw is new:    False" in out["seed"]
    assert run_snippet("primer")[1] == out  # the whole page prints the same numbers again


def test_view_fails_on_a_transposed_tensor_where_reshape_works(run):
    _, out = run
    assert "reshape(-1, 1): torch.Size([6, 1])" in out["reshape"]
    assert "RuntimeError: view size is not compatible" in out["reshape"]
    x = torch.arange(6.0).reshape(2, 3).T
    assert torch.equal(x.reshape(-1), torch.tensor([0.0, 3, 1, 4, 2, 5]))


def test_indexing_a_column_drops_the_dimension_and_a_slice_keeps_it(run):
    _, out = run
    assert "column 1:   tensor([1., 5., 9.]) torch.Size([3])" in out["index"]
    assert "column 1 as a column: torch.Size([3, 1])" in out["index"]
    assert "one entry:  tensor(6.) -> 6.0" in out["index"]


def test_stack_makes_a_new_dimension_and_cat_joins_an_existing_one(run):
    ns, out = run
    a, b = ns["a"], ns["b"]
    assert torch.stack([a, b]).shape == (2, 2) and torch.cat([a, b]).shape == (4,)
    assert "[X, 1]: torch.Size([3, 3])" in out["stack"]


def test_at_is_matmul_and_mm_takes_matrices_only(run):
    _, out = run
    assert "@ == matmul: True  @ == mm: True" in out["matmul"]
    assert "w as a vector (2,): torch.Size([3])" in out["matmul"]
    assert "RuntimeError: mat2 must be a matrix" in out["matmul"]
    assert "dot: tensor(5.)  elementwise *: tensor([1., 4.])" in out["matmul"]


def test_a_column_plus_a_row_broadcasts_to_a_matrix(run):
    ns, out = run
    assert (ns["column"] + ns["row"]).shape == (3, 3)
    assert "(3, 1) + (1,): torch.Size([3, 1])" in out["broadcast"]


def test_sum_along_dimensions(run):
    _, out = run
    assert "dim=0: tensor([5., 7., 9.])" in out["sum"]
    assert "dim=1: tensor([ 6., 15.])" in out["sum"]
    assert "dim=1, keepdim=True: torch.Size([2, 1])" in out["sum"]


def test_ten_tenths_are_not_one_but_allclose(run):
    ns, out = run
    assert (ns["total"] == 1.0).item() is False
    assert torch.allclose(ns["total"], torch.tensor(1.0))
    assert "== 1: False  allclose: True" in out["allclose"]
    assert abs((ns["total"] - 1.0).item() - 1.2e-7) < 0.05e-7  # the gap the page quotes


def test_backward_gives_2x(run):
    _, out = run
    assert "grad_fn=<SumBackward0>" in out["autograd"]
    assert out["autograd"].strip().endswith("tensor([2., 4., 6.])")


def test_backward_on_a_vector_fails_and_on_its_sum_works(run):
    _, out = run
    first, second = out["scalar"].strip().splitlines()
    assert first == "RuntimeError: grad can be implicitly created only for scalar outputs"
    assert second == "tensor([2., 4., 6.])"
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (torch.ones(3, requires_grad=True) * 2).backward()


def test_two_backward_calls_exactly_double_the_gradient(run):
    _, out = run
    lines = out["accumulate"].splitlines()
    assert lines[0].endswith("tensor([2., 4., 6.])")
    assert lines[1].endswith("tensor([ 4.,  8., 12.])")
    assert lines[2].endswith("tensor([0., 0., 0.])")
    x = torch.tensor([0.3, -1.7], requires_grad=True)
    (x ** 2).sum().backward()
    once = x.grad.clone()
    (x ** 2).sum().backward()
    assert torch.equal(x.grad, 2 * once)


def test_no_grad_results_do_not_require_grad(run):
    ns, out = run
    assert ns["doubled"].requires_grad is False and ns["doubled"].grad_fn is None
    assert "requires_grad: False grad_fn: None" in out["no_grad"]
    assert "RuntimeError: a leaf Variable that requires grad is being used in an in-place operation." \
        in out["no_grad"]
    assert "tensor([0.5000, 1.5000], requires_grad=True)" in out["no_grad"]  # updated under no_grad


def test_detach_drops_the_history_and_numpy_needs_it(run):
    ns, out = run
    lines = out["detach"].splitlines()
    assert lines[0] == "tensor([0., 2.], grad_fn=<SubBackward0>)"
    assert lines[1] == "tensor([0., 2.])"
    assert lines[2].startswith("RuntimeError: Can't call numpy() on Tensor that requires grad")
    assert not ns["error"].detach().requires_grad


def test_the_generator_is_lazy_and_used_up_after_one_pass(run):
    ns, out = run
    lines = out["generator"].splitlines()
    assert lines[0].startswith("created: generator")  # nothing was cut on creation
    assert lines[1] == "  cutting examples 0 to 3" and lines[2] == "next(): [0, 1, 2, 3]"
    cut = [i for i, line in enumerate(lines) if "cutting" in line]
    got = [i for i, line in enumerate(lines) if "got:" in line or "next():" in line]
    assert all(c + 1 == g for c, g in zip(cut, got)) and len(cut) == 3  # one cut per request
    assert lines[-1] == "used up: []"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        generator = ns["batches"](10, 4)
        assert printed.getvalue() == ""  # calling it ran nothing
        assert next(generator) == [0, 1, 2, 3]
        assert printed.getvalue().count("cutting") == 1
