"""Fabi et al. (2020) generator: the stacked (batched) forward equals torch.nn.LSTM, and one-shot
inference changes only the novel letters' W_ff columns."""

import copy

import numpy as np
import pytest
import torch

from charchallenge.fabi2020.model import Generator, Stack
from charchallenge.fabi2020.one_shot import install_columns, one_shot_inference


def _models(n, seed=0, k=6, h=12):
    torch.manual_seed(seed)
    return [Generator(n_inputs=k, ff_units=h, lstm_units=h) for _ in range(n)]


def test_stack_matches_nn_lstm_with_and_without_lengths():
    models = _models(3)
    codes = torch.eye(6)[:4]
    lengths = [9, 4, 7, 9]
    stack = Stack.from_models(models)
    with torch.no_grad():
        reference = torch.stack([m(codes, 9) for m in models])
        full = stack.run(stack.ff_preactivation(codes.expand(3, -1, -1).contiguous()), 9)
        packed = stack.run(stack.ff_preactivation(codes.expand(3, -1, -1).contiguous()), 9, lengths=lengths)
    torch.testing.assert_close(full, reference, atol=1e-6, rtol=1e-5)
    for b, n in enumerate(lengths):
        torch.testing.assert_close(packed[:, b, :n], reference[:, b, :n], atol=1e-6, rtol=1e-5)


def test_one_hot_gradient_reaches_only_its_column():
    model = _models(1)[0]
    out = model(torch.eye(6)[[4]], 5)
    out.pow(2).sum().backward()
    grad = model.ff.weight.grad
    assert grad[:, 4].abs().sum() > 0
    assert torch.count_nonzero(grad[:, [0, 1, 2, 3, 5]]) == 0


def test_one_shot_changes_only_novel_columns_and_keeps_lstm_readout_bit_identical():
    trained, untrained = _models(2, seed=1), _models(2, seed=2)
    before = [copy.deepcopy(m.state_dict()) for m in trained]
    rng = np.random.default_rng(0)
    novel = [3, 5]
    targets = [rng.normal(size=(7, 4)).astype(np.float32), rng.normal(size=(5, 4)).astype(np.float32)]
    res = one_shot_inference(trained, untrained, targets, novel, iterations=5, lr=0.05, log_every=1)
    # inference must not touch the models it was given
    for m, b in zip(trained, before):
        for k, v in m.state_dict().items():
            assert torch.equal(v, b[k])
    for s, model in enumerate(trained):
        adapted = install_columns(model, novel, res.columns[s, 0])
        new, old = adapted.state_dict(), model.state_dict()
        for key in old:
            if key.startswith(("lstm.", "readout.")) or key == "ff.bias":
                assert torch.equal(new[key], old[key]), key
        w_new, w_old = new["ff.weight"], old["ff.weight"]
        others = [k for k in range(6) if k not in novel]
        assert torch.equal(w_new[:, others], w_old[:, others])
        assert not torch.equal(w_new[:, novel], w_old[:, novel])
        # the adapted model reproduces the optimised output
        with torch.no_grad():
            out = adapted(torch.eye(6)[novel], 7)
        for l, t in enumerate(targets):
            np.testing.assert_allclose(out[l, : len(t)].numpy(), res.outputs[s][0][l], atol=1e-5)
    # the loss went down for the one-shot condition
    assert (res.losses[-1, :, 0] < res.losses[0, :, 0]).all()


def test_batched_one_shot_equals_letter_by_letter_loop():
    trained, untrained = _models(1, seed=3), _models(1, seed=4)
    rng = np.random.default_rng(1)
    targets = [rng.normal(size=(n, 4)).astype(np.float32) for n in (6, 4, 8)]
    kwargs = dict(novel=[3, 4, 5], iterations=4, lr=0.05, log_every=1)
    batched = one_shot_inference(trained, untrained, targets, batched=True, **kwargs)
    loop = one_shot_inference(trained, untrained, targets, batched=False, **kwargs)
    torch.testing.assert_close(batched.columns, loop.columns, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(batched.inputs, loop.inputs, atol=1e-5, rtol=1e-4)


def test_network_without_ff_layer_feeds_the_code_into_the_lstm_and_stacks():
    from charchallenge.fabi2020.model import Generator, Stack

    torch.manual_seed(0)
    nets = [Generator(n_inputs=6, ff_units=None, lstm_units=5) for _ in range(2)]
    assert nets[0].ff is None and nets[0].lstm.input_size == 6 and nets[0].config()["ff_units"] is None
    codes = torch.randn(2, 3, 6)
    stack = Stack.from_models(nets)
    out = stack.run(stack.ff_preactivation(codes), 7)
    for m, net in enumerate(nets):
        torch.testing.assert_close(out[m], net(codes[m], 7), atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="feed-forward"):
        Stack.from_models([nets[0], Generator(n_inputs=6, ff_units=4, lstm_units=5)])
