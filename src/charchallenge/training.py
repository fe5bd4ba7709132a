"""The shared training loop: checkpoints, resume, progress bar, determinism.

Every paper's model trains through :func:`train`. The loop is generic: the caller passes a
``step_fn(step, generator) -> float`` that samples its own batch (from the loop-owned
``torch.Generator``, which is seeded and checkpointed) and takes one optimiser step.

Checkpoints hold the model and optimiser states, every RNG state (the loop's generator,
torch's global CPU/CUDA generators, NumPy's and Python's global ones), the step reached and
the loss history. They are written atomically (temporary file + rename) every
``checkpoint_every`` steps and at the end into ``checkpoint_dir`` - a folder that is *not* a
declared pipeline output (e.g. ``checkpoints/<paper>/<scale>/<run>/``), so a workflow manager
does not delete it when a job dies. A later call with the same ``fingerprint`` resumes from the
latest checkpoint; since every state that influences the remaining steps is restored, the
final weights are bit-identical to those of an uninterrupted run on the same machine (same
thread count).

Early stopping (optional, :class:`Validation`): every ``every`` steps (an epoch) the caller's
``evaluate()`` gives the validation loss, recorded beside the mean training loss of the epoch
(:attr:`TrainResult.history`, the learning curve). The run stops when the validation loss has
not improved by more than ``min_delta`` (relative) for ``patience`` evaluations, or at the step
budget ``n_steps``; the weights of the best evaluation are restored. How it stopped is kept in
:attr:`TrainResult.stopped` (``plateau`` | ``budget``), so a reader of the result can tell a
converged run from one cut off while still improving (:func:`still_improving`).

The fingerprint says what made the run (:func:`charchallenge.fingerprint.job_fingerprint`:
params, the code of the loaded package modules and of the workflow script that runs the job
(:func:`charchallenge.fingerprint.workflow_script`, passed as ``extra_code``), the data trained
on, numeric library versions, thread count). A checkpoint whose fingerprint differs in anything
is never resumed: the run starts again from step 0 and says on stderr which components changed
(an edited script: ``code changed (workflow/scripts/fabi2020/train.py)``).
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from .fingerprint import differences
from .io import save_torch
from .progress import Progress

CHECKPOINT_NAME = "checkpoint.pt"


@dataclass
class Validation:
    """Early stopping on a validation loss: ``evaluate()`` every ``every`` steps (it may switch
    the model to eval mode; the loop switches back), stop after ``patience`` evaluations
    without a relative improvement of more than ``min_delta`` (None: never, train to budget)."""

    evaluate: Callable[[], float]
    every: int
    patience: int | None = None
    min_delta: float = 0.0


@dataclass
class TrainResult:
    steps: int
    losses: list[float] = field(default_factory=list)
    resumed_from: int = 0
    history: list[dict] = field(default_factory=list)
    """One row per evaluation: ``{"epoch", "step", "train_loss", "val_loss"}``."""
    stopped: str = "budget"
    """``plateau`` (validation stopped improving), ``budget`` (step budget spent) or ``paused``."""
    best_step: int | None = None


def still_improving(val_losses, last_fraction: float, max_improvement: float) -> tuple[bool, float]:
    """Convergence criterion of a learning curve: ``(improving, relative_improvement)``.

    The relative improvement is how much the best validation loss fell during the last
    ``last_fraction`` of the evaluations, ``(best before - best overall) / |best before|``;
    the run counts as still improving when it exceeds ``max_improvement``. A curve too short to
    split (fewer than 2 evaluations) counts as still improving.
    """
    v = np.asarray(val_losses, dtype=float)
    if len(v) < 2:
        return True, float("inf")
    tail = min(len(v) - 1, max(1, int(np.ceil(last_fraction * len(v)))))
    before, overall = v[: len(v) - tail].min(), v.min()
    rel = float((before - overall) / max(abs(before), 1e-12))
    return rel > max_improvement, rel


def _rng_state(generator: torch.Generator) -> dict:
    state = {
        "generator": generator.get_state(),
        "torch": torch.get_rng_state(),
        "numpy": np.random.get_state(),
        "python": random.getstate(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(generator: torch.Generator, state: dict) -> None:
    generator.set_state(state["generator"])
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(path: Path, payload: dict) -> None:
    save_torch(path, payload)


def load_checkpoint(checkpoint_dir: Path | str | None, fingerprint=None, log=None) -> dict | None:
    """The latest checkpoint in ``checkpoint_dir`` if its fingerprint matches, else None.

    A checkpoint that exists but was made from something else (see :mod:`charchallenge.fingerprint`)
    is refused with one line on ``log`` (default: stderr) naming what changed.
    """
    if checkpoint_dir is None:
        return None
    path = Path(checkpoint_dir) / CHECKPOINT_NAME
    if not path.exists():
        return None
    payload = torch.load(path, map_location="cpu", weights_only=False)
    reasons = differences(payload.get("fingerprint"), fingerprint)
    if reasons:
        print(f"not resuming {path}: {'; '.join(reasons)}; training from step 0", file=log or sys.stderr, flush=True)
        return None
    return payload


def train(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    step_fn: Callable[[int, torch.Generator], float],
    n_steps: int,
    seed: int,
    checkpoint_dir: Path | str | None = None,
    checkpoint_every: int = 1000,
    fingerprint: dict | str | None = None,
    progress: bool = True,
    desc: str = "training",
    stop_after: int | None = None,
    validation: Validation | None = None,
) -> TrainResult:
    """Run ``step_fn`` for steps ``0 .. n_steps-1``, resuming from ``checkpoint_dir`` if possible.

    ``seed`` seeds the loop's generator (and, on a fresh start, torch/NumPy/Python's global
    RNGs). ``stop_after`` ends the call after that many steps of this call, leaving a
    checkpoint behind (used to test resuming; a killed process behaves the same, losing at most
    ``checkpoint_every`` steps). Returns the loss history of all steps done so far.
    """
    generator = torch.Generator()
    generator.manual_seed(seed)
    losses: list[float] = []
    history: list[dict] = []
    best = {"val": float("inf"), "step": None, "state": None, "bad": 0}
    stopped = None
    start = 0
    payload = load_checkpoint(checkpoint_dir, fingerprint)
    if payload is not None and payload["step"] > n_steps:
        print(f"not resuming {Path(checkpoint_dir) / CHECKPOINT_NAME}: it is at step {payload['step']}, past "
              f"n_steps = {n_steps}; training from step 0", file=sys.stderr, flush=True)
        payload = None
    if payload is not None:
        print(f"resuming {Path(checkpoint_dir) / CHECKPOINT_NAME} at step {payload['step']}", file=sys.stderr,
              flush=True)
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
        _set_rng_state(generator, payload["rng"])
        losses = list(payload["losses"])
        history = list(payload.get("history", []))
        best = dict(payload.get("best", best))
        stopped = payload.get("stopped")
        start = int(payload["step"])
    else:
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
    resumed_from = start

    def checkpoint(step: int) -> None:
        if checkpoint_dir is None:
            return
        save_checkpoint(Path(checkpoint_dir) / CHECKPOINT_NAME, {
            "step": step, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "rng": _rng_state(generator), "losses": losses, "fingerprint": fingerprint,
            "history": history, "best": best, "stopped": stopped,
        })

    def validate(step: int) -> None:
        nonlocal stopped
        since = history[-1]["step"] if history else 0
        val = float(validation.evaluate())
        model.train()
        history.append({"epoch": step / validation.every, "step": step,
                        "train_loss": float(np.mean(losses[since:step])), "val_loss": val})
        if val < best["val"] - validation.min_delta * abs(best["val"]) or best["state"] is None:
            best.update(val=val, step=step, bad=0,
                        state={k: v.detach().clone() for k, v in model.state_dict().items()})
        else:
            best["bad"] += 1
        if validation.patience is not None and best["bad"] >= validation.patience:
            stopped = "plateau"

    bar = Progress(n_steps, desc, initial=start, unit="steps") if progress else None
    model.train()
    step = start
    done_here = 0
    try:
        while step < n_steps and stopped is None:
            if stop_after is not None and done_here >= stop_after:
                break
            loss = float(step_fn(step, generator))
            losses.append(loss)
            step += 1
            done_here += 1
            if bar is not None:
                bar.update(1)
                if step % 100 == 0:
                    bar.set_postfix(loss=f"{np.mean(losses[-100:]):.4f}")
            if validation is not None and (step % validation.every == 0 or step == n_steps):
                validate(step)
                if bar is not None:
                    bar.set_postfix(train=f"{history[-1]['train_loss']:.3f}", val=f"{history[-1]['val_loss']:.3f}",
                                    best=f"{best['val']:.3f}")
            if checkpoint_every and step % checkpoint_every == 0 and step < n_steps and stopped is None:
                checkpoint(step)
    finally:
        if bar is not None:
            bar.close()
    if stopped is None and step >= n_steps:
        stopped = "budget"
    if stopped is not None and validation is not None and best["state"] is not None:
        model.load_state_dict(best["state"])
    checkpoint(step)
    return TrainResult(steps=step, losses=losses, resumed_from=resumed_from, history=history,
                       stopped=stopped or "paused", best_step=best["step"])
