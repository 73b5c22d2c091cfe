"""Streaming predictors and the single-step path: one step or a chunk at a time, the state kept,
reset per stream, B independent streams; T = 1 on PyTorch's cell kernels equals the loop."""

from __future__ import annotations

import pytest
import torch

from rnnlab.layers import Recurrent
from rnnlab.models.language_model import LanguageModel, LMConfig
from rnnlab.models.streaming import WindowStream


@pytest.mark.parametrize("cell", ["lstm", "gru", "elman-sigmoid", "ln-lstm", "zoneout-gru",
                                  "transformer", "cnn", "mlp"])
def test_lm_stream_steps_and_chunks_continue_the_whole_sequence(cell):
    torch.manual_seed(0)
    encoder = {"encoder": cell, "num_heads": 2} if cell in ("transformer", "cnn", "mlp") else {
        "cell": cell}
    model = LanguageModel(LMConfig(**encoder, embedding_size=8, hidden_size=8), 20).eval()
    tokens = torch.randint(0, 20, (6, 3))  # (T, B): three independent streams
    whole = model(tokens)[0].softmax(-1)  # (T, B, V)
    stream = model.stream(3)
    torch.testing.assert_close(stream(tokens[:2]), whole[1], rtol=0, atol=1e-6)  # a chunk
    for t in range(2, 6):  # then single steps, on the same state
        torch.testing.assert_close(stream(tokens[t]), whole[t], rtol=0, atol=1e-6)
    if cell == "transformer":  # its memory is shared positions: no stream restarts alone
        with pytest.raises(ValueError, match="reset\\(\\) all streams"):
            stream.reset([1])
    else:
        stream.reset([1])  # stream 1 starts over, the others go on
        got = stream(tokens[0])
        torch.testing.assert_close(got[1], whole[0, 1], rtol=0, atol=1e-6)
        full = model(torch.cat([tokens, tokens[:1]]))[0].softmax(-1)[-1]
        torch.testing.assert_close(got[[0, 2]], full[[0, 2]], rtol=0, atol=1e-6)
    stream.reset()
    torch.testing.assert_close(stream(tokens[0]), whole[0], rtol=0, atol=1e-6)
    assert stream(tokens[0], logits=True).shape == (3, 20)


def test_lm_stream_errors():
    stream = LanguageModel(LMConfig(embedding_size=4, hidden_size=4), 10).stream(2)
    with pytest.raises(ValueError, match=r"tokens of shape \(2,\) or \(T, 2\), got \(3,\)"):
        stream([1, 2, 3])
    with pytest.raises(ValueError, match=r"expected stream indices in \[0, 2\), got \[2\]"):
        stream([1, 2])
        stream.reset([2])
    with pytest.raises(ValueError, match="expected batch_size >= 1, got 0"):
        LanguageModel(LMConfig(embedding_size=4, hidden_size=4), 10).stream(0)


@pytest.mark.parametrize("cell", ["lstm", "gru", "elman-tanh", "elman-relu", "elman-sigmoid"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_one_step_on_the_cell_kernels_equals_the_loop_with_gradients(cell, batch_first):
    torch.manual_seed(0)
    explicit = Recurrent(cell, 3, 4, 2, bidirectional=True, backend="explicit",
                         batch_first=batch_first)
    fused = Recurrent(cell, 3, 4, 2, bidirectional=True, batch_first=batch_first)
    fused.load_state_dict(explicit.state_dict())
    x = torch.randn(5, 1, 3) if batch_first else torch.randn(1, 5, 3)  # T = 1, B = 5
    results = []
    for layer in (explicit, fused):
        xg = x.clone().requires_grad_()
        out, state = layer(xg)
        h = state[0] if isinstance(state, tuple) else state
        (out.square().sum() + h.sum()).backward()
        results.append((out, h, xg.grad, layer.weight_hh_l1_reverse.grad))
    for a, b in zip(*results, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-6)
    out, _ = fused(x[0] if batch_first else x[:, 0])  # unbatched (T = 1, I)
    torch.testing.assert_close(out, results[0][0][0] if batch_first else results[0][0][:, 0],
                               rtol=0, atol=1e-6)


def test_window_stream_keeps_the_last_rows_per_stream():
    stream = WindowStream(torch.nn.Identity(), lookback=3, num_features=2, batch_size=2)
    for t in range(4):
        window, complete = stream.push(torch.full((2, 2), float(t)))
    assert window[:, :, 0].tolist() == [[1, 2, 3], [1, 2, 3]] and complete.all()
    stream.reset(0)
    window, complete = stream.push(torch.full((2, 2), 4.0))
    assert complete.tolist() == [False, True] and window[0, :, 0].tolist() == [0, 0, 4]
    with pytest.raises(ValueError, match=r"expected rows of shape \(2, 2\), got \(2, 3\)"):
        stream.push(torch.zeros(2, 3))


@pytest.mark.parametrize(("pooling", "cell"), [("last", "lstm"), ("mean", "gru"),
                                               ("max", "elman-tanh"), ("attention", "lstm")])
def test_classifier_stream_gives_the_label_of_the_text_so_far(pooling, cell):
    from rnnlab.models.classifier import ClassifierConfig, SequenceClassifier

    torch.manual_seed(0)
    model = SequenceClassifier(ClassifierConfig(cell=cell, pooling=pooling, hidden_size=8,
                                                embedding_size=6, num_layers=2,
                                                attention_size=5), 15, 4).eval()
    tokens = torch.randint(0, 15, (7, 3))  # (T, B): three streams

    def prefix(t):  # the model on the first t tokens of every text
        return model(tokens[:t], torch.full((3,), t)).softmax(-1)

    stream = model.stream(3)
    torch.testing.assert_close(stream(tokens[:3]), prefix(3), rtol=0, atol=1e-6)  # a chunk
    for t in range(3, 7):  # then single steps
        torch.testing.assert_close(stream(tokens[t]), prefix(t + 1), rtol=0, atol=1e-6)
    stream.reset([2])  # stream 2 starts a new text, the others go on
    got = stream(tokens[0])
    torch.testing.assert_close(got[2], prefix(1)[2], rtol=0, atol=1e-6)
    longer = torch.cat([tokens, tokens[:1]])
    full = model(longer, torch.full((3,), 8)).softmax(-1)
    torch.testing.assert_close(got[:2], full[:2], rtol=0, atol=1e-6)


def test_a_classifier_that_reads_both_ways_cannot_stream():
    from rnnlab.models.classifier import ClassifierConfig, SequenceClassifier

    for extra in ({"bidirectional": True}, {"encoder": "transformer", "num_heads": 2}):
        model = SequenceClassifier(ClassifierConfig(hidden_size=8, embedding_size=6, **extra),
                                   15, 3)
        with pytest.raises(ValueError, match="unidirectional rnn encoder"):
            model.stream()
