"""No stale checkpoint: a run resumes only if params, code, data and libraries are unchanged.

Each way a finished or interrupted run can go stale - its loss code edited, its input data
changed, a param changed - must restart training from step 0 and say why; an unchanged rerun
still resumes (bit-identically, as tests/test_fabi2020_training.py checks for the loop).
"""

import importlib
import sys

import numpy as np
import torch

from charchallenge import fingerprint as fp
from charchallenge.feinman2020.encoding import encode
from charchallenge.feinman2020.train import train_model
from charchallenge.training import train

from test_feinman2020_models import toy_drawings

LOSS_V1 = "def loss(pred, target):\n    return ((pred - target) ** 2).mean()\n"
LOSS_V2 = "def loss(pred, target):\n    return (pred - target).abs().mean()\n"


def _train_with_loss_module(code_root, checkpoint_dir, stop_after=None):
    """A tiny regression trained with the loss defined in ``code_root/toyloss.py``."""
    sys.modules.pop("toyloss", None)
    importlib.invalidate_caches()
    toyloss = importlib.import_module("toyloss")
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(16, 3, generator=torch.Generator().manual_seed(1)), torch.ones(16, 1)

    def step_fn(step, generator):
        opt.zero_grad()
        value = toyloss.loss(model(x), y)
        value.backward()
        opt.step()
        return value.item()

    key = fp.job_fingerprint({"lr": 0.1}, data={"x": fp.digest_arrays(x, y)}, code_root=code_root)
    return train(model, opt, step_fn, n_steps=6, seed=0, checkpoint_dir=checkpoint_dir, checkpoint_every=2,
                 fingerprint=key, progress=False, stop_after=stop_after)


def test_editing_the_loss_code_restarts_training(tmp_path, monkeypatch, capsys):
    code = tmp_path / "code"
    code.mkdir()
    (code / "toyloss.py").write_text(LOSS_V1)
    monkeypatch.syspath_prepend(str(code))
    ckpt = tmp_path / "ckpt"
    first = _train_with_loss_module(code, ckpt)
    assert first.steps == 6
    again = _train_with_loss_module(code, ckpt)  # unchanged: the finished run is reused
    assert again.resumed_from == 6 and again.losses == first.losses

    (code / "toyloss.py").write_text(LOSS_V2)
    changed = _train_with_loss_module(code, ckpt)
    assert changed.resumed_from == 0 and changed.steps == 6
    assert changed.losses != first.losses
    err = capsys.readouterr().err
    assert "not resuming" in err and "code changed (toyloss.py)" in err
    sys.modules.pop("toyloss", None)


def _feinman_run(tmp_path, enc, tp, stop_after=None, idx=np.arange(30)):
    hp = dict(hidden=8)
    return train_model("baseline_lstm", hp, tp, enc, None, idx, seed=0, checkpoint_dir=tmp_path / "ckpt",
                       stop_after=stop_after)


TP = dict(lr=1e-2, batch_size=10, max_epochs=2, grad_clip=1.0, checkpoint_every=2)


def test_changed_input_data_restarts_training(tmp_path, capsys):
    drawings = toy_drawings(30, seed=5)
    _feinman_run(tmp_path, encode(drawings), TP, stop_after=3)
    moved = [[cp + 0.5 for cp in d] if i == 7 else d for i, d in enumerate(drawings)]  # one drawing edited
    _, result = _feinman_run(tmp_path, encode(moved), TP)
    assert result.resumed_from == 0
    assert "data changed (drawings)" in capsys.readouterr().err


def test_changed_training_indices_restart_training(tmp_path, capsys):
    enc = encode(toy_drawings(30, seed=5))
    _feinman_run(tmp_path, enc, TP, stop_after=3)
    _, result = _feinman_run(tmp_path, enc, TP, idx=np.arange(1, 30))
    assert result.resumed_from == 0
    assert "train_idx" in capsys.readouterr().err


def test_changed_param_restarts_and_unchanged_resumes(tmp_path, capsys):
    enc = encode(toy_drawings(30, seed=5))
    _feinman_run(tmp_path, enc, TP, stop_after=3)
    _, result = _feinman_run(tmp_path, enc, {**TP, "lr": 2e-2})
    assert result.resumed_from == 0
    assert "params changed" in capsys.readouterr().err
    _feinman_run(tmp_path, enc, TP, stop_after=3)  # a fresh partial run with the original params ...
    _, resumed = _feinman_run(tmp_path, enc, TP)  # ... is resumed
    assert resumed.resumed_from == 3


def test_fingerprint_covers_the_model_and_the_training_loop():
    import charchallenge.feinman2020.full_ns  # noqa: F401  (the job has imported its model)

    key = fp.job_fingerprint({"a": 1})
    for module in ("training.py", "feinman2020/full_ns.py", "feinman2020/train.py", "mixtures.py"):
        assert module in key["code"], module
    assert set(key["libraries"]) == {"torch", "numpy"} and key["torch_threads"] == torch.get_num_threads()


def test_differences_name_each_changed_component():
    a = {"params": "1", "code": {"x.py": "1", "y.py": "2"}, "data": {"d": "1"}, "libraries": {"torch": "2"}}
    b = {**a, "code": {"x.py": "1", "y.py": "3"}, "libraries": {"torch": "3"}}
    assert fp.differences(a, a) == []
    assert fp.differences(a, b) == ["code changed (y.py)", "libraries changed (torch)"]
    assert fp.differences("old-style-key", a) == ["fingerprint changed"]


def test_digest_arrays_sees_dtype_shape_and_values():
    x = np.arange(6, dtype=np.float32)
    assert fp.digest_arrays(x) == fp.digest_arrays(torch.arange(6, dtype=torch.float32))
    assert fp.digest_arrays(x) != fp.digest_arrays(x.reshape(2, 3))
    assert fp.digest_arrays(x) != fp.digest_arrays(x.astype(np.float64))
    y = x.copy()
    y[3] += 1e-6
    assert fp.digest_arrays(x) != fp.digest_arrays(y)
