"""Evaluation: perplexity and bits per character, agreement probes, forecast
metrics (MAE, RMSE, MASE), the baselines every result is reported next to, and
rolling-origin backtests.
"""
