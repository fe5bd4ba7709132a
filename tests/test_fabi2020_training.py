"""The shared training loop: a stopped (or crashed) run resumed from its checkpoint ends with
bit-identical weights to an uninterrupted run; and type inference recovers a trained letter."""

import numpy as np
import pytest
import torch

from charchallenge.fabi2020.data import masked_mse, one_hot, pad
from charchallenge.fabi2020.model import Generator
from charchallenge.fabi2020.type_inference import infer_types
from charchallenge.training import train

torch.set_flush_denormal(True)


def _letters():
    """Three synthetic 'letters': straight strokes in different directions, pen down."""
    t = 20
    seqs = []
    for dx, dy in ((1.0, 0.0), (0.0, -1.0), (-0.7, 0.7)):
        s = np.zeros((t, 4), np.float32)
        s[1:, 0], s[1:, 1], s[1:, 2] = dx, dy, 1.0
        s[0, 3] = 1.0
        seqs.append(s)
    return seqs


def _run(n_steps, checkpoint_dir=None, stop_after=None, crash_at=None, hidden=16):
    torch.manual_seed(0)
    model = Generator(n_inputs=3, ff_units=hidden, lstm_units=hidden)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x, mask = pad(_letters())
    codes = one_hot([0, 1, 2], 3)

    def step_fn(step, generator):
        if crash_at is not None and step == crash_at:
            raise KeyboardInterrupt("simulated kill")
        idx = torch.randint(3, (4,), generator=generator)
        noise = 0.01 * torch.randn(4, 1, 4)  # global RNG: must be restored on resume too
        opt.zero_grad()
        loss = masked_mse(model(codes[idx], x.shape[1]), x[idx] + noise, mask[idx]).mean()
        loss.backward()
        opt.step()
        return loss.item()

    result = train(model, opt, step_fn, n_steps=n_steps, seed=7, checkpoint_dir=checkpoint_dir,
                   checkpoint_every=5, fingerprint="test", progress=False, stop_after=stop_after)
    return model, result


def _same(a, b):
    return all(torch.equal(a.state_dict()[k], b.state_dict()[k]) for k in a.state_dict())


def test_resume_after_stop_is_bit_identical(tmp_path):
    reference, ref_result = _run(23)
    _, partial = _run(23, tmp_path / "ckpt", stop_after=12)
    assert partial.steps == 12
    resumed, result = _run(23, tmp_path / "ckpt")
    assert result.resumed_from == 12 and result.steps == 23
    assert _same(reference, resumed)
    assert result.losses == ref_result.losses


def test_resume_after_crash_is_bit_identical(tmp_path):
    reference, _ = _run(23)
    with pytest.raises(KeyboardInterrupt):
        _run(23, tmp_path / "ckpt", crash_at=13)
    resumed, result = _run(23, tmp_path / "ckpt")
    assert result.resumed_from == 10  # last periodic checkpoint before the kill
    assert _same(reference, resumed)


def test_checkpoint_with_other_fingerprint_is_ignored(tmp_path):
    _run(10, tmp_path / "ckpt", stop_after=5)
    torch.manual_seed(0)
    model = Generator(n_inputs=3, ff_units=16, lstm_units=16)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    result = train(model, opt, lambda s, g: 0.0, n_steps=3, seed=7, checkpoint_dir=tmp_path / "ckpt",
                   fingerprint="other", progress=False)
    assert result.resumed_from == 0


def test_type_inference_recovers_a_trained_letter():
    torch.set_flush_denormal(True)
    model, result = _run(300, hidden=24)
    assert np.mean(result.losses[-20:]) < 0.1 * np.mean(result.losses[:5])
    targets = _letters()
    res = infer_types([model], [targets], iterations=150, lr=0.05)
    assert res["predicted"][0].tolist() == [0, 1, 2]
