"""Run by test_resume.py: trains the toy task and dies by SIGKILL (no handler, no cleanup).

``kill_worker.py RUN_DIR`` dies after step 10 (checkpoints at 4 and 8);
``kill_worker.py RUN_DIR after-checkpoint`` dies the instant checkpoint step 12 (mid-epoch,
no evaluation just before it) has been renamed into place, before anything else
runs: the worst moment for the log.
"""

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from toy import StreamTask

import rnnlab.training.run
from rnnlab.training import TrainConfig, Trainer


def die():
    os.kill(os.getpid(), signal.SIGKILL)


class Kill:
    def on_step_end(self, trainer, step, result):
        if step == 10:
            die()


def write_then_die(path, *args, **kwargs):
    written = write_checkpoint(path, *args, **kwargs)
    if path.name == "step-00000012":
        die()
    return written


config = TrainConfig(epochs=3, optimizer="adam", lr=0.01, clip_norm=0.5, carry_state=True,
                     checkpoint_every=4, keep_last=2, seed=3, progress=False)
callbacks = [Kill()]
if sys.argv[2:] == ["after-checkpoint"]:
    write_checkpoint = rnnlab.training.run.write_checkpoint
    rnnlab.training.run.write_checkpoint = write_then_die
    callbacks = []
Trainer(StreamTask(dropout=0.3), config, Path(sys.argv[1]), callbacks=callbacks).fit()
