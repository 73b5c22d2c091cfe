"""Shared fixtures. Tests need no GPU and no network.

Real data sets live in ``../shared/data`` beside the project root; tests that
read them use the ``shared_data`` fixture, which skips with a reason where that
folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The shared data folder, or a clean skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _seed_and_one_thread():
    """Every test starts from the same random state, on one torch thread.

    The test models are tiny: on a 2-core machine several intra-op threads only
    contend (a 10-step LSTM measured 5 ms on one thread, 400 ms on two while
    other work ran), so each test runs on one thread and the setting is restored.
    """
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


NOUNS = [("carro", "carros"), ("caminhão", "caminhões"), ("avião", "aviões"), ("gato", "gatos")]
VERBS = [("anda", "andam"), ("pára", "param"), ("é", "são")]


def _agreement_sentence(rng) -> str:
    noun, verb = rng.choice(NOUNS), rng.choice(VERBS)
    n = rng.randrange(2)
    return f"{['o', 'os'][n]} {noun[n]} {verb[n]} ."


@pytest.fixture(scope="session")
def pt_sentence():
    """``pt_sentence(rng)``: a tiny Portuguese sentence whose verb agrees with its subject
    ("os carros andam ."), the toy corpus of the language-model tests."""
    return _agreement_sentence
