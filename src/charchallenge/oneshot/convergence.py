"""The verdict on whether a classification setting has converged in its iteration count: its error
against that of a longer run on the same trials (paired), "converged" when they differ by at most
``tolerance`` points and the paired 95% interval of the difference includes 0."""

from __future__ import annotations

import numpy as np

from .scoring import paired_difference


def convergence_verdict(correct_used, correct_longest, tolerance: float, seed: int = 0) -> dict:
    """``correct_used`` / ``correct_longest``: per trial, correct at the params' count and at the
    longest count. Returns the paired difference (points, params minus longest) and the verdict."""
    diff = paired_difference(np.asarray(correct_used, bool), np.asarray(correct_longest, bool), seed=seed)
    converged = abs(diff["difference"]) <= tolerance and diff["ci95_low"] <= 0 <= diff["ci95_high"]
    return {**diff, "verdict": "converged" if converged else "not converged"}
