"""Minimal splines over the real mirrored data: every fit meets its threshold."""

import numpy as np

from charchallenge.preprocess.spline_set import SplineSet
from charchallenge.preprocess.splines import arc_length


def test_every_stroke_of_the_small_background_meets_the_threshold(small_dataset, tmp_path):
    latin = small_dataset.indices("Latin")
    splines = SplineSet.fit(small_dataset, np.arange(len(small_dataset)), threshold=0.7,
                            max_control_points=50, min_stroke_length=2.0, step=1.0)
    capped = splines.n_control == np.minimum(splines.n_points, 49)
    assert np.all((splines.residual < 0.7) | capped)
    assert np.mean(splines.residual < 0.7) > 0.999
    # short strokes removed and counted; kept strokes are long enough
    n_strokes = len(small_dataset.stroke_starts) - 1
    assert splines.removed.sum() + len(splines.n_control) == n_strokes
    assert len(splines) >= len(small_dataset) - 5
    splines.save(tmp_path / "s.npz")
    again = SplineSet.load(tmp_path / "s.npz")
    np.testing.assert_array_equal(again.control_points, splines.control_points)
    i = int(np.flatnonzero(np.isin(splines.dataset_index, latin))[0])
    kept = [s for s in small_dataset.strokes(int(splines.dataset_index[i])) if arc_length(s) >= 2.0]
    assert len(again.splines(i)) == len(kept)
