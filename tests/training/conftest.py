"""Training tests: import the toy tasks (tests/training/toy.py).

One torch thread per test comes from the autouse fixture in tests/conftest.py.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

