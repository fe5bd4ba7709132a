"""The Frechet distance between two sets of image features (Heusel et al. 2017), the "FID" of
DooD's Fig. 6 (Liang et al. 2022, Sec. 3.2):

    FID = |mu_1 - mu_2|^2 + tr(S_1 + S_2 - 2 (S_1 S_2)^(1/2))

for the feature means mu and covariances S of the two sets. The paper's features are Inception's;
offline there are no Inception weights, so ours are the unit-normalised last hidden layer of the
character classifier trained here (:mod:`charchallenge.feinman2020.classifier`), and the numbers
compare models with each other here, not with the paper's values.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """FID between feature sets ``a`` (N, d) and ``b`` (M, d), N, M >= 2."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(f"FID needs two (N, d) feature sets of the same d and N >= 2, got {a.shape} and {b.shape}")
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = np.real(linalg.sqrtm(s1 @ s2))
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * root))
