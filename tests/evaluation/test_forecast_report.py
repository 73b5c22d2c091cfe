"""The report's Diebold–Mariano table: every model against the linear AR, gaps left out."""

from __future__ import annotations

import numpy as np

from rnnlab.evaluation.forecast_report import dm_against, dm_markdown


def forecasts(T: int = 300, H: int = 6, seed: int = 0):
    rng = np.random.default_rng(seed)
    actual = rng.normal(size=(T, H, 1))  # (T, H, K)
    return actual, {
        "gru-direct": actual + rng.normal(0, 0.5, actual.shape),  # better than the AR
        "linear_ar": actual + rng.normal(0, 1.0, actual.shape),
        "persistence": actual + rng.normal(0, 2.0, actual.shape),  # a baseline: not tested
    }


def test_a_clearly_better_model_gets_a_negative_statistic_and_a_tiny_p_value():
    actual, fc = forecasts()
    result = dm_against(fc, actual, "linear_ar")
    assert list(result) == ["gru-direct"]
    for loss in ("squared", "absolute"):
        assert result["gru-direct"][loss]["statistic"] < -5
        assert result["gru-direct"][loss]["p_value"] < 1e-6
        assert result["gru-direct"][loss]["n"] == 300
    table = dm_markdown(result, "linear_ar")
    assert table.splitlines()[0].startswith("| model vs linear_ar |")
    assert table.splitlines()[2].startswith("| gru-direct | -")


def test_origins_with_missing_actuals_are_left_out_and_short_series_give_no_test():
    actual, fc = forecasts()
    actual[10, 2, 0] = np.nan
    assert dm_against(fc, actual)["gru-direct"]["squared"]["n"] == 299
    short, fc_short = forecasts(T=12)  # T = 12 <= 2H: too few origins for the test
    assert dm_against(fc_short, short) == {}
    assert dm_against({"gru": fc["gru-direct"]}, actual) == {}  # no reference, no test


def test_every_baseline_is_a_reference_and_p_values_never_print_as_zero():
    from rnnlab.evaluation.forecast_report import dm_all, format_p

    actual, fc = forecasts()
    fc["linear_ar (refit on the new data before the period)"] = fc["linear_ar"] + 0.1
    result = dm_all(fc, actual)
    assert set(result) == {"linear_ar", "persistence",
                           "linear_ar (refit on the new data before the period)"}
    assert all(list(r) == ["gru-direct"] for r in result.values())  # baselines are not tested
    assert result["persistence"]["gru-direct"]["squared"]["p_value"] < 1e-4
    assert "| gru-direct | -" in dm_markdown(result["persistence"], "persistence")
    assert "<1e-4" in dm_markdown(result["persistence"], "persistence")
    assert [format_p(p) for p in (0.0, 9.9e-5, 1e-4, 0.0123, 0.5)] == [
        "<1e-4", "<1e-4", "0.0001", "0.012", "0.5"]
