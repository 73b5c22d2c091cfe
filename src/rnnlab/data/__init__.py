"""Data: readers, tokenizers, corpora, stream batching and time-series windows.

``rnnlab.data.text`` (UTF-8 text, CoNLL-U, tokenizers, streams for truncated BPTT),
``rnnlab.data.inmet`` and ``rnnlab.data.csv_series`` (time series), ``windows``,
``scalers``, ``calendar``. Small data sets for the demo ship in ``data/shipped``.
"""
