"""Run by ``torchrun --nproc_per_node=2`` from test_ddp.py (gloo on CPU).

Each rank trains the toy stream task on its half of the batch columns
(``StreamTask.set_shard``); rank 0 writes the run directories:
``equal`` (no dropout: compared with one process on the whole batch), ``bypass``
(the same, with a task that never calls the DDP wrapper's forward), ``full``
(with dropout, uninterrupted) and ``cut`` (stopped after 2 steps, then resumed).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from toy import BypassStreamTask, StreamTask

from rnnlab.training import TrainConfig, Trainer


def main(out: Path) -> None:
    config = TrainConfig(epochs=1, optimizer="adam", lr=0.01, clip_norm=0.5, carry_state=True,
                         checkpoint_every=1, seed=1, progress=False)
    Trainer(StreamTask(steps=32, batch=4), config, out / "equal").fit()  # vs 1 process
    Trainer(BypassStreamTask(steps=32, batch=4), config, out / "bypass").fit()
    Trainer(StreamTask(steps=32, batch=4, dropout=0.2), config, out / "full").fit()
    short = TrainConfig(**{**config.__dict__, "max_steps": 2})
    Trainer(StreamTask(steps=32, batch=4, dropout=0.2), short, out / "cut").fit()
    resumed = Trainer.resume(StreamTask(steps=32, batch=4, dropout=0.2, init_seed=7),
                             out / "cut", overrides={"max_steps": None})
    resumed.fit()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
