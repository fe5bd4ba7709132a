"""Minimal splines over the real mirrored data: every fit meets its threshold."""

import numpy as np

from charchallenge.preprocess.spline_set import SplineSet
from charchallenge.preprocess.splines import arc_length


def test_control_point_counts_match_the_reference(small_dataset):
    """facts section 1: fitted the reference way (pyBPL resampling, threshold 0.7) on 2,500 strokes
    of the small background sets, 6.5% of strokes have 1 control point, 38.5% have 2, median 3,
    95th percentile 13, max 32 (we measure 6.4%, 40.0%, 3, 12, 32 on our sample)."""
    from charchallenge.preprocess.splines import fit_minimal_spline

    strokes = [s for i in range(len(small_dataset)) for s in small_dataset.strokes(i)]
    pick = np.random.default_rng(0).choice(len(strokes), 2500, replace=False)
    k = np.array([fit_minimal_spline(strokes[j], threshold=0.7, max_control_points=50).n_control for j in pick])
    assert abs(np.mean(k == 1) - 0.065) < 0.015 and abs(np.mean(k == 2) - 0.385) < 0.03
    assert np.median(k) == 3 and 11 <= np.percentile(k, 95) <= 14 and 25 <= k.max() <= 40


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
