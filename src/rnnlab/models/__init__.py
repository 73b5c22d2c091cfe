"""Models: small modules over embeddings, recurrent layers and a head.

``rnnlab.models.language_model`` (next-token softmax), ``rnnlab.models.forecaster``
(multi-horizon forecasting). Each takes a typed config, so a run directory's
``config.toml`` rebuilds it.
"""
