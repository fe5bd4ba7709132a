"""Modified Hausdorff distance on drawn ink (pixels): known values; pen-up travel is not ink."""

import numpy as np
import pytest

from charchallenge.fabi2020.metrics import ink_points, modified_hausdorff, modified_hausdorff_points, sequence_mse


def _stroke(dx, dy, n, onset=True):
    s = np.zeros((n, 4))
    s[1:, 0], s[1:, 1], s[1:, 2] = dx, dy, 1.0
    s[0, 3] = 1.0 if onset else 0.0
    return s


def test_identical_is_zero_and_shift_is_distance():
    line = _stroke(1.0, 0.0, 11)
    assert modified_hausdorff(line, line) == 0.0
    shifted = line.copy()
    shifted[0, :2] = (0.0, 3.0)  # first step moves the start up by 3 px, then the same line
    assert modified_hausdorff(line, shifted) == pytest.approx(3.0)


def test_point_sets_known_value():
    a = np.array([[0.0, 0.0], [1.0, 0.0]])
    b = np.array([[0.0, 2.0]])
    # a->b: mean(2, sqrt(5)); b->a: 2
    assert modified_hausdorff_points(a, b) == pytest.approx((2 + np.sqrt(5)) / 2)


def test_pen_up_travel_is_not_ink():
    first = _stroke(1.0, 0.0, 6)                 # ink from (0,0) to (5,0)
    travel = np.zeros((5, 4))
    travel[:, 1] = -2.0                          # pen up, 10 px down
    second = _stroke(1.0, 0.0, 6)                # ink from (5,-10) to (10,-10)
    second[0, :2] = (-5.0, 0.0)
    traj = np.concatenate([first, travel, second])
    pts = ink_points(traj)
    assert pts[:, 1].max() == 0.0 and pts[:, 1].min() == -10.0
    assert not np.any((pts[:, 1] < -0.5) & (pts[:, 1] > -9.5))  # nothing drawn along the travel


def test_sequence_mse():
    assert sequence_mse(np.ones((3, 4)), np.zeros((3, 4))) == 1.0
