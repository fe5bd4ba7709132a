"""What preprocessing made of the drawings: per alphabet and over all, how many strokes the spline
fit (:mod:`.spline_set`) kept and removed, how many drawings it dropped, how many control points a
stroke got and how well the splines fit (residuals against the fit threshold); and the lengths and
step statistics of the trajectories (:mod:`.trajectories`) the sequence models read."""

from __future__ import annotations

import numpy as np
import pandas as pd


def spline_summary(splines, select_drawings: np.ndarray, select_strokes: np.ndarray, name: str) -> dict:
    """The spline fit of the drawings (dataset order) and strokes (spline set order) selected."""
    k, r = splines.n_control[select_strokes], splines.residual[select_strokes]
    return {
        "alphabet": name,
        "drawings": int(select_drawings.sum()),
        "strokes_kept": int(select_strokes.sum()),
        "strokes_removed": int(splines.removed[select_drawings].sum()),
        "drawings_dropped": int(select_drawings.sum() - np.isin(np.flatnonzero(select_drawings),
                                                                splines.dataset_index).sum()),
        "control_points_mean": float(k.mean()),
        "control_points_median": float(np.median(k)),
        "control_points_p95": float(np.percentile(k, 95)),
        "control_points_max": int(k.max()),
        "share_1_control_point": float((k == 1).mean()),
        "share_2_control_points": float((k == 2).mean()),
        "residual_mean": float(r.mean()),
        "residual_max": float(r.max()),
        "share_below_threshold": float((r < splines.threshold).mean()),
    }


def spline_table(dataset, splines) -> tuple[pd.DataFrame, dict]:
    """A row per alphabet of ``dataset`` and one over all (``alphabet`` = "all"), and that total."""
    alphabet = dataset.alphabet_of()
    strokes_alphabet = np.repeat(alphabet[splines.dataset_index], np.diff(splines.stroke_starts))
    rows = [spline_summary(splines, alphabet == a, strokes_alphabet == a, a) for a in dataset.alphabets]
    total = spline_summary(splines, np.ones(len(dataset), bool), np.ones(len(splines.n_control), bool), "all")
    return pd.DataFrame(rows + [total]), total


def trajectory_summary(trajectories) -> dict:
    """How many drawings, how many steps each (median, max), the step length and the SD of the
    offsets."""
    lengths = np.diff(trajectories.starts)
    return {
        "drawings": int(len(trajectories)),
        "steps_median": float(np.median(lengths)),
        "steps_max": int(lengths.max()),
        "step_px": trajectories.step,
        "dx_dy_std": [float(s) for s in trajectories.std[:2]],
    }
