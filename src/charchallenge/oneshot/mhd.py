"""The modified Hausdorff distance baseline of the Omniglot repository's classification demo
(Lake et al. 2015; Dubuisson & Jain 1994), as facts: each image becomes the set of its ink pixels'
(row, column) coordinates, centred on their mean; the distance of two sets is the larger of the
two mean nearest-neighbour distances; a test image goes to the training image at the smallest
distance. Deterministic: no parameter, no training."""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree


def ink_points(image: np.ndarray) -> np.ndarray:
    """Centred (row, column) coordinates of the ink pixels (ink = True / 1) of a binary image."""
    points = np.argwhere(np.asarray(image) > 0.5).astype(np.float64)
    if len(points) == 0:
        raise ValueError("an image without ink has no modified Hausdorff distance")
    return points - points.mean(0)


def modified_hausdorff(a: np.ndarray, b: np.ndarray) -> float:
    """max(mean_a min_b |a - b|, mean_b min_a |a - b|) of two point sets (n, 2) and (m, 2)."""
    to_b = cKDTree(b).query(a)[0].mean()
    to_a = cKDTree(a).query(b)[0].mean()
    return float(max(to_a, to_b))


def cost_matrix(test_images: np.ndarray, train_images: np.ndarray) -> np.ndarray:
    """(n_test, n_train) modified Hausdorff distances."""
    train = [ink_points(im) for im in train_images]
    return np.array([[modified_hausdorff(ink_points(t), c) for c in train] for t in test_images])


def classify(test_images: np.ndarray, train_images: np.ndarray) -> np.ndarray:
    """Index of the nearest training image per test image."""
    return cost_matrix(test_images, train_images).argmin(1)
