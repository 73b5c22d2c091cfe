"""Run by test_resume.py: trains the toy task and SIGKILLs itself after step 10."""

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from toy import StreamTask

from rnnlab.training import TrainConfig, Trainer


class Kill:
    def on_step_end(self, trainer, step, result):
        if step == 10:
            os.kill(os.getpid(), signal.SIGKILL)  # no handler, no cleanup: a hard crash


config = TrainConfig(epochs=3, optimizer="adam", lr=0.01, clip_norm=0.5, carry_state=True,
                     checkpoint_every=4, keep_last=2, seed=3, progress=False)
Trainer(StreamTask(dropout=0.3), config, Path(sys.argv[1]), callbacks=[Kill()]).fit()
