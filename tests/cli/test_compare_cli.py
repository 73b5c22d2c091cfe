"""``rnnlab compare forecast``: the recurrent and the comparison forecasters, one report."""

from __future__ import annotations

import json

from rnnlab.cli.main import main


def test_compare_forecast_adds_the_baselines(series_csv, tmp_path):
    config = tmp_path / "f.toml"
    config.write_text(
        f'[data]\npath = ["{series_csv}"]\n[window]\nlookback = 12\nhorizon = 3\n'
        'targets = ["temp"]\n[model]\nhidden_size = 4\n[forecast]\ntrain_stride = 8\n'
        "folds = 1\n", encoding="utf-8")
    out = tmp_path / "cmp"
    assert main(["compare", "forecast", str(config), "--models", "gru,mlp", "--budget",
                 "2steps", "--run-dir", str(out), "--quiet"]) == 0
    data = json.loads((out / "compare.json").read_text())
    assert {"persistence", "linear_ar"} <= set(data["baselines"])
    assert all("test mae" in m["scores"] for m in data["models"])


def test_encoder_flag_maps_onto_model_encoder_in_every_training_command():
    from rnnlab.cli.arguments import MODEL_FLAGS, flag_values
    from rnnlab.cli.lm import LM_FLAGS
    from rnnlab.cli.main import build_parser

    parser = build_parser()
    for argv, table in ((["lm", "train", "--encoder", "cnn"], LM_FLAGS),
                        (["train", "x.toml", "--encoder", "cnn"], MODEL_FLAGS)):
        assert flag_values(parser.parse_args(argv), table)[("model", "encoder")] == "cnn"
