"""``rnnlab forecast ensemble``: the mean of trained runs, evaluated and used to predict like
any run, refusing members that do not read the same windows."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from rnnlab.cli.main import main
from rnnlab.models.forecast_ensemble import ForecastEnsemble
from rnnlab.tasks.forecast import ENSEMBLE_FILE, load_run


def predict(run, data, out) -> pd.DataFrame:
    assert main(["forecast", "predict", str(run), "--data", str(data), "--out", str(out)]) == 0
    return pd.read_csv(out)


def test_ensemble_is_evaluated_and_predicts_the_members_mean(members, series_csv, tmp_path, capsys):
    capsys.readouterr()
    ens = tmp_path / "runs" / "mean2"
    assert main(["forecast", "ensemble", *map(str, members), "--run-dir", str(ens)]) == 0
    out = capsys.readouterr().out
    for row in (
        "mean-of-2 (gru-direct, lstm-direct)",
        "member-1 (gru-direct)",
        "member-2 (lstm-direct)",
        "linear_ar",
    ):
        assert f"| {row} |" in out
    assert json.loads((ens / ENSEMBLE_FILE).read_text()) == {"members": ["../gru-0", "../lstm-1"]}
    assert (ens / "report.md").is_file()
    dm = json.loads((ens / "evaluation.json").read_text())["dm"]["linear_ar"]
    assert list(dm) == [
        "mean-of-2 (gru-direct, lstm-direct)",
        "member-1 (gru-direct)",
        "member-2 (lstm-direct)",
    ]
    assert isinstance(load_run(ens).model, ForecastEnsemble)

    each = [predict(m, series_csv, tmp_path / f"{m.name}.csv")["temp"] for m in members]
    mean = predict(ens, series_csv, tmp_path / "mean.csv")["temp"]
    assert not np.allclose(each[0], each[1], atol=1e-3)
    np.testing.assert_allclose(mean, (each[0] + each[1]) / 2, atol=2e-4)  # CSVs: 4 decimals

    moved = tmp_path / "elsewhere"  # relative member paths: the tree can move as a whole
    shutil.copytree(tmp_path / "runs", moved)
    np.testing.assert_allclose(
        predict(moved / "mean2", series_csv, tmp_path / "m.csv")["temp"], mean
    )


def test_members_that_do_not_read_the_same_windows_are_refused(
    members, series_csv, forecast_train_args, tmp_path, capsys
):
    other = tmp_path / "runs" / "h3"
    assert main(forecast_train_args(series_csv, other, "--horizon", "3")) == 0
    capsys.readouterr()
    ens = tmp_path / "ens"
    assert main(["forecast", "ensemble", str(members[0]), str(other), "--run-dir", str(ens)]) == 2
    err = capsys.readouterr().err
    assert "ensemble members ../runs/gru-0 and ../runs/h3 differ in window" in err
    assert not (ens / ENSEMBLE_FILE).exists()  # nothing written
    assert main(["forecast", "ensemble", str(members[0]), "--run-dir", str(ens)]) == 2
    assert "expected at least 2 member runs to average, got 1" in capsys.readouterr().err
    missing = tmp_path / "runs" / "never-trained"
    assert main(["forecast", "ensemble", str(members[0]), str(missing), "--run-dir", str(ens)]) == 2
    assert "ensemble member" in capsys.readouterr().err


def test_a_corrupt_or_broken_ensemble_directory_says_so(members, tmp_path, capsys):
    ens = tmp_path / "runs" / "mean2"
    assert main(["forecast", "ensemble", *map(str, members), "--run-dir", str(ens)]) == 0
    (ens / ENSEMBLE_FILE).write_text('{"members": 3}', encoding="utf-8")
    with pytest.raises(ValueError, match="corrupt .*ensemble.json: members must be a non-empty"):
        load_run(ens)
    (ens / ENSEMBLE_FILE).write_text('{"members": ["../gru-0", "../lstm-1"]}', encoding="utf-8")
    shutil.rmtree(members[1])
    capsys.readouterr()
    assert main(["forecast", "evaluate", str(ens)]) == 2
    assert "ensemble member" in capsys.readouterr().err
