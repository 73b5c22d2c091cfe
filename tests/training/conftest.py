"""Training tests: import the toy tasks (tests/training/toy.py); one torch thread.

The toy models are tiny; on a shared 2-core machine several intra-op threads
only fight each other (a 10-step LSTM went from 5 ms to 400 ms), so each test
runs with one thread and the previous setting is restored afterwards.
"""

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
