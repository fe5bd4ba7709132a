"""GNS image model P(I | theta) (Feinman & Lake 2021, Sec. 3 "Image model"; facts section 4).

A differentiable symbolic engine turns a token's splines into ink: each stroke's control points
are evaluated as a cubic B-spline (:func:`charchallenge.preprocess.splines.evaluate_spline`) and
painted, broadened and blurred by :func:`charchallenge.render.render`; pixel noise epsilon mixes in
the opposite colour; the likelihood is a product of Bernoullis over the 105x105 binary pixels.

The blur sigma and epsilon are free variables of each parse, kept inside their bounds
(sigma in [0.5, 16], eps in [1e-4, 0.5]) by the released code's reparameterisation
``lo + h (tanh((x - lo) / h - 1) + 1)``, ``h = (hi - lo) / 2`` (:class:`Bounded`).

All parses of all images are scored in one call: control points arrive packed
(:class:`~charchallenge.render.PackedStrokes`), every stroke is evaluated by one sparse matrix
product (:func:`spline_trajectories`), and render + likelihood run on the whole batch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from charchallenge.preprocess.splines import (RENDER_DENSE, RENDER_MAX, RENDER_MIN, RENDER_SPACING, arc_length,
                                              spline_basis)
from charchallenge import render
from charchallenge.render import PackedStrokes, bernoulli_log_likelihood

BLUR_BOUNDS = (0.5, 16.0)
EPS_BOUNDS = (1e-4, 0.5)


@dataclass(frozen=True)
class Bounded:
    """The released code's bounded reparameterisation: value = lo + h (tanh((x - lo)/h - 1) + 1)."""

    lo: float
    hi: float

    @property
    def h(self) -> float:
        return (self.hi - self.lo) / 2

    def value(self, x: Tensor) -> Tensor:
        return self.lo + self.h * (torch.tanh((x - self.lo) / self.h - 1) + 1)

    def free(self, value: float | Tensor) -> Tensor:
        """The free variable x that gives ``value`` (inside the open interval)."""
        v = torch.as_tensor(value, dtype=torch.get_default_dtype())
        return self.lo + self.h * (torch.atanh((v - self.lo) / self.h - 1) + 1)


BLUR = Bounded(*BLUR_BOUNDS)
EPS = Bounded(*EPS_BOUNDS)


def samples_per_stroke(packed: PackedStrokes) -> list[int]:
    """Evaluation points of each stroke as the released renderer picks them: evaluate at 200
    points, measure the length L, use ceil(L / 1.5) clamped to [10, 200] (not differentiable:
    fixed once per parse)."""
    pts = packed.points.detach().cpu().numpy().astype(np.float64)
    idx = packed.stroke_index.cpu().numpy()
    out = []
    for s in range(packed.n_strokes):
        cp = pts[idx == s]
        length = arc_length(spline_basis(RENDER_DENSE, len(cp)) @ cp)
        out.append(int(min(max(math.ceil(length / RENDER_SPACING), RENDER_MIN), RENDER_MAX)))
    return out


def spline_trajectories(packed: PackedStrokes, n_samples: list[int]) -> PackedStrokes:
    """Every stroke's spline evaluated at ``n_samples[s]`` points, as one sparse (N_traj x P)
    matrix product; differentiable in the control points."""
    idx = packed.stroke_index.cpu().numpy()
    starts = np.r_[0, np.cumsum(np.bincount(idx, minlength=packed.n_strokes))]
    rows, cols, vals, traj_stroke = [], [], [], []
    r = 0
    for s, n in enumerate(n_samples):
        k = starts[s + 1] - starts[s]
        basis = spline_basis(n, k)
        rr, cc = np.nonzero(basis)
        rows.append(rr + r)
        cols.append(cc + starts[s])
        vals.append(basis[rr, cc])
        traj_stroke.append(np.full(n, s))
        r += n
    device, dtype = packed.points.device, packed.points.dtype
    matrix = torch.sparse_coo_tensor(np.stack([np.concatenate(rows), np.concatenate(cols)]), np.concatenate(vals),
                                     (r, len(idx)), check_invariants=True, device="cpu").to(device=device, dtype=dtype)
    points = torch.sparse.mm(matrix, packed.points)
    stroke_index = torch.as_tensor(np.concatenate(traj_stroke), device=device)
    return PackedStrokes(points, stroke_index, packed.stroke_drawing[stroke_index], packed.stroke_drawing,
                         packed.n_drawings)


def ink_canvas(control_points: PackedStrokes, n_samples: list[int] | None = None) -> Tensor:
    """The painted, broadened ink (D, 105, 105) of the drawings whose splines are ``control_points``,
    before blur and pixel noise: the splines' trajectories through
    :func:`charchallenge.render.painted_canvas` (the first half of :func:`~charchallenge.render.render`),
    kept apart so that blur tuning paints each parse once."""
    n_samples = n_samples if n_samples is not None else samples_per_stroke(control_points)
    return render.painted_canvas(spline_trajectories(control_points, n_samples))


def canvas_probabilities(canvas: Tensor, blur: Tensor | float, eps: Tensor | float, blur_kernel: int = 11) -> Tensor:
    """Pixel ink probabilities of :func:`ink_canvas` output: blur sigma, then pixel noise epsilon
    (:func:`charchallenge.render.canvas_probabilities`, the second half of
    :func:`~charchallenge.render.render`, at 105x105)."""
    return render.canvas_probabilities(canvas, blur, eps, blur_kernel=blur_kernel)


def ink_probabilities(control_points: PackedStrokes, blur: Tensor | float, eps: Tensor | float,
                      n_samples: list[int] | None = None, blur_kernel: int = 11) -> Tensor:
    """Pixel ink probabilities (D, 105, 105) of the drawings whose splines are ``control_points``."""
    return canvas_probabilities(ink_canvas(control_points, n_samples), blur, eps, blur_kernel)


def canvas_log_likelihood(canvas: Tensor, images: Tensor, blur: Tensor | float, eps: Tensor | float,
                          blur_kernel: int = 11) -> Tensor:
    """log P(I | theta) per drawing (D,) from the drawings' :func:`ink_canvas`."""
    return bernoulli_log_likelihood(canvas_probabilities(canvas, blur, eps, blur_kernel), images)


def log_likelihood(control_points: PackedStrokes, images: Tensor, blur: Tensor | float, eps: Tensor | float,
                   n_samples: list[int] | None = None, blur_kernel: int = 11) -> Tensor:
    """log P(I | theta) per drawing (D,): Bernoulli over the 105x105 binary pixels (ink = 1);
    ``blur_kernel`` 11 for fits, 21 for refits (facts section 5)."""
    return canvas_log_likelihood(ink_canvas(control_points, n_samples), images, blur, eps, blur_kernel)


IMAGE_SIZE = 105


def as_image_tensor(images, dtype: torch.dtype, device: torch.device | str | None = None) -> Tensor:
    """Images (an array or a tensor) as a tensor in ``dtype`` on ``device``: an array starts on the
    CPU, a tensor stays where it is when ``device`` is None."""
    images = images if isinstance(images, Tensor) else torch.as_tensor(images, device="cpu")
    return images.to(device=device, dtype=dtype)


def check_image(image, name: str = "image") -> np.ndarray:
    """The binary 105x105 image (ink = True) the parser and the optimiser accept, or a one-line
    ``ValueError`` naming ``name`` and what is wrong: another shape, values other than 0/1 (or
    False/True), no ink, or every pixel ink (no background: no stroke can be traced). A single dot
    is valid: its parse is one one-point stroke."""
    a = np.asarray(image)
    if a.shape != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"{name}: expected a {IMAGE_SIZE}x{IMAGE_SIZE} image, got shape {a.shape}")
    if a.dtype != bool:
        if not np.issubdtype(a.dtype, np.number) or not np.isin(a, (0, 1)).all():
            bad = a[~np.isin(a, (0, 1))][:3] if np.issubdtype(a.dtype, np.number) else a.dtype
            raise ValueError(f"{name}: expected a binary image (0/1, ink = 1), found values such as {bad}")
        a = a.astype(bool)
    if not a.any():
        raise ValueError(f"{name}: the image has no ink: nothing to parse")
    if a.all():
        raise ValueError(f"{name}: every pixel is ink: no background, no stroke to trace")
    return a
