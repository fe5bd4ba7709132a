"""Samples of the trained holdout models (Feinman & Lake 2020, Figs. 5-8) and what is measured
on them: draw characters by each model's causal generative procedure at a temperature (Ha & Eck
2018), keep them on the canvas, and measure how diverse they are.

On the canvas. Every training drawing lies on the 105x105 canvas, but a model's densities (GMMs
over unbounded starts and offsets) also put mass off it. The figures show samples from the
model conditioned on the drawing lying on the canvas, p(drawing | on canvas), drawn exactly by
rejecting whole drawings that leave it (:func:`draw_on_canvas`). The share of raw draws that
land on the canvas - the model's probability of that event at the temperature - is reported
beside the samples, so a model that wastes mass off the canvas is visible, not hidden.

Diversity. The mean pairwise distance between samples, in the classifier's feature space (the
perceptual metric of Figs. 6-7, cosine distance) and between their 28x28 renderings
(Euclidean): lowering the temperature should lower both (:func:`diversity_ratio`).
"""

from __future__ import annotations

import numpy as np
import torch

from charchallenge.preprocess.splines import drawing_trajectories
from .train import MODELS

CANVAS_SIZE = 105.0


def load_model(path) -> torch.nn.Module:
    payload = torch.load(path, map_location="cpu", weights_only=False)
    model = MODELS[payload["name"]](**payload["hp"])
    model.load_state_dict(payload["state_dict"])
    return model.eval()


def draw(model, n: int, temperature: float, seed: int, max_strokes: int, max_control_points: int, chunk: int = 50):
    """``n`` raw drawings (lists of (k, 2) motor-px control points) and their log-probabilities."""
    g = torch.Generator().manual_seed(seed)
    drawings, logp = [], []
    for a in range(0, n, chunk):
        d, lp = model.sample(min(chunk, n - a), temperature, g, max_strokes, max_control_points)
        drawings += d
        logp.append(lp)
    return drawings, torch.cat(logp)


def on_canvas(drawing, size: float = CANVAS_SIZE) -> bool:
    """Every rendered point of the drawing lies on the size x size canvas (pixel = (-y, x))."""
    for t in drawing_trajectories(drawing):
        x, y = t[:, 0], -t[:, 1]
        if (x < 0).any() or (x >= size).any() or (y < 0).any() or (y >= size).any():
            return False
    return True


def draw_on_canvas(model, n: int, temperature: float, seed: int, max_strokes: int, max_control_points: int,
                   max_draws_per_sample: int, chunk: int = 50) -> dict:
    """``n`` drawings from p(drawing | on canvas) at ``temperature``, by rejection sampling.

    Raw drawings are made ``chunk`` at a time from one seeded generator and kept, in order, if
    they lie on the canvas, until ``n`` are kept or ``max_draws_per_sample * n`` have been made.
    In the second case (a model, e.g. a barely trained smoke-scale one, that rarely stays on the
    canvas) the missing places are filled with the first rejected drawings, flagged in
    ``on_canvas``, so the figures can still be drawn and the shortfall is on record.

    Returns ``drawings``, ``logp`` (log-probability under the tempered, unconditioned sampling
    distribution), ``on_canvas`` (bool per drawing), ``drawn`` (raw draws made) and
    ``on_canvas_share`` (share of raw draws on the canvas).
    """
    g = torch.Generator().manual_seed(seed)
    kept, kept_lp, rejected, rejected_lp = [], [], [], []
    drawn = n_on = 0
    while len(kept) < n and drawn < max_draws_per_sample * n:
        batch, lp = model.sample(chunk, temperature, g, max_strokes, max_control_points)
        drawn += len(batch)
        for d, p in zip(batch, lp):
            if on_canvas(d):
                n_on += 1
                if len(kept) < n:
                    kept.append(d)
                    kept_lp.append(p)
            elif len(rejected) < n:
                rejected.append(d)
                rejected_lp.append(p)
    missing = n - len(kept)
    return {"drawings": kept + rejected[:missing],
            "logp": torch.stack(kept_lp + rejected_lp[:missing]),
            "on_canvas": [True] * len(kept) + [False] * missing,
            "drawn": drawn, "on_canvas_share": n_on / drawn}


def mean_pairwise(distance: np.ndarray, index: np.ndarray | None = None) -> float:
    """Mean distance over pairs of distinct samples (of the resample ``index``, if given;
    pairs of two copies of one sample are left out)."""
    index = np.arange(len(distance)) if index is None else np.asarray(index)
    d = distance[np.ix_(index, index)]
    distinct = index[:, None] != index[None, :]
    return float(d[distinct].mean())


def feature_distances(features: torch.Tensor) -> np.ndarray:
    """Cosine distances between unit-normalised feature rows."""
    return (1.0 - features @ features.T).clamp_min(0).double().numpy()


def pixel_distances(canvases: torch.Tensor) -> np.ndarray:
    """Euclidean distances between flattened renderings."""
    flat = canvases.reshape(len(canvases), -1).double()
    return torch.cdist(flat, flat).numpy()


def diversity_ratio(low: np.ndarray, high: np.ndarray, n_boot: int, seed: int) -> dict:
    """Diversity at a low temperature over diversity at a high one (pairwise distance matrices
    of the two sample sets), with a 95% bootstrap interval that resamples each set's samples.
    A ratio whose interval lies below 1 means lowering the temperature measurably lowered the
    diversity."""
    rng = np.random.default_rng(seed)
    boot = [mean_pairwise(low, rng.integers(0, len(low), len(low))) /
            mean_pairwise(high, rng.integers(0, len(high), len(high))) for _ in range(n_boot)]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return {"low": mean_pairwise(low), "high": mean_pairwise(high), "ratio": mean_pairwise(low) / mean_pairwise(high),
            "ratio_ci95": [float(lo), float(hi)]}
