"""``rnnlab forecast train|evaluate|predict`` end to end on a tiny series, ``rnnlab train``
with kind "forecast", prediction from the run directory alone, clear errors, the demo."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rnnlab.cli.main import main
from rnnlab.tasks.forecast import ForecastTask, load_run


def test_train_evaluate_predict(series_csv, forecast_train_args, tmp_path, capsys):
    run = tmp_path / "run"
    assert main(forecast_train_args(series_csv, run, "--output", "quantile")) == 0
    out = capsys.readouterr().out
    for name in ("gru-direct-quantile", "persistence", "seasonal_naive", "linear_ar"):
        assert f"| {name} |" in out
    for f in (
        "config.toml",
        "forecast.json",
        "scaler.json",
        "evaluation.json",
        "report.md",
        "plots/forecast_example.png",
        "plots/error_by_horizon.png",
        "plots/models.png",
    ):
        assert (run / f).is_file(), f
    evaluation = json.loads((run / "evaluation.json").read_text())
    assert 0.0 <= evaluation["interval"]["coverage"] <= 1.0
    assert {r["model"] for r in evaluation["backtest"]} >= {"persistence", "linear_ar (refit)"}
    dm = evaluation["dm"]["linear_ar"]["gru-direct-quantile"]
    assert set(dm) == {"squared", "absolute"} and 0.0 <= dm["squared"]["p_value"] <= 1.0
    report = (run / "report.md").read_text()
    for reference in ("persistence", "seasonal_naive", "linear_ar"):
        assert f"| model vs {reference} |" in report
    assert "90% interval coverage" in report and "## Drift of the inputs" in report
    assert (run / "linear_ar.safetensors").is_file()  # the AR as trained with the model
    own = report
    assert main(["forecast", "evaluate", str(run), "--split", "valid"]) == 0
    assert (run / "evaluations" / "valid" / "report.md").is_file()
    assert (run / "report.md").read_text() == own  # the run's own report is never overwritten
    csv = tmp_path / "next.csv"
    assert (
        main(["forecast", "predict", str(run), "--data", str(series_csv), "--out", str(csv)]) == 0
    )
    table = pd.read_csv(csv)
    assert list(table.columns) == ["origin_utc", "step", "time_utc", "temp", "temp_lo", "temp_hi",
                                   "temp_actual", "imputed"]
    assert len(table) == 6 and table["time_utc"][0] == "2024-01-17 16:00:00"
    assert (table["step"] == list(range(1, 7))).all() and (table["imputed"] == 0).all()
    assert (table["temp_lo"] <= table["temp"]).all() and (table["temp"] <= table["temp_hi"]).all()
    assert csv.with_suffix(".png").is_file()


def test_predict_from_the_run_directory_alone_matches_the_trained_model(series_csv, tmp_path):
    from rnnlab.tasks import resolve_config
    from rnnlab.tasks.forecast import build
    from rnnlab.training import Trainer

    run = tmp_path / "run"
    config = {
        "data": {"path": [str(series_csv)]},
        "window": {"lookback": 24, "horizon": 6, "targets": ["temp"], "inputs": ["hum"]},
        "model": {"cell": "lstm", "hidden_size": 8, "strategy": "seq2seq"},
        "forecast": {"train_stride": 4},
    }
    cfg = resolve_config({**config, "train": {"epochs": 1, "progress": False}}, kind="forecast")
    task = build(cfg, run)
    Trainer(task, cfg.train, run, extra_config=cfg.task_dict()).fit()
    loaded = load_run(run, which="last")  # the weights the in-memory model ended with
    w = loaded.windows(pd.read_csv(series_csv, index_col="time", parse_dates=True))
    t = w.starts["train"][-50:]
    np.testing.assert_allclose(
        ForecastTask(loaded.model, w).forecast(t)["point"], task.forecast(t)["point"], rtol=1e-6
    )
    assert loaded.meta["columns"] == ["temp", "hum", "hour_sin", "hour_cos", "doy_sin", "doy_cos"]
    train_rows = pd.read_csv(series_csv)["temp"].iloc[: round(0.7 * 400)]
    assert loaded.scaler.mean[0] == pytest.approx(train_rows.mean())  # fitted on train only


def test_rnnlab_train_with_task_kind_forecast(series_csv, tmp_path):
    config = tmp_path / "f.toml"
    config.write_text(
        f'[task]\nkind = "forecast"\n[data]\npath = "{series_csv}"\n'
        '[window]\nlookback = 12\nhorizon = 3\ntargets = ["temp"]\n'
        '[model]\ncell = "elman-tanh"\nhidden_size = 4\nstrategy = "recursive"\n'
        "[forecast]\ntrain_stride = 8\n[train]\nepochs = 1\nprogress = false\n",
        encoding="utf-8",
    )
    assert main(["train", str(config), "--run-dir", str(tmp_path / "r"), "--quiet"]) == 0
    assert load_run(tmp_path / "r").model.config.strategy == "recursive"


def test_clear_errors(series_csv, forecast_train_args, tmp_path, capsys):
    assert (
        main(
            [
                "forecast",
                "train",
                "--data",
                str(series_csv),
                "--target",
                "pressure",
                "--run-dir",
                str(tmp_path / "x"),
                "--quiet",
            ]
        )
        == 2
    )
    assert "unknown column(s) ['pressure']; available: ['temp', 'hum']" in capsys.readouterr().err
    run = tmp_path / "run"
    assert main(forecast_train_args(series_csv, run)) == 0
    short = tmp_path / "short.csv"
    pd.read_csv(series_csv).head(10).to_csv(short, index=False)
    assert main(["forecast", "predict", str(run), "--data", str(short)]) == 2
    assert "series too short for the window: 10 rows" in capsys.readouterr().err
    assert main(["forecast", "evaluate", str(tmp_path)]) == 2
    assert "not a forecast run" in capsys.readouterr().err


def test_demo_section_quick(tmp_path, capsys):
    from rnnlab.demo.forecast import section

    section(tmp_path / "forecast", quick=True)
    out = capsys.readouterr().out
    assert "| linear_ar |" in out and "interval coverage" in out
    assert "gru-direct-gaussian vs linear AR, Diebold–Mariano test" in out
    assert (tmp_path / "forecast" / "gru" / "next_24h.png").is_file()


def test_without_a_test_split_the_report_uses_validation(series_csv, forecast_train_args, tmp_path):
    run = tmp_path / "run"
    args = forecast_train_args(series_csv, run, "--train-end", "0.8", "--valid-end", "1.0")
    assert main(args) == 0
    assert json.loads((run / "evaluation.json").read_text())["split"] == "valid"


def test_a_model_trained_on_bulk_files_predicts_from_a_portal_export(tmp_path):
    """Same hours written in both INMET formats -> the same forecast."""
    n = 300
    stamps = pd.date_range("2024-03-01", periods=n, freq="h")
    t = np.arange(n)
    temp = 20 + 4 * np.sin(2 * np.pi * t / 24) + np.random.default_rng(0).normal(0, 0.2, n)
    hum = 70 - 15 * np.sin(2 * np.pi * t / 24)
    meta = (
        "REGIAO:;CO\nUF:;DF\nESTACAO:;BRASILIA\nCODIGO (WMO):;A001\nLATITUDE:;-15,79\n"
        "LONGITUDE:;-47,93\nALTITUDE:;1160,96\nDATA DE FUNDACAO:;07/05/00\n"
    )
    bulk_rows = [
        f"{s:%Y/%m/%d};{s:%H%M} UTC;{a:.1f};{b:.0f};".replace(".", ",")
        for s, a, b in zip(stamps, temp, hum, strict=True)
    ]
    bulk = tmp_path / "bulk.CSV"
    bulk.write_bytes(
        (
            meta + "Data;Hora UTC;TEMPERATURA DO AR - BULBO SECO, HORARIA (°C);"
            "UMIDADE RELATIVA DO AR, HORARIA (%);\n" + "\n".join(bulk_rows)
        ).encode("latin-1")
    )
    portal_rows = [
        f"{s:%d/%m/%Y};{s:%H%M};{a:.1f};{b:.0f}".replace(".", ",")
        for s, a, b in zip(stamps, temp, hum, strict=True)
    ]
    portal = tmp_path / "portal.csv"
    portal.write_text(
        '"Data";"Hora (UTC)";"Temp. Ins. (C)";"Umi. Ins. (%)"\n' + "\n".join(portal_rows),
        encoding="utf-8",
    )
    run = tmp_path / "run"
    assert (
        main(
            [
                "forecast",
                "train",
                "--data",
                str(bulk),
                "--target",
                "temp",
                "--inputs",
                "humidity",
                "--lookback",
                "12",
                "--horizon",
                "3",
                "--hidden-size",
                "4",
                "--epochs",
                "1",
                "--run-dir",
                str(run),
                "--quiet",
            ]
        )
        == 0
    )
    for name, data in (("a.csv", bulk), ("b.csv", portal)):
        assert (
            main(
                [
                    "forecast",
                    "predict",
                    str(run),
                    "--data",
                    str(data),
                    "--out",
                    str(tmp_path / name),
                ]
            )
            == 0
        )
    a, b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["origin_utc", "step", "time_utc", "local_time", "temp",
                               "temp_actual", "imputed"]


def test_rmse_scaled_is_reported_only_when_the_loss_is_a_mean_square():
    from rnnlab.models.forecaster import Forecaster, ForecasterConfig, ForecastShape

    def metrics(**kw):
        model = Forecaster(ForecasterConfig(**kw), ForecastShape(2, 0, 1, 3))
        return ForecastTask(model, windows=None).eval_metrics(0.25)

    assert metrics() == {"rmse_scaled": 0.5}
    assert metrics(loss="l1") == {} and metrics(loss="huber") == {}
    assert metrics(output="gaussian") == {}
