"""Image canvases of the Full NS model (Fig. 1; Appendix A), computed once and cached.

A drawing of n strokes has n+1 partial canvases: blank, after stroke 1, ..., complete (facts
section 1). Each is the backbone renderer's output (:func:`charchallenge.render.render`) of the
strokes' spline trajectories (:func:`spline_to_trajectory`), painted at 105x105 with blur sigma
0.5, resized to 28x28 by plain bilinear interpolation (no antialiasing), as the reference does.
The network-specific standardisation (location/stroke nets (x - 0.0243) / 0.1383, termination
net (x - 0.0574) / 0.2084, the released constants) is applied by the models. On our canvases
(800 drawings of the small background set) the location/stroke canvases measure mean 0.031,
SD 0.155 and the termination canvases mean 0.043, SD 0.182 (tests/test_canvases.py); antialiased
resizing would lower the SD by 13%.

For teacher-forced training every canvas is rendered once per drawing and stored as float16
(:func:`build_canvas_cache`), never re-rendered per epoch.
"""

from __future__ import annotations

import numpy as np
import torch

from charchallenge.io import atomic_path
from charchallenge.preprocess.splines import drawing_trajectories
from charchallenge.render import render

SIZE = 28
BLUR_SIGMA = 0.5
LOC_STATS = (0.0243, 0.1383)
TERM_STATS = (0.0574, 0.2084)


def render_drawings(drawings, chunk: int = 2000) -> torch.Tensor:
    """Canvases (N, 28, 28) float32 in [0, 1] of drawings given as lists of control points."""
    out = []
    for a in range(0, len(drawings), chunk):
        part = [drawing_trajectories(d) for d in drawings[a : a + chunk]]
        out.append(render(part, size=SIZE, blur_sigma=BLUR_SIGMA).float())
    return torch.cat(out) if out else torch.zeros(0, SIZE, SIZE)


def partial_canvases(drawings) -> torch.Tensor:
    """All n+1 partial canvases of every drawing, concatenated in drawing order."""
    parts = [d[:j] for d in drawings for j in range(len(d) + 1)]
    return render_drawings(parts)


def build_canvas_cache(drawings, path) -> None:
    """Render all partial canvases once and save them (float16) atomically."""
    canvases = partial_canvases(drawings).numpy().astype(np.float16)
    with atomic_path(path, ".npy") as tmp:
        np.save(tmp, canvases)


def load_canvas_cache(path) -> torch.Tensor:
    return torch.from_numpy(np.load(path).astype(np.float32))


def standardise(canvas: torch.Tensor, stats) -> torch.Tensor:
    return (canvas - stats[0]) / stats[1]
