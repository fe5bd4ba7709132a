"""Minimal B-spline representation of strokes (Feinman & Lake, CogSci 2020, "Spline
representation"; Feinman & Lake, ICLR 2021, Appendix A.1), following the released
GNS/pyBPL code as summarised in ``shared/reference/gns-facts.md`` section 1.

Pipeline for one raw stroke (motor space, columns x, y[, t]; t is ignored):

1. **Resample uniformly in space** (:func:`resample_unif_space`), as pyBPL's ``unif_space``, the
   resampling of the released GNS parses (facts section 1): drop every point within 1e-4 of the
   point before it; the cumulative arc length starts at 1 (the first gap is set to 1, so it runs
   from 1 to ``length + 1``); interpolate at ``m = max(2, round((length + 1) / step))`` evenly
   spaced positions from 0 to ``length + 1``, clamping below 1 to the first point - so the
   output starts with the first point and a near-duplicate of it (a line 0..10 becomes
   0, 0.1, 1.2, ..., 10). A stroke of one distinct point stays as it is (one point: a dot).
   BPL's MATLAB ``uniform_space_lerp`` (:func:`resample_uniform`, arc length 0..length, one
   point fewer) changes the control-point count of about 6% of strokes; it is kept for the
   Fabi et al. trajectories, which have no reference code.
2. **Minimal spline fit** (:func:`fit_minimal_spline`): least squares of the ``n`` resampled
   points on the cubic B-spline basis below, for k = 1, 2, 3, ... control points; the first k
   whose loss ``sum((P - B C)**2) / n`` (x and y together) is below ``threshold`` (0.7) is
   accepted; k runs over ``range(1, min(n + 1, max_control_points))`` and the last one tried is
   returned when none passes (so at most 49 control points with the default 50).
3. **Rendering trajectory** (:func:`spline_to_trajectory`): evaluate at 200 points, measure the
   length L, re-evaluate at ``ceil(L / 1.5)`` points clamped to [10, 200].

Parameterisation of the basis (:func:`spline_basis`)
----------------------------------------------------
* Uniform cubic B-spline on the integer knots: basis function i (i = 0..k-1, one per control
  point) is the cardinal cubic B-spline with knots i, i+1, ..., i+4, non-zero on [i, i+4).
* The n samples are taken at parameters ``s = linspace(2, k + 1, n)`` -- evenly spaced in the
  parameter, and since the fitted points are uniform in arc length this is an arc-length
  parameterisation of the data.
* Evaluation uses :meth:`scipy.interpolate.BSpline.design_matrix` on the padded knot vector
  ``-3, -2, ..., k + 6`` (degree 3, so k + 6 basis functions whose base interval [0, k + 3]
  contains [2, k + 1]); the k columns of the basis functions starting at knots 0..k-1 are kept.
  The padding makes extrapolation unnecessary (extrapolating the end polynomial pieces of a
  shorter knot vector would not give these compactly supported functions).
* Near the ends fewer than four basis functions are present, so each row is rescaled to sum to
  1 (an affine combination of the control points). Consequently the curve starts at
  ``0.8 c0 + 0.2 c1`` and ends at ``0.2 c[-2] + 0.8 c[-1]``: it does not pass through its end
  control points. k = 1 is a dot (every row is [1]); k = 2 is the straight segment from
  ``0.8 c0 + 0.2 c1`` to ``0.2 c0 + 0.8 c1``.

Small strokes (:func:`fit_drawing`): strokes whose raw arc length is below ``min_stroke_length``
are removed (the papers use "a threshold on the trajectory length"; its value is not in the
released code, which keeps one-point strokes as one-control-point dots; our default 0 keeps every
stroke, as GNS does); a drawing left with no strokes is to be dropped by the caller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from scipy.interpolate import BSpline

DUPLICATE_TOL = 1e-4  # points closer than this to the previous point are dropped
RENDER_DENSE = 200  # first evaluation, used to measure the curve length
RENDER_SPACING = 1.5  # px between rendered trajectory points
RENDER_MIN, RENDER_MAX = 10, 200


@dataclass
class SplineFit:
    """A minimal spline: ``control_points`` (k, 2) float64, ``residual`` = accepted loss
    (sum of squared x and y residuals / ``n_points``), ``n_points`` = resampled points fitted."""

    control_points: np.ndarray
    residual: float
    n_points: int

    @property
    def n_control(self) -> int:
        return int(self.control_points.shape[0])


def arc_length(points) -> float:
    """Polyline length of ``points`` (n, >=2), x and y columns only (numpy or torch)."""
    if isinstance(points, torch.Tensor):
        return float(torch.linalg.vector_norm(torch.diff(points[:, :2].detach(), dim=0), dim=1).sum())
    xy = np.asarray(points, dtype=np.float64)[:, :2]
    return float(np.sqrt((np.diff(xy, axis=0) ** 2).sum(axis=1)).sum())


def resample_uniform(points, step: float = 1.0) -> np.ndarray:
    """Resample a stroke (n, 2) or (n, 3) to points evenly spaced along its arc length.

    Points within 1e-4 of the previous raw point are dropped first; the result has
    ``max(2, round(length / step))`` points (x, y), the first and last raw points included.
    A stroke of zero length becomes two copies of its point.
    """
    xy = np.asarray(points, dtype=np.float64)[:, :2]
    if len(xy) == 0:
        raise ValueError("cannot resample an empty stroke")
    gaps = np.sqrt((np.diff(xy, axis=0) ** 2).sum(axis=1))
    xy = xy[np.concatenate(([True], gaps >= DUPLICATE_TOL))]
    cum = np.concatenate(([0.0], np.cumsum(np.sqrt((np.diff(xy, axis=0) ** 2).sum(axis=1)))))
    m = max(2, int(round(cum[-1] / step)))
    if len(xy) == 1:
        return np.repeat(xy, m, axis=0)
    at = np.linspace(0.0, cum[-1], m)
    return np.stack([np.interp(at, cum, xy[:, 0]), np.interp(at, cum, xy[:, 1])], axis=1)


def resample_unif_space(points, step: float = 1.0) -> np.ndarray:
    """pyBPL's ``unif_space`` (see the module doc, step 1): (n, 2+) -> (m, 2) float64."""
    xy = np.asarray(points, dtype=np.float64)[:, :2]
    if len(xy) == 0:
        raise ValueError("cannot resample an empty stroke")
    gaps = np.concatenate(([1.0], np.sqrt((np.diff(xy, axis=0) ** 2).sum(axis=1))))
    keep = gaps >= DUPLICATE_TOL
    if keep.sum() == 1:
        return xy.copy()
    cum = np.cumsum(gaps[keep])
    kept = xy[keep]
    m = max(2, int(round(cum[-1] / step)))
    at = np.linspace(0.0, cum[-1], m)
    return np.stack([np.interp(at, cum, kept[:, 0]), np.interp(at, cum, kept[:, 1])], axis=1)


@lru_cache(maxsize=4096)
def _basis(n_samples: int, n_control: int) -> np.ndarray:
    k = n_control
    knots = np.arange(-3.0, k + 7.0)  # basis function j (column j + 3) has knots j..j+4
    s = np.linspace(2.0, k + 1.0, n_samples)
    basis = BSpline.design_matrix(s, knots, 3).toarray()[:, 3 : k + 3]
    basis /= basis.sum(axis=1, keepdims=True)
    basis.setflags(write=False)
    return basis


def spline_basis(n_samples: int, n_control: int) -> np.ndarray:
    """Row-normalised cubic B-spline basis (n_samples, n_control), float64 (see module doc).

    Cached per (n_samples, n_control); the returned array is read-only.
    """
    if n_samples < 1 or n_control < 1:
        raise ValueError(f"need n_samples >= 1 and n_control >= 1, got {n_samples}, {n_control}")
    return _basis(int(n_samples), int(n_control))


@lru_cache(maxsize=1024)
def spline_basis_torch(n_samples: int, n_control: int, dtype=torch.float32, device="cpu") -> torch.Tensor:
    """:func:`spline_basis` as a torch tensor, cached per (n_samples, n_control, dtype, device).

    The tensor is shared between callers: do not modify it in place.
    """
    basis = np.array(spline_basis(n_samples, n_control))  # writable copy for torch
    return torch.as_tensor(basis, dtype=dtype, device=torch.device(device))


def evaluate_spline(control_points, n_samples: int):
    """Evaluate spline(s) at ``n_samples`` parameters evenly spaced over [2, k + 1].

    ``control_points`` is a numpy array (k, 2) or a torch tensor (..., k, 2); returns
    (..., n_samples, 2) of the same kind. The torch path is differentiable in the control points.
    """
    k = control_points.shape[-2]
    if isinstance(control_points, torch.Tensor):
        basis = spline_basis_torch(n_samples, k, control_points.dtype, str(control_points.device))
        return basis @ control_points
    return spline_basis(n_samples, k) @ np.asarray(control_points, dtype=np.float64)


def spline_to_trajectory(control_points):
    """Trajectory for rendering (GNS/pyBPL): evaluate at 200 points, measure the length L,
    re-evaluate at ``ceil(L / 1.5)`` points clamped to [10, 200]. Input (k, 2) numpy or torch."""
    length = arc_length(evaluate_spline(control_points, RENDER_DENSE))
    n = min(max(math.ceil(length / RENDER_SPACING), RENDER_MIN), RENDER_MAX)
    return evaluate_spline(control_points, n)


def drawing_trajectories(control_points) -> list[np.ndarray]:
    """Each stroke's :func:`spline_to_trajectory` (float64, motor px) of a drawing given as a list
    of control-point arrays ``(k, 2)``: what the GNS and Feinman & Lake renderers and figures draw."""
    return [spline_to_trajectory(np.asarray(c, dtype=np.float64)) for c in control_points]


@lru_cache(maxsize=4096)
def _fit_operators(n_samples: int, n_control: int) -> tuple[np.ndarray, np.ndarray]:
    basis = spline_basis(n_samples, n_control)
    return basis, np.linalg.pinv(basis)  # pinv @ y is the least-squares (lstsq) solution


def fit_minimal_spline(points, threshold: float = 0.7, max_control_points: int = 50,
                       step: float = 1.0, resample: bool = True) -> SplineFit:
    """Minimal spline of a raw stroke (n, 2) or (n, 3) (Feinman & Lake 2020; ICLR 2021 A.1).

    The stroke is resampled (:func:`resample_unif_space`), then k = 1, 2, ... control points are
    tried in order, each by ordinary least squares; the first k with loss
    ``sum of squared residuals / n_points < threshold`` is returned. k stops before
    ``min(n_points + 1, max_control_points)``; if no k passes, the last one tried is returned.
    ``resample=False`` fits the given points as they are (they are then taken to be the
    samples at ``linspace(2, k + 1, n)``, not uniform in arc length).
    """
    if max_control_points < 2:
        raise ValueError("max_control_points must be at least 2 (k runs over 1..max-1)")
    y = resample_unif_space(points, step) if resample else np.asarray(points, dtype=np.float64)[:, :2]
    n = len(y)
    for k in range(1, min(n + 1, max_control_points)):
        basis, pinv = _fit_operators(n, k)
        coef = pinv @ y
        loss = float(((y - basis @ coef) ** 2).sum()) / n
        if loss < threshold:
            break
    return SplineFit(control_points=coef, residual=loss, n_points=n)


def fit_drawing(strokes, threshold: float = 0.7, max_control_points: int = 50,
                min_stroke_length: float = 0.0, step: float = 1.0) -> tuple[list[SplineFit], int]:
    """Fit every stroke of a drawing; strokes with raw arc length below ``min_stroke_length``
    are removed (CogSci 2020 / ICLR 2021 A.1: "we removed small strokes using a threshold on the
    trajectory length"; the value is not in the released code).

    Returns (fits of the kept strokes in order, number removed). An empty list means the
    drawing has no strokes left and should be dropped.
    """
    fits, removed = [], 0
    for stroke in strokes:
        if arc_length(stroke) < min_stroke_length:
            removed += 1
            continue
        fits.append(fit_minimal_spline(stroke, threshold, max_control_points, step))
    return fits, removed
