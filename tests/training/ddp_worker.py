"""Run by ``torchrun --nproc_per_node=2`` from test_ddp.py (gloo on CPU).

Each rank trains the toy stream task on its half of the batch columns
(``StreamTask.set_shard``); rank 0 writes the run directories:
``equal`` (no dropout: compared with one process on the whole batch), ``bypass``
(the same, with a task that never calls the DDP wrapper's forward), ``full``
(with dropout, uninterrupted) and ``cut`` (rank 1 alone gets SIGTERM after step 2,
both ranks stop after step 3; then resumed).
"""

import json
import os
import signal
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
    summary = Trainer(StreamTask(steps=32, batch=4, dropout=0.2), config, out / "cut",
                      callbacks=[TermRank1After(2)]).fit()
    if summary["steps"] and int(os.environ["RANK"]) == 0:
        (out / "cut_summary.json").write_text(json.dumps(summary))
    resumed = Trainer.resume(StreamTask(steps=32, batch=4, dropout=0.2, init_seed=7),
                             out / "cut")
    resumed.fit()


class TermRank1After:
    """SIGTERM to rank 1 only, after step n (after that step's all-reduce): both ranks must
    stop together at the next step, or the collectives would hang."""

    def __init__(self, n: int) -> None:
        self.n = n

    def on_step_end(self, trainer, step, result):
        if step == self.n and trainer.dist.rank == 1:
            os.kill(os.getpid(), signal.SIGTERM)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
