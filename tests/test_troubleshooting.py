"""snippets/troubleshooting.py: every message on the troubleshooting page is PyTorch's own, every fix works,
and every symptom the page describes is in the numbers."""
import math
import re

import pytest
import torch

from conftest import DOCS, LANGS, numbers, run_snippet
from linreg_build.includes import FENCE, INCLUDE

SEEDS = range(3)
USUAL_ERROR = 2e-3   # max |θ - θ_true| reached by the usual training (as on the scratch and concise pages)
NOISE_FLOOR = 2e-4   # nn.MSELoss at the optimum is about σ² = 1e-4

# section -> the (type, fragment of PyTorch's wording) it must print; a torch upgrade that rewords a
# message fails here instead of leaving a stale page
MESSAGES = {
    "non_scalar": [("RuntimeError", "grad can be implicitly created only for scalar outputs")],
    "backward_twice": [("RuntimeError", "Trying to backward through the graph a second time"),
                       ("RuntimeError", "Specify retain_graph=True")],
    "grad_none": [("UserWarning", "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed")],
    "no_grad_fn": [("RuntimeError", "element 0 of tensors does not require grad and does not have a grad_fn")],
    "inplace_leaf": [("RuntimeError", "a leaf Variable that requires grad is being used in an in-place operation")],
    "rebind_outside": [("UserWarning", "a Tensor that is not a leaf Tensor"),
                       ("TypeError", "unsupported operand type(s) for *: 'float' and 'NoneType'")],
    "rebind_inside": [("RuntimeError", "element 0 of tensors does not require grad and does not have a grad_fn")],
    "assign_tensor": [("TypeError", "cannot assign 'torch.FloatTensor' as parameter 'weight' "
                                    "(torch.nn.Parameter or None expected)")],
    "index_module": [("TypeError", "'Linear' object is not subscriptable"),
                     ("TypeError", "'LinearRegression' object is not subscriptable")],
    "one_feature": [("RuntimeError", "mat1 and mat2 shapes cannot be multiplied (1x100 and 1x1)")],
    "target_shape": [("UserWarning", "Using a target size (torch.Size([10])) that is different to the input size "
                                     "(torch.Size([10, 1]))"),
                     ("UserWarning", "This will likely lead to incorrect results due to broadcasting")],
    "float64": [("RuntimeError", "mat1 and mat2 must have the same dtype, but got Double and Float")],
    "int_features": [("RuntimeError", "mat1 and mat2 must have the same dtype, but got Long and Float")],
    "loss_class": [("RuntimeError", "Boolean value of Tensor with more than one value is ambiguous"),
                   ("UserWarning", "size_average and reduce args will be deprecated"),
                   ("AttributeError", "'MSELoss' object has no attribute 'backward'")],
    "last_batch": [("RuntimeError", "shape '[64, 2]' is invalid for input of size 80")],
    "dataset_sizes": [("AssertionError", "Size mismatch between tensors")],
    "object_column": [("TypeError", "can't convert np.ndarray of type numpy.object_")],
    "state_dict_keys": [("RuntimeError", "Error(s) in loading state_dict for Linear")],
    "meta_device": [("RuntimeError", "Tensor on device meta is not on the expected device cpu!")],
}
MESSAGE_LINE = re.compile(r"^(\w+(?:Error|Warning)): (.*)$")


def messages(text):
    """The (type, message) pairs show_error printed; its continuation lines are joined back."""
    found = []
    for line in text.splitlines():
        if m := MESSAGE_LINE.match(line):
            found.append([m[1], m[2]])
        elif line.startswith("    ") and found:
            found[-1][1] += " " + line.strip()
    return [tuple(f) for f in found]


def losses(text, label="loss "):
    return numbers(text, label)


def tensor_after(text, label):
    """The values of the first printed tensor after `label`, e.g. 'w.grad: tensor([1., 2.])'."""
    values = re.search(re.escape(label) + r"\s*tensor\(\[+([^\]]*)\]", text)[1]
    return [float(v) for v in values.split(",")]


@pytest.fixture(scope="module")
def runs():
    return {seed: run_snippet("troubleshooting", seed) for seed in SEEDS}


@pytest.fixture(scope="module")
def out(runs):
    """The outputs the page shows (seed 0)."""
    return runs[0][1]


def test_messages_come_from_the_pinned_torch(out):
    assert torch.__version__.startswith("2.13.0")
    assert "torch 2.13.0" in out["data"]


@pytest.mark.parametrize("section", MESSAGES)
def test_each_message_is_printed_as_pytorch_words_it(out, section):
    printed = messages(out[section])
    for kind, fragment in MESSAGES[section]:
        assert any(k == kind and fragment in text for k, text in printed), (section, kind, fragment, printed)


def test_every_printed_message_is_checked(out):
    """A section that prints an error or a warning is in MESSAGES; a fix prints none."""
    with_messages = {name for name, text in out.items() if messages(text)}
    assert with_messages == set(MESSAGES)


# ---------------------------------------------------------------- autograd

def test_sum_gives_the_gradient_of_the_summed_loss(runs):
    for seed, (ns, out) in runs.items():
        torch.manual_seed(seed)
        w = torch.normal(0, 0.01, size=(2, 1))        # the same draw as the section's w
        X, y = ns["features"][:10], ns["labels"][:10]
        residual = X @ w - y                            # b = 0
        expected = (X.T @ residual).flatten().tolist()
        assert tensor_after(out["non_scalar_fix"], "w.grad:") == pytest.approx(expected, rel=1e-3, abs=1e-3)
        assert tensor_after(out["non_scalar_fix"], "b.grad:") == pytest.approx(
            [residual.sum().item()], rel=1e-3, abs=1e-3)
        assert "l.shape: torch.Size([10, 1])" in out["non_scalar"]
        assert "l.sum().shape: torch.Size([])" in out["non_scalar_fix"]


def test_backward_twice_fails_after_one_step_and_the_fix_trains(out):
    broken = losses(out["backward_twice"])
    fixed = losses(out["backward_twice_fix"])
    assert len(broken) == 1 and len(fixed) == 3
    assert broken[0] == fixed[0] and fixed[0] > fixed[1] > fixed[2]


def test_grad_of_a_non_leaf_is_none(out):
    assert "w.is_leaf: False" in out["grad_none"] and "w.grad: None" in out["grad_none"]
    assert "b.grad: tensor([" in out["grad_none"]
    assert "before backward(): w.grad = None" in out["grad_none_fix"]
    assert "w.is_leaf: True | w.grad: tensor([" in out["grad_none_fix"]


def test_requires_grad_forgotten_and_turned_on(out):
    assert "l.requires_grad: False | l.grad_fn: None" in out["no_grad_fn"]
    assert "l.grad_fn: MeanBackward0" in out["no_grad_fn_fix"]
    # the same w (same seed) as in the previous fix, so the same gradient
    grad = re.search(r"w\.grad: (tensor\(\[[^\]]*\]\))", out["no_grad_fn_fix"])[1]
    assert grad in out["grad_none_fix"]


def test_update_inside_no_grad_is_one_sgd_step(runs):
    for seed, (ns, out) in runs.items():
        torch.manual_seed(seed)
        w = torch.normal(0, 0.01, size=(2, 1))
        X, y = ns["features"][:10], ns["labels"][:10]
        b_new = -0.03 * (X @ w - y).sum().item() / 10
        assert tensor_after(out["inplace_leaf_fix"], "b:") == pytest.approx([b_new], abs=1e-4)


# ---------------------------------------------------------------- parameters and updates

@pytest.mark.parametrize("seed", SEEDS)
def test_rebinding_breaks_at_the_second_step_and_in_place_updates_converge(runs, seed):
    _, out = runs[seed]
    assert "step 0: loss" in out["rebind_outside"] and "w.is_leaf True" in out["rebind_outside"]
    assert "step 1: loss" in out["rebind_outside"] and "w.is_leaf False" in out["rebind_outside"]
    assert "step 1" not in out["rebind_inside"]           # the second backward() fails
    for fix in ("rebind_outside_fix", "rebind_inside_fix"):
        assert numbers(out[fix], "max |error|")[0] < USUAL_ERROR
    assert "w.is_leaf True" in out["rebind_outside_fix"]
    # the in-place update and torch.optim.SGD are the same algorithm
    assert numbers(out["rebind_outside_fix"], "max |error|") == numbers(out["rebind_inside_fix"], "max |error|")


def test_parameter_values_changed_in_place(out):
    assert "weight: tensor([[ 2.0000, -3.4000]]) Parameter" in out["assign_tensor_fix"]
    assert "bias:   tensor([0.]) Parameter" in out["assign_tensor_fix"]


@pytest.mark.parametrize("seed", SEEDS)
def test_optimizer_of_another_model_leaves_the_loss_flat(runs, seed):
    _, out = runs[seed]
    flat = losses(out["other_model"])
    assert len(flat) == 3 and flat[0] == flat[1] == flat[2] > 1
    assert "the optimizer updates net.weight: False" in out["other_model"]
    assert losses(out["other_model_fix"])[-1] < NOISE_FLOOR
    assert numbers(out["other_model_fix"], "max |error|:")[0] < USUAL_ERROR


def test_attributes_instead_of_indexing(out):
    for line in ("net.weight          torch.Size([1, 2])", "model.linear.weight torch.Size([1, 2])",
                 "seq[0].weight       torch.Size([1, 2])"):
        assert line in out["index_module_fix"]


# ---------------------------------------------------------------- shapes and dtypes

def test_one_feature_as_a_column(out):
    assert "x.shape: torch.Size([100])" in out["one_feature"]
    assert "X.shape: torch.Size([100, 1]) -> net(X).shape: torch.Size([100, 1])" in out["one_feature_fix"]


@pytest.mark.parametrize("seed", SEEDS)
def test_flat_labels_train_a_wrong_model(runs, seed):
    _, out = runs[seed]
    assert numbers(out["target_shape"], "loss with the right shapes:")[0] > 1
    w1, w2 = tensor_after(out["target_shape"], "w:")
    (b,) = tensor_after(out["target_shape"], "b:")
    assert max(abs(w1 - 2), abs(w2 + 3.4), abs(b - 4.2)) > 1           # "far from the true values"
    assert losses(out["target_shape_fix"])[-1] < NOISE_FLOOR
    assert numbers(out["target_shape_fix"], "max |error|:")[0] < USUAL_ERROR


@pytest.mark.parametrize("seed", SEEDS)
def test_float64_data_converted_trains(runs, seed):
    _, out = runs[seed]
    assert "X_np.dtype: float64 | torch.from_numpy(X_np).dtype: torch.float64" in out["float64"]
    assert numbers(out["float64_fix"], "max |error|:")[0] < USUAL_ERROR


def test_integer_features_fail_integer_labels_do_not(out):
    assert "X.dtype: torch.int64" in out["int_features"]
    assert "X.dtype: torch.float32 -> net(X).dtype: torch.float32" in out["int_features_fix"]
    assert "loss(net(X), y).dtype: torch.float32" in out["int_features_fix"]


# ---------------------------------------------------------------- loss functions

def test_loss_instance_and_functional_agree(out):
    a, b = numbers(out["loss_class_fix"], "loss(y_hat, y):")[0], numbers(out["loss_class_fix"], "mse_loss(y_hat, y):")[0]
    assert a == b > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_sum_needs_the_learning_rate_divided_by_the_batch_size(runs, seed):
    _, out = runs[seed]
    lines = dict(line.split(": loss after epochs 1-5 ") for line in out["reduction_sum"].splitlines())
    mean, total = lines["reduction='mean', lr=0.03"], lines["reduction='sum', lr=0.03"]
    assert "inf" in total and total.endswith("20: nan")
    assert float(mean.split(": ")[-1]) < NOISE_FLOOR
    fixed = out["reduction_sum_fix"].splitlines()[0].split(": loss after epochs 1-5 ")
    assert fixed[0] == "reduction='sum', lr=0.0003"
    # the same numbers as with the mean: the same training, up to rounding
    def values(part):   # "12 3.53 1.04 0.308 0.091 ... 20: 9.25e-05"
        return [float(t) for t in part.split() if t != "..." and not t.endswith(":")]

    assert values(fixed[1]) == pytest.approx(values(mean), rel=1e-2)
    assert numbers(out["reduction_sum_fix"], "max |error|:")[0] < USUAL_ERROR


@pytest.mark.parametrize("seed", SEEDS)
def test_dividing_twice_is_slow_dividing_once_converges(runs, seed):
    _, out = runs[seed]
    slow = losses(out["divide_twice"])
    assert slow[0] > slow[1] > slow[2] > 1
    assert numbers(out["divide_twice"], "max |error|:")[0] > 0.5
    assert losses(out["divide_twice_fix"])[-1] < NOISE_FLOOR
    assert numbers(out["divide_twice_fix"], "max |error|:")[0] < USUAL_ERROR


# ---------------------------------------------------------------- training symptoms

@pytest.mark.parametrize("seed", SEEDS)
def test_zero_grad_before_step_leaves_the_loss_flat(runs, seed):
    _, out = runs[seed]
    flat = losses(out["loss_flat"])
    assert len(flat) == 3 and flat[0] == flat[1] == flat[2] > 1
    fixed = losses(out["loss_flat_fix"])
    assert fixed[0] < flat[0] and fixed[-1] < NOISE_FLOOR
    assert numbers(out["loss_flat_fix"], "max |error|:")[0] < USUAL_ERROR


@pytest.mark.parametrize("seed", SEEDS)
def test_unscaled_features_diverge_standardised_ones_converge(runs, seed):
    _, out = runs[seed]
    steps = losses(out["loss_nan"])
    finite = [v for v in steps if math.isfinite(v)]
    assert len(finite) >= 2 and all(a * 100 < b for a, b in zip(finite, finite[1:]))   # grows at every step
    assert math.inf in steps and math.isnan(steps[-1])                                # inf, then nan
    assert numbers(out["loss_nan_fix"], "mean: tensor([")[0] == pytest.approx(50, abs=1.5)
    assert numbers(out["loss_nan_fix"], "std: tensor([")[0] == pytest.approx(10, abs=1.5)
    assert losses(out["loss_nan_fix"])[-1] < NOISE_FLOOR        # "down at the level of the noise"


@pytest.mark.parametrize("seed", SEEDS)
def test_new_inputs_need_the_training_transformation(runs, seed):
    ns, out = runs[seed]
    assert tensor_after(out["new_inputs"], "truth:") == pytest.approx(ns["truth"].tolist(), abs=1e-4)
    wrong = torch.tensor(tensor_after(out["new_inputs"], "net(new_raw):"))
    assert (wrong - ns["truth"]).abs().max() > 10
    assert numbers(out["new_inputs_fix"], "max |prediction - truth|:")[0] < 5e-3


@pytest.mark.parametrize("seed", SEEDS)
def test_large_learning_rate_oscillates_small_one_settles(runs, seed):
    _, out = runs[seed]
    low, high = numbers(out["oscillates"], "last epoch between")[0], numbers(out["oscillates"], " and ")[0]
    assert high / low > 10                                           # jumps up and down
    assert numbers(out["oscillates"], "max |error|")[0] > USUAL_ERROR
    sampled = [float(v) for v in out["oscillates"].splitlines()[0].split("every 10 steps ")[1].split()]
    assert any(a < b for a, b in zip(sampled, sampled[1:])) and any(a > b for a, b in zip(sampled, sampled[1:]))
    low, high = numbers(out["oscillates_fix"], "last epoch between")[0], numbers(out["oscillates_fix"], " and ")[0]
    assert high / low < 1.2 and high < NOISE_FLOOR                   # settled at the noise level
    assert numbers(out["oscillates_fix"], "max |error|")[0] < USUAL_ERROR


@pytest.mark.parametrize("seed", SEEDS)
def test_small_learning_rate_is_slow(runs, seed):
    _, out = runs[seed]
    slow = losses(out["loss_slow"])
    assert slow[0] > slow[1] > slow[2] > 1
    assert losses(out["loss_slow_fix"])[-1] < NOISE_FLOOR
    assert numbers(out["loss_slow_fix"], "max |error|:")[0] < USUAL_ERROR


@pytest.mark.parametrize("seed", SEEDS)
def test_epoch_loss_during_versus_after(runs, seed):
    _, out = runs[seed]
    during = numbers(out["epoch_loss"], "mean of the batch losses")
    after = losses(out["epoch_loss_fix"])     # the same training (same seed), measured after each epoch
    assert len(during) == len(after) == 3
    assert during[0] > 100 * after[0]        # the first epoch: far larger
    assert during[2] == pytest.approx(after[2], rel=0.25)   # once training has settled: nearly equal


# ---------------------------------------------------------------- data loading

def test_last_batch_is_smaller(out):
    assert "batch sizes: [" + "64, " * 15 + "40]" in out["last_batch"]
    assert "last batch: torch.Size([40, 2]) -> torch.Size([40, 1])" in out["last_batch_fix"]
    assert "drop_last=True: [" + ", ".join(["64"] * 15) + "]" in out["last_batch_fix"]


@pytest.mark.parametrize("seed", SEEDS)
def test_separately_shuffled_pairs_learn_only_the_mean(runs, seed):
    ns, out = runs[seed]
    variance = numbers(out["shuffle_apart"], "variance of the labels:")[0]
    # The same convention as the questions page (divide by n): the MSE of predicting the mean.
    assert variance == round(ns["labels"].var(unbiased=False).item(), 4)
    assert variance == round(((ns["labels"] - ns["labels"].mean()) ** 2).mean().item(), 4)
    assert losses(out["shuffle_apart"])[-1] == pytest.approx(variance, rel=0.05)
    (b,) = tensor_after(out["shuffle_apart"], "b:")
    assert b == pytest.approx(numbers(out["shuffle_apart"], "mean:")[0], abs=0.5)
    assert losses(out["shuffle_apart_fix"])[-1] < NOISE_FLOOR
    assert numbers(out["shuffle_apart_fix"], "max |error|:")[0] < USUAL_ERROR


def test_dataset_of_equal_lengths(out):
    assert "len(features): 1000 len(y_short): 999" in out["dataset_sizes"]
    assert "len(dataset): 1000" in out["dataset_sizes_fix"]


# ---------------------------------------------------------------- tables, saved models, devices

def test_text_column_one_hot_encoded(out):
    assert "'city': 'str'" in out["object_column"]
    assert "['area', 'city_Shanghai']" in out["object_column_fix"]


@pytest.mark.parametrize("seed", SEEDS)
def test_an_empty_cell_makes_everything_nan_and_the_median_fills_it(runs, seed):
    _, out = runs[seed]
    assert "epoch 1, loss nan" in out["nan_column"] and "w: tensor([[nan, nan]]) b: tensor([nan])" in out["nan_column"]
    assert "missing per column: {'x1': 0, 'x2': 2}" in out["nan_column_fix"]
    # the model is learnt; the loss stays above the noise level because two filled cells are guesses
    assert numbers(out["nan_column_fix"], "max |error|:")[0] < USUAL_ERROR
    assert NOISE_FLOOR < losses(out["nan_column_fix"])[-1] < 0.1


def test_state_dict_keys_name_the_architecture(out):
    assert 'Missing key(s) in state_dict: "weight", "bias"' in out["state_dict_keys"]
    assert 'Unexpected key(s) in state_dict: "0.weight", "0.bias"' in out["state_dict_keys"]
    assert "keys in the file: ['0.weight', '0.bias']" in out["state_dict_keys_fix"]
    assert "<All keys matched successfully>" in out["state_dict_keys_fix"]


def test_data_moved_to_the_model_device(out):
    assert "model on cpu | data on cpu | output on cpu" in out["meta_device_fix"]


# ---------------------------------------------------------------- the pages

HEADING = re.compile(r"^### (.+?)(?:\s*\{ *#([\w-]+) *\})?\s*$", re.M)


def entries(lang):
    """{anchor: the text of the entry} for the ### entries of the page in one language."""
    text = (DOCS / lang / "troubleshooting.md").read_text(encoding="utf-8")
    found = {}
    parts = re.split(r"^(?=##+ )", text, flags=re.M)
    for part in parts:
        if m := HEADING.match(part):
            assert m[2], f"{lang}: ### {m[1]} has no explicit anchor"
            assert m[2] not in found, f"{lang}: anchor {m[2]} twice"
            found[m[2]] = part
    return found


def test_every_entry_has_the_same_t_anchor_in_both_languages():
    anchors = {lang: entries(lang) for lang in LANGS}
    for lang in LANGS:
        assert all(a.startswith("t-") for a in anchors[lang]), lang
        assert len(anchors[lang]) >= 20
    assert list(anchors["zh"]) == list(anchors["en"])


@pytest.mark.parametrize("lang", LANGS)
def test_each_entry_shows_symptom_code_fix_and_output(lang):
    for anchor, text in entries(lang).items():
        targets = INCLUDE.findall(text)
        section = targets[0].removeprefix("troubleshooting/").removesuffix(".txt")
        assert targets == [f"troubleshooting/{section}.txt", f"troubleshooting.py:{section}",
                           f"troubleshooting.py:{section}_fix", f"troubleshooting/{section}_fix.txt"], anchor


@pytest.mark.parametrize("lang", LANGS)
def test_the_prose_quotes_the_message_so_search_finds_it(out, lang):
    """The search index skips code blocks: each message entry quotes part of the printed message inline
    (in its heading, see the next test, and where useful in its text)."""
    for anchor, text in entries(lang).items():
        section = INCLUDE.findall(text)[0].removeprefix("troubleshooting/").removesuffix(".txt")
        printed = " ".join(message for _, message in messages(out[section]))
        if not printed:
            continue
        prose = FENCE.sub("", text)
        quoted = [code for code in re.findall(r"`([^`\n]+)`", prose) if len(code) >= 12]
        assert any(code in printed or code.split(": ", 1)[-1] in printed for code in quoted), (lang, anchor)


@pytest.mark.parametrize("lang", LANGS)
def test_the_heading_of_a_message_entry_starts_with_the_message(out, lang):
    """Search ranks section titles far above text: a pasted message lands on its entry only if the
    entry's heading holds the message. Each message entry's heading starts with a fragment of a message
    the section prints, inline, exactly as printed, then says in words what went wrong."""
    separator = ": " if lang == "en" else "："
    for anchor, text in entries(lang).items():
        section = INCLUDE.findall(text)[0].removeprefix("troubleshooting/").removesuffix(".txt")
        printed = [message for _, message in messages(out[section])]
        if not printed:
            continue
        title = HEADING.match(text)[1]
        m = re.match(r"`([^`\n]+)`(.*)$", title)
        assert m, (lang, anchor, title)
        assert len(m[1]) >= 12 and any(m[1] in message for message in printed), (lang, anchor, m[1])
        assert m[2].startswith(separator) and len(m[2]) > len(separator) + 5, (lang, anchor, title)
