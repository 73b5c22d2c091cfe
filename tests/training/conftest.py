"""Lets the training tests import their toy tasks (tests/training/toy.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
