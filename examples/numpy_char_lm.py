"""Train a character-level language model in pure NumPy, with hand-written BPTT, and sample from it.

No PyTorch anywhere: ``rnnlab.reference`` is the course's equations executed
literally (forward, BPTT, truncated BPTT, clipping, Adam). Read
``src/rnnlab/reference/lstm.py`` next to your BPTT slides while this runs.

    python examples/numpy_char_lm.py                       # a built-in paragraph, ~5 s
    python examples/numpy_char_lm.py --text FILE --epochs 5 --cell gru

With ``../shared/data/tinyshakespeare/input.txt`` and a few more epochs it
starts to write words; the built-in text is learned almost by heart.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np

import rnnlab.reference as R

TEXT = (
    "The gradient of the loss at the last step flows back through every earlier "
    "hidden state. In an Elman network it is multiplied at each step by the same "
    "recurrent matrix and the derivative of the nonlinearity, so it shrinks or grows "
    "geometrically. The LSTM adds its cell state with a forget gate, and the error "
    "can flow along it almost unchanged. "
) * 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, help="a UTF-8 text file (default: a built-in text)")
    parser.add_argument("--cell", default="lstm", choices=list(R.CELLS))
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--max-chars", type=int, default=200_000, help="use the first N chars")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    text = args.text.read_text(encoding="utf-8")[: args.max_chars] if args.text else TEXT
    chars = sorted(set(text))  # the vocabulary: one id per distinct character
    ids = np.array([chars.index(ch) for ch in text])
    V = len(chars)
    model = R.LanguageModel(V, 16, args.hidden, 1, args.cell, rng=np.random.default_rng(0))
    config = R.ReferenceTrainConfig(batch_size=8, bptt=25, epochs=args.epochs, lr=1e-2,
                                    clip_norm=5.0)
    print(f"{len(text)} characters, V = {V}; the loss should start near log V = {np.log(V):.2f}")
    history = R.train_language_model(model, ids, config)
    print(f"loss: first chunk {history[0]['loss']:.3f}, last chunk {history[-1]['loss']:.3f} "
          f"({len(history)} updates)")
    prefix = [chars.index(ch) for ch in "The "]
    out = R.sample(model, prefix, 200, temperature=0.6, rng=np.random.default_rng(1))
    print("sample:", "The " + "".join(chars[i] for i in out))


if __name__ == "__main__":
    main()
