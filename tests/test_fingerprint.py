"""No stale checkpoint: a run resumes only if params, code, data and libraries are unchanged.

Each way a finished or interrupted run can go stale - its loss code edited, its workflow script
edited, its input data changed, a param changed - must restart training from step 0 and say why;
an unchanged rerun still resumes (bit-identically, as tests/test_fabi2020_training.py checks for
the loop).
"""

import importlib
import re
import sys
import types

import numpy as np
import pytest
import torch

from charchallenge import fingerprint as fp
from charchallenge.config import REPO_ROOT
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


SCRIPT_V1 = "smk = snakemake  # noqa: F821\nprint('training')\n"
SCRIPT_V2 = "smk = snakemake  # noqa: F821\nprint('training, edited')\n"
SCRIPT_KEY = "workflow/scripts/toy/train.py"


def _workflow_checkout(tmp_path, monkeypatch):
    """A repository with a workflow script and, as Snakemake leaves it while the job runs, the
    temporary copy it executes (preamble + source); the working directory is the repository root."""
    repo = tmp_path / "repo"
    script = repo / SCRIPT_KEY
    script.parent.mkdir(parents=True)
    script.write_text(SCRIPT_V1)
    copy = repo / ".snakemake" / "scripts" / "tmpk2x_9q1a.train.py"
    copy.parent.mkdir(parents=True)
    copy.write_text("######## snakemake preamble start (automatically inserted, do not edit) ########\n"
                    f"__real_file__ = __file__; __file__ = {str(script)!r};\n"
                    "######## snakemake preamble end #########\n" + SCRIPT_V1)
    monkeypatch.chdir(repo)
    return script, copy, types.SimpleNamespace(scriptdir=str(script.parent))


def test_workflow_script_is_the_original_not_snakemakes_temporary_copy(tmp_path, monkeypatch):
    script, copy, smk = _workflow_checkout(tmp_path, monkeypatch)
    assert fp.workflow_script(smk, script) == script.resolve()  # __file__ as Snakemake's preamble sets it
    assert fp.workflow_script(smk, copy) == script.resolve()  # __file__ left at the copy: found by name
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    assert fp.workflow_script(smk) == script.resolve()  # default: the running script's __file__
    with pytest.raises(RuntimeError, match="cannot find the original"):
        fp.workflow_script(types.SimpleNamespace(scriptdir=str(tmp_path)), copy)
    key = fp.job_fingerprint({"a": 1}, extra_code=[fp.workflow_script(smk, copy)])
    assert key["code"][SCRIPT_KEY] == fp.file_digest(script)  # keyed relative to the repository root
    assert "training.py" in key["code"]  # beside the package modules


def test_editing_the_workflow_script_restarts_training(tmp_path, monkeypatch, capsys):
    script, copy, smk = _workflow_checkout(tmp_path, monkeypatch)
    enc = encode(toy_drawings(30, seed=5))

    def run(**kw):
        return train_model("baseline_lstm", dict(hidden=8), TP, enc, None, np.arange(30), seed=0,
                           checkpoint_dir=tmp_path / "ckpt", extra_code=[fp.workflow_script(smk, copy)], **kw)

    before = fp.job_fingerprint({"a": 1}, extra_code=[fp.workflow_script(smk, copy)])
    _, first = run(stop_after=3)
    _, resumed = run(stop_after=1)  # unchanged script: the checkpoint is resumed
    assert first.steps == 3 and resumed.resumed_from == 3
    capsys.readouterr()

    script.write_text(SCRIPT_V2)  # the job's script edited (Snakemake's copy holds the same edit)
    copy.write_text(copy.read_text().replace(SCRIPT_V1, SCRIPT_V2))
    after = fp.job_fingerprint({"a": 1}, extra_code=[fp.workflow_script(smk, copy)])
    assert after != before
    assert fp.differences(before, after) == [f"code changed ({SCRIPT_KEY})"]
    _, changed = run()
    assert changed.resumed_from == 0 and changed.steps == 6
    err = capsys.readouterr().err
    assert re.search(rf"not resuming .*code changed \({re.escape(SCRIPT_KEY)}\); training from step 0", err), err


TRAIN_CALLS = re.compile(r"\b(train_generator|train_model|train_dood|train_protonet|train_and_score|train)\(")


def test_every_training_script_fingerprints_itself():
    """Each workflow script that calls a checkpointing training function passes its own file."""
    scripts = [p for p in sorted((REPO_ROOT / "workflow" / "scripts").rglob("*.py"))
               if TRAIN_CALLS.search(p.read_text())]
    names = {str(p.relative_to(REPO_ROOT)) for p in scripts}
    assert {"workflow/scripts/fabi2020/train.py", "workflow/scripts/feinman2020/train.py",
            "workflow/scripts/dood2022/train.py", "workflow/scripts/oneshot/protonet_train.py"} <= names
    for path in scripts:
        source = path.read_text()
        assert len(TRAIN_CALLS.findall(source)) == source.count("extra_code=[workflow_script(smk)]"), path


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
