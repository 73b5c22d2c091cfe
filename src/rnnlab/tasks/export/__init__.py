"""Deployment: ONNX export of trained runs and onnxruntime engines that run them.

    graphs.py   the exported modules (LM sequence and step, forecaster) and the exporter call
    run.py      ``export_run``: a run directory -> ONNX files + export.json
    engine.py   onnxruntime-backed LM streams and forecasters (``--engine onnxruntime``)
"""

from rnnlab.tasks.export.run import FORMATS, META_FILE, export_forecaster, export_lm, export_run

__all__ = ["FORMATS", "META_FILE", "export_forecaster", "export_lm", "export_run"]
