"""snippets/real_data.py: every number of the page "A real data set" recomputed with scikit-learn (an
independent implementation: StandardScaler, LinearRegression, Ridge, KFold, cross_val_score, r2_score,
SimpleImputer, OneHotEncoder), at several seeds."""
import numpy as np
import pytest
from sklearn.compose import make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from conftest import numbers, run_snippet

SEEDS = range(3)


@pytest.fixture(scope="module")
def runs():
    return {seed: run_snippet("real_data", seed) for seed in SEEDS}


def arrays(ns):
    """The training and test rows as NumPy arrays, taken from the table by the snippet's row numbers."""
    frame, names = ns["frame"], ns["feature_names"]
    train, test = frame.iloc[ns["train_rows"]], frame.iloc[ns["test_rows"]]
    return train[names].to_numpy(), train["target"].to_numpy(), test[names].to_numpy(), test["target"].to_numpy()


def test_the_table_is_read_offline_with_its_real_shape(runs):
    ns, out = runs[0]
    assert ns["frame"].shape == (442, 11) and "(442, 11)" in out["load"]
    assert "missing values: 0 | column types: {'float64'}" in out["load"]


@pytest.mark.parametrize("seed", SEEDS)
def test_split_is_disjoint_and_complete(runs, seed):
    ns, out = runs[seed]
    assert sorted(ns["train_rows"] + ns["test_rows"]) == list(range(442))
    assert len(ns["test_rows"]) == 102
    assert "training: (340, 10) test: (102, 10)" in out["split"]


@pytest.mark.parametrize("seed", SEEDS)
def test_imputation_and_one_hot_match_scikit_learn(runs, seed):
    ns, out = runs[seed]
    messy, prepared = ns["messy"], ns["prepared"]
    assert messy[["bmi", "s5"]].isna().sum().tolist() == [15, 15]
    numeric = [c for c in messy.columns if c != "sex"]
    reference = make_column_transformer(
        (SimpleImputer(strategy="median"), numeric),
        (OneHotEncoder(drop="first", sparse_output=False), ["sex"]),
    ).fit_transform(messy)
    assert np.allclose(prepared[numeric + ["sex_two"]].to_numpy(), reference, rtol=0, atol=1e-12)
    assert "missing now: 0 | dtypes: {'float64'}" in out["prepare"]


@pytest.mark.parametrize("seed", SEEDS)
def test_standardisation_uses_training_statistics_like_standard_scaler(runs, seed):
    ns, _ = runs[seed]
    X_train, _, X_test, _ = arrays(ns)
    scaler = StandardScaler().fit(X_train)
    assert np.allclose(ns["mean"].numpy(), scaler.mean_, rtol=1e-12)
    assert np.allclose(ns["std"].numpy(), scaler.scale_, rtol=1e-12)
    assert np.allclose(ns["X_test"].numpy(), scaler.transform(X_test), atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_least_squares_matches_linear_regression(runs, seed):
    ns, out = runs[seed]
    X_train, y_train, X_test, y_test = arrays(ns)
    reference = LinearRegression().fit(X_train, y_train)  # on the raw columns: raw-unit coefficients
    prediction = reference.predict(X_test)
    assert np.allclose(ns["pred_ls"].numpy().ravel(), prediction, rtol=1e-9)
    w_raw, b_raw = ns["in_raw_units"](ns["theta_ls"])
    assert np.allclose(w_raw.numpy(), reference.coef_, rtol=1e-8)
    assert b_raw.item() == pytest.approx(reference.intercept_, rel=1e-9)
    mse, r2 = mean_squared_error(y_test, prediction), r2_score(y_test, prediction)
    assert numbers(out["closed_form"], "test MSE")[0] == round(mse, 1)
    assert numbers(out["closed_form"], "test R²")[0] == round(r2, 4)
    assert ns["r2"](ns["y_test"], ns["pred_ls"]) == pytest.approx(r2, rel=1e-10)
    assert 0.35 < r2 < 0.7  # much of the variance is not explained: the page's symptom
    assert numbers(out["closed_form"], "training MSE")[0] < numbers(out["closed_form"], "test MSE")[0]
    per_sd = ns["theta_ls"][:-1, 0].abs()
    largest = {ns["feature_names"][j] for j in per_sd.argsort(descending=True)[:4].tolist()}
    assert largest == {"s1", "s2", "s5", "bmi"}


@pytest.mark.parametrize("seed", SEEDS)
def test_sgd_predicts_like_least_squares_but_its_coefficients_differ(runs, seed):
    ns, out = runs[seed]
    test_mse = numbers(out["sgd"], "test MSE")
    ls_mse = numbers(out["closed_form"], "test MSE")[0]
    assert abs(test_mse[-1] - ls_mse) < 0.03 * ls_mse
    gap = (ns["theta_sgd"] - ns["theta_ls"].reshape(-1)).abs()
    assert gap.max() > 5 and gap.argmax().item() in (4, 5, 6, 7)  # s1..s4, the collinear serum columns
    assert gap[[0, 2, 3, 10]].max() < 2  # age, bmi, bp and the bias are learnt


@pytest.mark.parametrize("seed", SEEDS)
def test_the_serum_columns_are_nearly_collinear(runs, seed):
    ns, out = runs[seed]
    X_train = arrays(ns)[0]
    assert numbers(out["collinear"], "ratio")[0] > 200
    assert np.corrcoef(X_train[:, 4], X_train[:, 5])[0, 1] > 0.85


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_validation_matches_scikit_learn(runs, seed):
    ns, out = runs[seed]
    X_train, y_train, X_test, y_test = arrays(ns)
    for lam, ours in zip(ns["lams"], ns["cv"]):
        # 272 rows fit each fold; our (1/n)Σ½r² + (λ/2)|w|² is Ridge's |r|² + α|w|² with α = 272λ
        model = make_pipeline(StandardScaler(), Ridge(alpha=272 * lam) if lam else LinearRegression())
        scores = cross_val_score(model, X_train, y_train, cv=KFold(5), scoring="neg_mean_squared_error")
        assert -scores.mean() == pytest.approx(ours, rel=1e-9)
    chosen = ns["best_lam"]
    model = make_pipeline(StandardScaler(), Ridge(alpha=340 * chosen) if chosen else LinearRegression())
    prediction = model.fit(X_train, y_train).predict(X_test)
    assert np.allclose(ns["pred_ridge"].numpy().ravel(), prediction, rtol=1e-9)
    line = out["ridge_cv"].splitlines()[-1]
    assert numbers(line, "test MSE")[0] == round(mean_squared_error(y_test, prediction), 1)
    assert numbers(line, "test R²")[0] == round(r2_score(y_test, prediction), 4)
    # the raw-unit ridge coefficients are the pipeline's, divided by the scale
    w_raw, _ = ns["in_raw_units"](ns["theta_ridge"])
    coef = model[-1].coef_ / model[0].scale_
    assert np.allclose(w_raw.numpy(), coef, rtol=1e-8)
    # ridge pulls the two collinear serum weights towards zero
    w_ls, _ = ns["in_raw_units"](ns["theta_ls"])
    assert chosen > 0 and (w_raw[4:6].abs() < w_ls[4:6].abs()).all()
    assert max(ns["cv"]) / min(ns["cv"]) < 1.05  # the CV errors hardly vary with λ
    # on this table a penalty hardly changes the test error
    assert abs(mean_squared_error(y_test, prediction) - numbers(out["closed_form"], "test MSE")[0]) < 0.03 * \
        mean_squared_error(y_test, prediction)


@pytest.mark.parametrize("seed", SEEDS)
def test_residuals_spread_more_at_high_predictions(runs, seed):
    ns, out = runs[seed]
    low, high = numbers(out["residuals"], "lower half of the predictions")[0], numbers(out["residuals"], "upper half")[0]
    assert high > 1.15 * low
    assert ns["pred_ridge"].min() > ns["y_test"].min() and ns["pred_ridge"].max() < ns["y_test"].max()


def test_same_seed_same_numbers(runs):
    assert run_snippet("real_data", 0)[1] == runs[0][1]


def test_figure_is_saved(runs, figures_to_tmp):
    assert (figures_to_tmp / "real_data_residuals.png").stat().st_size > 5000
