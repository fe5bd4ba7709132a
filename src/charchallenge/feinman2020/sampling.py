"""Samples of the trained holdout models (Feinman & Lake 2020, Figs. 5-8): load weights, draw
characters by each model's causal generative procedure at a temperature (Ha & Eck 2018)."""

from __future__ import annotations

import torch

from .train import MODELS


def load_model(path) -> torch.nn.Module:
    payload = torch.load(path, map_location="cpu", weights_only=False)
    model = MODELS[payload["name"]](**payload["hp"])
    model.load_state_dict(payload["state_dict"])
    return model.eval()


def draw(model, n: int, temperature: float, seed: int, max_strokes: int, max_control_points: int, chunk: int = 50):
    """``n`` drawings (lists of (k, 2) motor-px control points) and their log-probabilities."""
    g = torch.Generator().manual_seed(seed)
    drawings, logp = [], []
    for a in range(0, n, chunk):
        d, lp = model.sample(min(chunk, n - a), temperature, g, max_strokes, max_control_points)
        drawings += d
        logp.append(lp)
    return drawings, torch.cat(logp)


def inside_canvas(drawing, size: float = 105.0) -> bool:
    """Every rendered point of the drawing lies on the 105x105 canvas (pixel = (-y, x))."""
    from .canvases import trajectories

    for t in trajectories(drawing):
        x, y = t[:, 0], -t[:, 1]
        if (x < 0).any() or (x >= size).any() or (y < 0).any() or (y >= size).any():
            return False
    return True
