"""Minimal splines of every drawing of a background set, fitted once and saved as an artifact.

The fit itself is :func:`charchallenge.preprocess.splines.fit_drawing` (Feinman & Lake 2020,
"Spline representation"; ICLR 2021 Appendix A.1). This module applies it to a whole
:class:`~charchallenge.data.dataset.OmniglotDataset` and stores the result in flat arrays:
control points of all kept strokes in one (C, 2) array with offsets per stroke and per drawing.
"""

from __future__ import annotations

import numpy as np

from ..io import save_npz
from .splines import fit_drawing


class SplineSet:
    """Fitted splines. ``dataset_index`` maps each kept drawing to its index in the dataset.

    Per kept stroke: ``residual`` (accepted mean squared residual, px^2) and ``n_points``
    (resampled points fitted). Per dataset drawing: ``removed`` (strokes below the length
    threshold). Drawings left with no stroke are dropped (absent from ``dataset_index``).
    """

    FIELDS = ("control_points", "cp_starts", "stroke_starts", "dataset_index", "residual",
              "n_points", "removed", "threshold")

    def __init__(self, control_points, cp_starts, stroke_starts, dataset_index, residual,
                 n_points, removed, threshold):
        self.control_points, self.cp_starts, self.stroke_starts = control_points, cp_starts, stroke_starts
        self.dataset_index, self.residual, self.n_points = dataset_index, residual, n_points
        self.removed, self.threshold = removed, float(threshold)

    def __len__(self) -> int:
        return len(self.dataset_index)

    @property
    def n_control(self) -> np.ndarray:
        """Control points per kept stroke."""
        return np.diff(self.cp_starts)

    def splines(self, i: int) -> list[np.ndarray]:
        """Control points ((k, 2) arrays) of the strokes of kept drawing ``i``."""
        a, b = self.stroke_starts[i], self.stroke_starts[i + 1]
        return [self.control_points[self.cp_starts[s] : self.cp_starts[s + 1]] for s in range(a, b)]

    @classmethod
    def fit(cls, dataset, indices, threshold: float, max_control_points: int,
            min_stroke_length: float, step: float, progress: bool = False) -> "SplineSet":
        indices = np.asarray(indices, dtype=np.int64)
        iterator = indices
        if progress:
            from charchallenge.progress import progress as _progress
            iterator = _progress(indices, "fitting minimal splines", unit="drawings")
        cps, residual, n_points, per_drawing, kept, removed = [], [], [], [], [], []
        for i in iterator:
            fits, n_removed = fit_drawing(dataset.strokes(int(i)), threshold, max_control_points,
                                          min_stroke_length, step)
            removed.append(n_removed)
            if not fits:
                continue
            kept.append(i)
            per_drawing.append(len(fits))
            for fit in fits:
                cps.append(fit.control_points)
                residual.append(fit.residual)
                n_points.append(fit.n_points)
        counts = [len(c) for c in cps]
        return cls(
            control_points=np.concatenate(cps) if cps else np.zeros((0, 2)),
            cp_starts=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            stroke_starts=np.concatenate([[0], np.cumsum(per_drawing)]).astype(np.int64),
            dataset_index=np.asarray(kept, dtype=np.int64),
            residual=np.asarray(residual), n_points=np.asarray(n_points, dtype=np.int64),
            removed=np.asarray(removed, dtype=np.int64), threshold=threshold,
        )

    def save(self, path) -> None:
        save_npz(path, **{k: getattr(self, k) for k in self.FIELDS})

    @classmethod
    def load(cls, path) -> "SplineSet":
        with np.load(path, allow_pickle=False) as f:
            return cls(**{k: f[k] for k in cls.FIELDS})
