"""A read-only run directory: what only reads a run works on it, what must write says so
and names the path (issue 16); nothing in it changes either way."""

from __future__ import annotations

import pytest

from rnnlab.cli.main import main


@pytest.mark.parametrize(
    "argv",
    [
        ["lm", "evaluate", "{run}", "--split", "valid"],
        ["lm", "next", "{run}", "os gatos ___", "-k", "2"],
        ["lm", "next", "{run}", "--sentence", "o gato anda ."],
        ["lm", "generate", "{run}", "o", "--seed", "1", "--max-tokens", "4"],
        ["lm", "generate", "{run}", "o", "--beam", "2", "--max-tokens", "3"],
        ["lm", "agreement", "{run}", "--data", "{root}/agr"],
    ],
)
def test_commands_that_only_read_a_run_work_on_a_read_only_one(lm_run, read_only, capsys,
                                                              argv):
    root, run = lm_run
    with read_only(run):
        assert main([a.format(run=run, root=root) for a in argv]) == 0
    assert capsys.readouterr().out.strip()


def test_training_into_a_read_only_run_names_the_path(lm_run, read_only, capsys):
    root, run = lm_run
    with read_only(run):
        assert main(["lm", "train", "--resume", str(run), "--quiet", "--epochs", "2"]) == 2
        assert f"cannot write the run directory {run}: {run} is not writable" in (
            capsys.readouterr().err)
        assert main(["lm", "train", "--run-dir", str(run / "again"), "--corpus",
                     str(root / "corpus"), "--quiet"]) == 2
        assert f"cannot write the run directory {run / 'again'}: {run} is not" in (
            capsys.readouterr().err)


def test_forecast_commands_on_a_read_only_run(series_csv, tmp_path, read_only, capsys):
    from rnnlab.tasks import resolve_config
    from rnnlab.tasks.forecast import build
    from rnnlab.training import Trainer

    runs = []
    for seed in (0, 1):
        run = tmp_path / f"run{seed}"
        cfg = resolve_config({
            "data": {"path": [str(series_csv)]},
            "window": {"lookback": 24, "horizon": 6, "targets": ["temp"], "inputs": ["hum"]},
            "model": {"hidden_size": 4}, "forecast": {"train_stride": 8},
            "train": {"epochs": 1, "progress": False, "seed": seed}}, kind="forecast")
        Trainer(build(cfg, run), cfg.train, run, extra_config=cfg.task_dict()).fit()
        runs.append(run)
    out = tmp_path / "out" / "next.csv"
    with read_only(runs[0]):
        assert main(["forecast", "predict", str(runs[0]), "--data", str(series_csv),
                     "--out", str(out)]) == 0
        assert out.is_file()
        assert main(["forecast", "predict", str(runs[0]), "--data", str(series_csv)]) == 2
        assert (f"cannot write the folder of {runs[0] / 'predict.csv'} (--out) {runs[0]}: "
                f"{runs[0]} is not writable") in capsys.readouterr().err
        assert main(["forecast", "evaluate", str(runs[0])]) == 2
        assert (f"cannot write the report folder (or give --out) {runs[0] / 'evaluations'}: "
                f"{runs[0]} is not writable" in capsys.readouterr().err)
        assert main(["forecast", "evaluate", str(runs[0]), "--out", str(tmp_path / "ev")]) == 0
        assert (tmp_path / "ev" / "report.md").is_file()
        assert main(["forecast", "ensemble", *map(str, runs), "--run-dir",
                     str(runs[0] / "mean")]) == 2
        assert str(runs[0] / "mean") in capsys.readouterr().err
