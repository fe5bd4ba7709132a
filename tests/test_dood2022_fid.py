"""The Frechet distance: zero for one set against itself, the squared mean shift for two sets of
one covariance, the closed form for two isotropic Gaussians, and a clear error on bad shapes."""

import numpy as np
import pytest

from charchallenge.dood2022.fid import frechet_distance


def test_frechet_distance_closed_forms():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4000, 3))
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    shift = np.array([0.5, -1.0, 2.0])
    assert frechet_distance(a, a + shift) == pytest.approx(float((shift**2).sum()), rel=1e-6)
    # N(0, I) vs N(0, 4 I) in 3 dimensions: tr(I + 4I - 2 * 2I) = 3
    b = rng.normal(size=(200000, 3)) * 2.0
    c = rng.normal(size=(200000, 3))
    assert frechet_distance(c, b) == pytest.approx(3.0, rel=0.03)


def test_frechet_distance_rejects_mismatched_features():
    with pytest.raises(ValueError, match="same d"):
        frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))
