"""TBPTT(k1, k2) by hand with ``rnnlab.training.tbptt``, on one long sequence.

Shows what the trainer does inside, with the knobs in plain sight:

1. with k1 = k2 = T, TBPTT is full BPTT: the gradient equals that of one
   backward pass over the whole sequence;
2. training a tiny Elman network on a delayed-echo task (output the input of
   D = 8 steps ago) with k1 = 4: k2 = 4 cannot see 8 steps back, k2 = 12 can.

    python examples/tbptt_k1_k2.py        # a few seconds on a CPU
"""

from __future__ import annotations

import torch
from torch import nn

import rnnlab
from rnnlab.training.tbptt import tbptt, tbptt_windows

T, B, D = 400, 16, 8  # sequence length, batch, echo delay


def echo_data(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, 2, (T, B, 1), generator=g).float() * 2 - 1  # ±1 bits
    y = torch.zeros_like(x)
    y[D:] = x[:-D]  # y_t = x_{t−D}
    return x, y


class Echo(nn.Module):
    def __init__(self, hidden: int = 24) -> None:
        super().__init__()
        self.rnn = rnnlab.RNN(1, hidden)  # Elman, tanh
        self.head = nn.Linear(hidden, 1)

    def forward(self, x, state=None):
        h, state = self.rnn(x, state)  # (T, B, H)
        return self.head(h), state


def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x, y = echo_data(0)
    model = Echo()
    loss_fn = nn.functional.mse_loss

    # 1. k1 = k2 = T is full BPTT
    tbptt(model, x[:50], y[:50], loss_fn, k1=50, k2=50)
    g_tbptt = model.rnn.weight_hh_l0.grad.clone()
    model.zero_grad()
    loss_fn(model(x[:50])[0], y[:50]).backward()
    same = torch.allclose(g_tbptt, model.rnn.weight_hh_l0.grad, atol=1e-7)
    print(f"k1 = k2 = T equals full BPTT: {same}")
    print("windows of TBPTT(4, 12) over 20 steps:",
          [(w.start, w.loss_from, w.end) for w in tbptt_windows(20, 4, 12)])

    # 2. the delayed echo: the loss at time t needs x_{t−8}
    for k2 in (4, 12):
        torch.manual_seed(0)
        model = Echo()
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)

        def update(model: nn.Module = model, opt: torch.optim.Optimizer = opt) -> None:
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # clip, step, clear
            opt.step()
            opt.zero_grad()

        for epoch in range(6):
            x, y = echo_data(epoch + 1)
            losses, _ = tbptt(model, x, y, loss_fn, k1=4, k2=k2, update=update)
        with torch.no_grad():
            x, y = echo_data(99)
            out, _ = model(x)
            acc = ((out[D:].sign() == y[D:]).float().mean()).item()
        print(f"TBPTT(k1=4, k2={k2:2d}): last train loss {sum(losses[-20:]) / 20:.3f}, "
              f"echo accuracy on new bits {acc:.1%}")


if __name__ == "__main__":
    main()
