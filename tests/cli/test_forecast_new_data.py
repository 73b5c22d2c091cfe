"""A trained run on data it never saw: ``forecast evaluate --data/--start/--end`` on a file that
holds only the new period (no split), report folders that leave the run's own report alone, a
read-only run with ``--out``, the drift warning, and ``forecast predict`` over many origins,
from a short recent file, refusing (or imputing) windows with gaps, following a level shift."""

from __future__ import annotations

import hashlib
import json
import logging

import numpy as np
import pandas as pd
import pytest
import torch

from rnnlab.cli.main import main

N_TRAIN, N_NEW, L, H = 400, 120, 24, 6


def series(n: int, start: str, seed: int) -> pd.DataFrame:
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "time": pd.date_range(start, periods=n, freq="h"),
        "temp": 20 + 5 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.3, n),
        "hum": 60 + 10 * np.cos(2 * np.pi * t / 24) + rng.normal(0, 1.0, n),
    })


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One quick run (normalize = "mean", Gaussian intervals) and a file of a later period."""
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("forecast-new-data")
    old, new = root / "old.csv", root / "new.csv"
    series(N_TRAIN, "2024-01-01", 0).to_csv(old, index=False)
    series(N_NEW, "2024-03-01", 1).to_csv(new, index=False)  # only the new period
    run_dir = root / "run"
    argv = ["forecast", "train", "--data", str(old), "--target", "temp", "--inputs", "hum",
            "--lookback", str(L), "--horizon", str(H), "--hidden-size", "8", "--epochs", "1",
            "--output", "gaussian", "--run-dir", str(run_dir), "--quiet",
            "--set", "forecast.train_stride=4", "--set", "forecast.folds=1",
            "--set", "model.normalize=\"mean\""]
    assert main(argv) == 0
    return run_dir, new, root


def tree(path) -> dict[str, str]:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def test_a_file_holding_only_the_new_period_is_scored_whole_or_between_start_and_end(run):
    run_dir, new, _ = run
    own = (run_dir / "report.md").read_text()
    assert main(["forecast", "evaluate", str(run_dir), "--data", str(new)]) == 0
    result = json.loads((run_dir / "evaluations" / "new" / "evaluation.json").read_text())
    assert result["windows"] == N_NEW - L - H + 1 and result["split"] == "period"
    assert result["period"]["first_target"] == "2024-03-02 00:00:00"  # after L = 24 h
    names = set(result["overall"])
    assert {"persistence", "seasonal_naive", "linear_ar",
            "linear_ar (refit on the evaluated windows, in-sample)"} <= names
    assert set(result["dm"]) >= {"persistence", "seasonal_naive", "linear_ar"}
    assert 0.0 <= result["interval"]["coverage"] <= 1.0
    assert result["drift_warnings"] == [] and {d["column"] for d in result["drift"]} == {
        "temp", "hum"}  # the same process, a later period: no drift
    argv = ["forecast", "evaluate", str(run_dir), "--data", str(new),
            "--start", "2024-03-03", "--end", "2024-03-04 06:00"]
    assert main(argv) == 0
    folder = run_dir / "evaluations" / "new_2024-03-03_2024-03-04-06-00"
    part = json.loads((folder / "evaluation.json").read_text())
    # exactly the windows whose 6 targets lie in [03-03 00:00, 03-04 06:00): 25 origins
    assert part["windows"] == 25
    assert part["period"] == {"first_target": "2024-03-03 00:00:00",
                              "last_target": "2024-03-04 05:00:00"}
    assert "linear_ar (refit on the new data before the period)" in part["overall"]
    for f in ("report.md", "plots/forecast_example.png", "plots/models.png"):
        assert (folder / f).is_file(), f
    assert (run_dir / "report.md").read_text() == own  # the run's own report is untouched


def test_new_data_takes_start_and_end_not_a_split(run, capsys):
    run_dir, new, _ = run
    assert main(["forecast", "evaluate", str(run_dir), "--data", str(new), "--split",
                 "valid"]) == 2
    assert "new data is read whole: choose its windows with --start/--end" in (
        capsys.readouterr().err)
    assert main(["forecast", "evaluate", str(run_dir), "--data", str(new), "--start",
                 "2024-06-01"]) == 2
    assert "no complete window of lookback + horizon = 24 + 6 steps with its targets in " \
           "[2024-06-01, the end)" in capsys.readouterr().err


def test_a_read_only_run_is_evaluated_into_out_and_nothing_in_it_changes(run, tmp_path):
    run_dir, new, _ = run
    before = tree(run_dir)
    modes = {p: p.stat().st_mode for p in [run_dir, *run_dir.rglob("*")]}
    try:
        for p in modes:
            p.chmod(p.stat().st_mode & ~0o222)  # read-only (root ignores it: the hashes decide)
        out = tmp_path / "eval"
        assert main(["forecast", "evaluate", str(run_dir), "--data", str(new), "--out",
                     str(out)]) == 0
    finally:
        for p, mode in modes.items():
            p.chmod(mode)
    assert tree(run_dir) == before
    assert (out / "report.md").is_file() and (out / "evaluation.json").is_file()


def test_drift_warns_naming_the_column_and_its_size_when_shifted(run, caplog):
    run_dir, new, root = run
    shifted = root / "shifted.csv"
    frame = pd.read_csv(new)
    frame["hum"] += 80.0  # ~ +11 σ of the training humidity
    frame.to_csv(shifted, index=False)
    with caplog.at_level(logging.WARNING, logger="rnnlab"):
        assert main(["forecast", "evaluate", str(run_dir), "--data", str(shifted)]) == 0
    (message,) = [r.getMessage() for r in caplog.records if "drifted" in r.getMessage()]
    assert message.startswith("input 'hum' has drifted: mean 139.6 on this data vs 59.9")
    shift = float(message.split("(+")[1].split(" σ")[0])
    assert 8 < shift < 14
    report = (run_dir / "evaluations" / "shifted" / "report.md").read_text()
    assert f"**Warning:** {message}" in report


def test_rolling_predict_equals_one_origin_at_a_time(run, tmp_path):
    run_dir, new, _ = run
    rolled = tmp_path / "rolled.csv"
    assert main(["forecast", "predict", str(run_dir), "--data", str(new), "--start",
                 "2024-03-02 00:00", "--end", "2024-03-05", "--every", "12h",
                 "--out", str(rolled)]) == 0
    table = pd.read_csv(rolled)
    origins = table["origin_utc"].unique()
    assert len(origins) == 6 and len(table) == 6 * H  # 03-02 00:00 .. 03-04 12:00, every 12 h
    assert rolled.with_suffix(".png").is_file()
    for origin in origins[[0, 5]]:
        one = tmp_path / "one.csv"
        assert main(["forecast", "predict", str(run_dir), "--data", str(new), "--origin",
                     origin, "--out", str(one)]) == 0
        expected = table[table["origin_utc"] == origin].reset_index(drop=True)
        pd.testing.assert_frame_equal(pd.read_csv(one), expected)


def test_a_level_shift_of_every_input_moves_the_forecast_by_exactly_that_shift(run, tmp_path):
    """normalize = "mean" is inverted exactly, through the scaler and the data units."""
    run_dir, new, root = run
    moved = root / "moved.csv"
    frame = pd.read_csv(new)
    frame["temp"] += 5.0
    frame["hum"] -= 20.0
    frame.to_csv(moved, index=False)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for data, out in ((new, a), (moved, b)):
        assert main(["forecast", "predict", str(run_dir), "--data", str(data), "--out",
                     str(out)]) == 0
    a, b = pd.read_csv(a), pd.read_csv(b)
    for column in ("temp", "temp_lo", "temp_hi"):
        np.testing.assert_allclose(b[column], a[column] + 5.0, atol=2e-3)


def test_predict_needs_only_the_lookback_and_refuses_or_imputes_gaps(run, tmp_path, capsys):
    run_dir, new, root = run
    recent = root / "recent.csv"
    pd.read_csv(new).tail(L + 1).to_csv(recent, index=False)  # 25 rows for lookback 24
    out = tmp_path / "next.csv"
    assert main(["forecast", "predict", str(run_dir), "--data", str(recent), "--out",
                 str(out)]) == 0
    assert len(pd.read_csv(out)) == H
    gappy = root / "gappy.csv"
    frame = pd.read_csv(new).tail(L + 10)
    frame.iloc[-6:-1, frame.columns.get_loc("hum")] = np.nan  # 5 h: beyond gap_limit = 3
    frame.to_csv(gappy, index=False)
    capsys.readouterr()
    assert main(["forecast", "predict", str(run_dir), "--data", str(gappy), "--out",
                 str(out)]) == 2
    err = capsys.readouterr().err
    assert "misses 5 value(s) of 'hum' at 2024-03-05 18:00, 2024-03-05 19:00" in err
    assert "impute_limit = 0" in err and "--impute-limit" in err
    assert not np.isnan(pd.read_csv(out)["temp"]).any()  # the earlier file, not an all-NaN one
    assert main(["forecast", "predict", str(run_dir), "--data", str(gappy), "--out", str(out),
                 "--impute-limit", "5"]) == 0
    table = pd.read_csv(out)
    assert (table["imputed"] == 5).all() and np.isfinite(table["temp"]).all()
    assert main(["forecast", "predict", str(run_dir), "--data", str(gappy), "--out", str(out),
                 "--impute-limit", "4"]) == 2
    assert "misses 1 value(s) of 'hum' at 2024-03-05 22:00" in capsys.readouterr().err
