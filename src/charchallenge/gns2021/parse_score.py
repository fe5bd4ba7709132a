"""How close a parse is to the human one (beyond the paper, which shows parses by eye, Fig. 3b/A11).

For one drawing: the human parse is its recorded strokes, a model's parse its strokes (motor px).
* ``count_match``: the two have the same number of strokes;
* ``stroke_distance``: strokes are matched one-to-one by the Hungarian algorithm on the
  modified Hausdorff distance between their points (resampled every 1 px; direction ignored,
  as the distance is symmetric), and the matched distances are averaged; strokes left unmatched
  (when the counts differ) are not in the mean - the count says how many there are.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from charchallenge.preprocess.splines import resample_unif_space


def _points(stroke: np.ndarray) -> np.ndarray:
    s = np.asarray(stroke, dtype=np.float64)[:, :2]
    return resample_unif_space(s, 1.0) if len(s) > 1 else s


def stroke_mhd(a: np.ndarray, b: np.ndarray) -> float:
    """Modified Hausdorff distance (px) between two strokes' point sets."""
    d = cdist(_points(a), _points(b))
    return float(max(d.min(1).mean(), d.min(0).mean()))


def compare_parses(model: list[np.ndarray], human: list[np.ndarray]) -> dict:
    """``{"count_match", "n_model", "n_human", "stroke_distance"}`` of one drawing."""
    cost = np.array([[stroke_mhd(m, h) for h in human] for m in model])
    rows, cols = linear_sum_assignment(cost)
    return {"count_match": len(model) == len(human), "n_model": len(model), "n_human": len(human),
            "stroke_distance": float(cost[rows, cols].mean())}
