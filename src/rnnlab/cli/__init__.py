"""The ``rnnlab`` command line (see :mod:`rnnlab.cli.main`), and the task glue
(``*_task.py``) that joins data, a model and its loss for the trainer."""
