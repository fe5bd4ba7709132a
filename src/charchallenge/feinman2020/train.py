"""Maximum-likelihood training and evaluation of the three models (Feinman & Lake 2020,
"Training": "mini-batch gradient descent with a batch size of 200 and the Adam update rule").

One step = one Adam step on the mean NLL of ``batch_size`` drawings drawn uniformly with
replacement from the training drawings (teacher forcing on the cached canvases); the gradient
norm is clipped (``grad_clip``, as in Sketch-RNN). An epoch is ``ceil(n_train / batch_size)``
steps. After every epoch the mean NLL of the validation drawings (training characters set
aside, :func:`.splits.validation_split`) is measured; training stops when it has not improved
by more than ``min_delta`` (relative) for ``patience`` epochs, or after ``max_epochs``, and the
best epoch's weights are kept. The loop - checkpoints, resume after a kill, determinism, early
stopping - is the shared :func:`charchallenge.training.train`; this module only builds the
``step_fn`` and the validation around it.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch

from charchallenge.fingerprint import digest_arrays, job_fingerprint
from charchallenge.training import Validation, train

from .baseline_lstm import BaselineLSTM
from .encoding import EncodedDrawings, make_batch
from .full_ns import FullNS
from .hierarchical_lstm import HierarchicalLSTM

MODELS = {"full_ns": FullNS, "hierarchical_lstm": HierarchicalLSTM, "baseline_lstm": BaselineLSTM}
LABELS = {"full_ns": "Full NS", "hierarchical_lstm": "H-LSTM", "baseline_lstm": "Baseline"}


def build_model(name: str, hp: dict, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return MODELS[name](**hp)


def data_digest(enc: EncodedDrawings, canvases, train_idx) -> dict[str, str]:
    """Digests of the data a run trains on: every encoded drawing tensor, the canvases (if the
    model reads them) and the training indices (for :func:`charchallenge.fingerprint.job_fingerprint`)."""
    fields = [getattr(enc, f.name) for f in dataclasses.fields(enc)]
    digest = {"drawings": digest_arrays(*fields), "train_idx": digest_arrays(train_idx)}
    if canvases is not None:
        digest["canvases"] = digest_arrays(canvases)
    return digest


def train_model(name: str, hp: dict, tp: dict, enc: EncodedDrawings, canvases, train_idx, seed: int,
                val_idx=None, device: str = "cpu", checkpoint_dir=None, progress: bool = False,
                stop_after: int | None = None, extra_code=()):
    """Train one model on the drawings ``train_idx``, early-stopped on ``val_idx`` if given;
    returns (model on CPU, TrainResult with the per-epoch learning curve). ``extra_code``: source
    files outside the package that the fingerprint covers too (the job's workflow script)."""
    model = build_model(name, hp, seed).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=tp["lr"])
    train_idx = torch.as_tensor(np.asarray(train_idx), dtype=torch.long)
    cans = canvases if model.needs_canvases else None
    steps_per_epoch = max(1, math.ceil(len(train_idx) / tp["batch_size"]))
    n_steps = max(1, math.ceil(tp["max_epochs"] * steps_per_epoch))

    def step_fn(step: int, generator: torch.Generator) -> float:
        pick = train_idx[torch.randint(len(train_idx), (tp["batch_size"],), generator=generator)]
        batch = make_batch(enc, pick, cans).to(device)
        optimizer.zero_grad(set_to_none=True)
        loss = -model.log_prob(batch).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), tp["grad_clip"])
        optimizer.step()
        return loss.item()

    validation = None
    if val_idx is not None:
        validation = Validation(
            evaluate=lambda: float(evaluate(model, enc, canvases, val_idx, tp["eval_batch"], device)["nll"].mean()),
            every=steps_per_epoch, patience=tp["patience"], min_delta=tp["min_delta"])
    data = data_digest(enc, cans, train_idx)
    if val_idx is not None:
        data["val_idx"] = digest_arrays(np.asarray(val_idx))
    key = job_fingerprint({"model": name, "hp": hp, "train": tp, "seed": seed, "device": str(device)}, data=data,
                          extra_code=extra_code)
    result = train(model, optimizer, step_fn, n_steps=n_steps, seed=seed, checkpoint_dir=checkpoint_dir,
                   checkpoint_every=tp["checkpoint_every"], fingerprint=key, progress=progress,
                   desc=f"feinman2020 {name}", stop_after=stop_after, validation=validation)
    return model.cpu().eval(), result


@torch.no_grad()
def evaluate(model, enc: EncodedDrawings, canvases, idx, batch_size: int = 500,
             device: str | None = None) -> dict[str, np.ndarray]:
    """Per-drawing NLL (nats) and its parts for the drawings ``idx`` (evaluation mode)."""
    model.eval()
    cans = canvases if model.needs_canvases else None
    idx = torch.as_tensor(np.asarray(idx), dtype=torch.long)
    parts: dict[str, list] = {}
    for a in range(0, len(idx), batch_size):
        batch = make_batch(enc, idx[a : a + batch_size], cans)
        out = model.log_prob_parts(batch if device is None else batch.to(device))
        for k, v in out.items():
            parts.setdefault(k, []).append(-v.cpu().numpy())
    result = {k: np.concatenate(v) for k, v in parts.items()}
    result["nll"] = sum(result.values())
    return result
