"""The network canvases are made as the reference makes them (facts section 1): spline
trajectories painted at 105x105 with blur 0.5, resized to 28x28 by plain bilinear interpolation
(no antialiasing), so their statistics are those the standardisation constants assume."""

import numpy as np

from charchallenge.feinman2020.canvases import LOC_STATS, TERM_STATS, render_drawings
from charchallenge.preprocess.splines import fit_drawing


def test_canvas_statistics_match_the_standardisation_constants(small_dataset):
    """Measured on 800 drawings of the small background set: location/stroke canvases (before
    each stroke) mean 0.031, SD 0.155 (constants 0.0243, 0.1383); termination canvases (all
    n + 1) mean 0.043, SD 0.182 (constants 0.0574, 0.2084). Antialiased resizing gives a
    termination SD of 0.159, 24% below its constant: this test would fail on it."""
    idx = np.random.default_rng(0).choice(len(small_dataset), 300, replace=False)
    drawings = [[f.control_points for f in fit_drawing(small_dataset.strokes(int(i)))[0]] for i in idx]
    before = render_drawings([d[:j] for d in drawings for j in range(len(d))])
    every = render_drawings([d[:j] for d in drawings for j in range(len(d) + 1)])
    assert abs(before.std().item() / LOC_STATS[1] - 1) < 0.2
    assert abs(every.std().item() / TERM_STATS[1] - 1) < 0.16
    assert abs(before.mean().item() / LOC_STATS[0] - 1) < 0.4 and abs(every.mean().item() / TERM_STATS[0] - 1) < 0.4
