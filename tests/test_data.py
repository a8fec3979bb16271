"""snippets/data.py: the synthetic data every page uses."""
import torch

from conftest import run_snippet


def test_shapes_and_noise_level():
    ns, _ = run_snippet("data")
    torch.manual_seed(1)
    X, y = ns["synthetic_data"](ns["true_w"], ns["true_b"], 5000)
    assert X.shape == (5000, 2) and y.shape == (5000, 1)
    residual = y[:, 0] - (X @ ns["true_w"] + ns["true_b"])
    # The noise is N(0, 0.01²): its sample standard deviation is 0.01 within a few percent.
    assert abs(residual.std().item() - 0.01) < 0.0005
    assert abs(residual.mean().item()) < 0.001


def test_noise_level_is_a_parameter():
    ns, _ = run_snippet("data")
    X, y = ns["synthetic_data"](ns["true_w"], ns["true_b"], 10, noise=0.0)
    assert torch.allclose(y[:, 0], X @ ns["true_w"] + ns["true_b"])
