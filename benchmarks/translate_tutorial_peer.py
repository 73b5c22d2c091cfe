"""The PyTorch tutorial's seq2seq recipe, re-implemented as the peer of the translation benchmarks.

"NLP From Scratch: Translation with a Sequence to Sequence Network and
Attention" (pytorch/tutorials, intermediate_source/seq2seq_translation_tutorial.py,
2023 version): French -> English on the "i am / he is …" pairs of < 10 words,
GRU encoder and decoder, hidden 128, embedding 128, dropout 0.1 on the
embeddings, Bahdanau attention (Wa, Ua, Va with biases), every sequence padded
with zeros (= SOS) to MAX_LENGTH = 10 (the encoder reads the padding, the
attention sees it, and NLLLoss counts the padded targets), full teacher
forcing, Adam lr 0.001 on both networks, batch 32 drawn by a RandomSampler,
80 epochs, greedy decoding of MAX_LENGTH steps cut at EOS.

Two changes, both needed to score it on held-out data: it trains on the
benchmark's train split (the tutorial trains on every pair and never tests),
and a word it never saw maps to an added UNK index (the tutorial would raise
KeyError). Training stops at the CPU budget if that comes before 80 epochs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SOS, EOS, UNK = 0, 1, 2
MAX_LENGTH = 10


class Lang:
    def __init__(self, sentences: Sequence[str]) -> None:
        self.index: dict[str, int] = {}
        self.words = ["SOS", "EOS", "UNK"]
        for sentence in sentences:
            for word in sentence.split(" "):
                if word not in self.index:
                    self.index[word] = len(self.words)
                    self.words.append(word)

    def ids(self, sentence: str) -> list[int]:
        return [self.index.get(w, UNK) for w in sentence.split(" ")]


class EncoderRNN(nn.Module):
    def __init__(self, input_size: int, hidden_size: int, dropout_p: float = 0.1) -> None:
        super().__init__()
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, x):
        return self.gru(self.dropout(self.embedding(x)))


class BahdanauAttention(nn.Module):
    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size)
        self.Ua = nn.Linear(hidden_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def forward(self, query, keys):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys))).squeeze(2).unsqueeze(1)
        weights = F.softmax(scores, dim=-1)
        return torch.bmm(weights, keys), weights


class AttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size: int, output_size: int, dropout_p: float = 0.1) -> None:
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.attention = BahdanauAttention(hidden_size)
        self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, encoder_outputs, encoder_hidden, target_tensor=None):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.full((batch_size, 1), SOS, dtype=torch.long)
        decoder_hidden = encoder_hidden
        outputs = []
        for i in range(MAX_LENGTH):
            output, decoder_hidden = self.forward_step(decoder_input, decoder_hidden,
                                                       encoder_outputs)
            outputs.append(output)
            if target_tensor is not None:
                decoder_input = target_tensor[:, i].unsqueeze(1)  # teacher forcing
            else:
                decoder_input = output.topk(1)[1].squeeze(-1).detach()
        return F.log_softmax(torch.cat(outputs, dim=1), dim=-1)

    def forward_step(self, x, hidden, encoder_outputs):
        embedded = self.dropout(self.embedding(x))
        context, _ = self.attention(hidden.permute(1, 0, 2), encoder_outputs)
        output, hidden = self.gru(torch.cat((embedded, context), dim=2), hidden)
        return self.out(output), hidden


def padded(lang: Lang, sentences: Sequence[str]) -> torch.Tensor:
    out = np.zeros((len(sentences), MAX_LENGTH), dtype=np.int64)  # zeros = SOS, as the tutorial
    for i, sentence in enumerate(sentences):
        ids = [*lang.ids(sentence), EOS][:MAX_LENGTH]
        out[i, : len(ids)] = ids
    return torch.from_numpy(out)


def train_and_translate(train_pairs: Sequence[tuple[str, str]], test_sources: Sequence[str],
                        *, budget_s: float, epochs: int = 80, hidden_size: int = 128,
                        seed: int = 0) -> dict:
    """Train the recipe within ``budget_s`` CPU seconds; greedy outputs for ``test_sources``."""
    torch.manual_seed(seed)
    source_lang = Lang([s for s, _ in train_pairs])
    target_lang = Lang([t for _, t in train_pairs])
    x = padded(source_lang, [s for s, _ in train_pairs])
    y = padded(target_lang, [t for _, t in train_pairs])
    encoder = EncoderRNN(len(source_lang.words), hidden_size)
    decoder = AttnDecoderRNN(hidden_size, len(target_lang.words))
    enc_opt = torch.optim.Adam(encoder.parameters(), lr=0.001)
    dec_opt = torch.optim.Adam(decoder.parameters(), lr=0.001)
    criterion = nn.NLLLoss()
    generator = torch.Generator().manual_seed(seed)
    start, done_epochs, steps = time.process_time(), 0, 0
    out_of_time = False
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)  # RandomSampler
        for i in range(0, len(order), 32):
            batch = order[i:i + 32]
            enc_opt.zero_grad()
            dec_opt.zero_grad()
            encoder_outputs, encoder_hidden = encoder(x[batch])
            log_probs = decoder(encoder_outputs, encoder_hidden, y[batch])
            loss = criterion(log_probs.view(-1, log_probs.size(-1)), y[batch].view(-1))
            loss.backward()
            enc_opt.step()
            dec_opt.step()
            steps += 1
            if time.process_time() - start > budget_s:
                out_of_time = True
                break
        if out_of_time:
            break
        done_epochs += 1
    train_s = time.process_time() - start
    encoder.eval()
    decoder.eval()
    outputs = []
    with torch.no_grad():
        xs = padded(source_lang, test_sources)
        for i in range(0, len(xs), 256):
            encoder_outputs, encoder_hidden = encoder(xs[i:i + 256])
            ids = decoder(encoder_outputs, encoder_hidden).argmax(-1).tolist()
            for row in ids:
                words = []
                for token in row:
                    if token == EOS:
                        break
                    words.append(target_lang.words[token])
                outputs.append(" ".join(words))
    return {"outputs": outputs, "train_cpu_s": train_s, "epochs": done_epochs, "steps": steps,
            "parameters": sum(p.numel() for m in (encoder, decoder) for p in m.parameters())}
