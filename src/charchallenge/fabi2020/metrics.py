"""Error measures between a generated and a target trajectory (Fabi et al. 2020, section 3.1).

* :func:`sequence_mse` - the training/inference loss: mean squared error over time steps and the
  4 normalised features (dx, dy, pen, onset) of two equally long trajectories.
* :func:`modified_hausdorff` - the modified Hausdorff distance (Dubuisson & Jain 1994),
  ``max(mean_a min_b |a-b|, mean_b min_a |a-b|)``, in pixels, between the *drawn ink* of two
  trajectories: positions are the cumulative sum of (dx, dy) from the same origin (both drawings
  start where the pen starts), ink is what :func:`trajectory_to_strokes` draws (pen-up travel is
  not ink), densified to at most ``spacing`` px between points. A trajectory that draws no ink
  at all is represented by its whole pen path, so the distance stays defined (and large).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

from charchallenge.preprocess.trajectories import trajectory_to_strokes


def sequence_mse(output: np.ndarray, target: np.ndarray) -> float:
    output, target = np.asarray(output, np.float64), np.asarray(target, np.float64)
    n = min(len(output), len(target))
    return float(((output[:n] - target[:n]) ** 2).mean())


def densify(points: np.ndarray, spacing: float = 1.0) -> np.ndarray:
    """Points along a polyline with at most ``spacing`` between neighbours (vertices kept)."""
    points = np.asarray(points, np.float64)
    if len(points) < 2:
        return points
    out = [points[:1]]
    for a, b in zip(points[:-1], points[1:]):
        n = max(1, int(np.ceil(np.linalg.norm(b - a) / spacing)))
        out.append(a + (b - a) * (np.arange(1, n + 1)[:, None] / n))
    return np.concatenate(out)


def ink_points(trajectory_px: np.ndarray, spacing: float = 1.0) -> np.ndarray:
    """(N, 2) points on the drawn ink of a trajectory in pixel units (motor x, y)."""
    strokes = trajectory_to_strokes(trajectory_px)
    strokes = [densify(s, spacing) for s in strokes if len(s) > 0]
    if strokes:
        return np.concatenate(strokes)
    path = np.cumsum(np.asarray(trajectory_px, np.float64)[:, :2], axis=0)
    return densify(path, spacing)


def modified_hausdorff_points(a: np.ndarray, b: np.ndarray) -> float:
    d = cdist(a, b)
    return float(max(d.min(axis=1).mean(), d.min(axis=0).mean()))


def modified_hausdorff(traj_a_px: np.ndarray, traj_b_px: np.ndarray, spacing: float = 1.0) -> float:
    """Modified Hausdorff distance (px) between the ink of two trajectories in pixel units."""
    return modified_hausdorff_points(ink_points(traj_a_px, spacing), ink_points(traj_b_px, spacing))
