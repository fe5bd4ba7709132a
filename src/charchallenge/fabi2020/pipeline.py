"""Glue for the pipeline scripts (workflow/scripts/fabi2020/): loading the study, the trained
and one-shot-inferred models of every seed, and per-seed error arrays.

Not part of the paper's method; every script of the Fabi stage starts from :func:`context`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from charchallenge.device import resolve_device

from .data import Study, load_study
from .metrics import modified_hausdorff, sequence_mse
from .model import Generator, load_generator
from .one_shot import install_columns


def setup_torch(threads: int) -> None:
    """Thread count, and flush denormals: the saturated gates of a trained LSTM otherwise make
    CPU back-propagation several times slower (results stay deterministic)."""
    torch.set_num_threads(max(1, int(threads)))
    torch.set_flush_denormal(True)


@dataclass
class Context:
    params: dict
    study: Study
    device: str
    seeds: list[int]
    trained: list[Generator]
    untrained: list[Generator]
    one_shot: dict | None = None

    def adapted(self, condition: str = "one_shot") -> list[Generator]:
        """Models after one-shot inference (every novel letter's W_ff column installed)."""
        res = self.one_shot
        c = res["conditions"].index(condition)
        base = self.untrained if condition == "untrained" else self.trained
        return [install_columns(m, self.study.novel, res["columns"][s, c]) for s, m in enumerate(base)]

    def label(self, index: int) -> str:
        return self.study.labels[index]


def context(run: dict, trajectories: str, models: list[str], one_shot: str | None = None,
            threads: int = 1) -> Context:
    setup_torch(threads)
    params = run["fabi2020"]
    study = load_study(trajectories, params)
    trained, untrained = [], []
    for path in models:
        model, payload = load_generator(path)
        fresh = Generator(**payload["config"])
        fresh.load_state_dict(payload["initial_state"])
        trained.append(model)
        untrained.append(fresh)
    res = torch.load(one_shot, weights_only=False) if one_shot else None
    return Context(params, study, resolve_device(params["device"]), list(params["seeds"]), trained, untrained, res)


def errors(study: Study, outputs: list[np.ndarray], targets: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Sequence MSE (normalised units) and modified Hausdorff distance (px) per pair."""
    mse = np.array([sequence_mse(o, t) for o, t in zip(outputs, targets)])
    mhd = np.array([modified_hausdorff(study.raw(o), study.raw(t)) for o, t in zip(outputs, targets)])
    return mse, mhd


def mean_sd(values) -> tuple[float, float]:
    """Mean and SD (ddof 1 when there are several seeds, else 0) over seeds."""
    v = np.asarray(values, dtype=np.float64)
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0


def over_seeds(name: str, values, seeds=None) -> dict:
    """Table columns for one quantity measured once per seed: ``{name}_mean``, ``{name}_sd``
    (:func:`mean_sd`) and, when ``seeds`` are given, ``{name}_seed{s}`` for each seed."""
    mean, sd = mean_sd(values)
    columns = {f"{name}_mean": mean, f"{name}_sd": sd}
    for seed, value in zip(seeds or (), values):
        columns[f"{name}_seed{seed}"] = value
    return columns


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
