"""Verdicts of the transfer table's comparisons (Liang et al. 2022, Sec. 3.1: DooD above AIR and
above its ablation without execution guidance; every model above an empty canvas).

A cell is a row with ``log_likelihood`` (mean over seeds), ``sd_over_seeds``, ``seeds``,
``se_images`` (the IWAE mean's standard error over test images), ``runs_still_improving`` and,
for the floor, ``floor_empty_canvas``. Model A "beats" B in a cell when A's mean exceeds B's by
more than twice the combined standard error (over seeds when both have several, else over
images); "fails" when B exceeds A by as much; "undecided" in between. Against the floor the claim
is one-sided: A beats the empty canvas or it fails. Any compared run still improving when its
training stopped makes the verdict "not evidence": an unconverged model's gap is not the method's.
"""

from __future__ import annotations

import math


def verdict(difference: float, threshold: float, runs_still_improving: int, one_sided: bool = False) -> str:
    """``holds`` / ``fails`` / ``undecided`` / ``not evidence`` for A - B = ``difference``."""
    if runs_still_improving:
        return "not evidence"
    if difference > threshold:
        return "holds"
    return "fails" if one_sided or difference < -threshold else "undecided"


def compare_cells(a: str, b: str, x, y) -> dict:
    """Model ``a``'s cell ``x`` against model ``b``'s cell ``y`` (same source and target)."""
    if x.seeds > 1 and y.seeds > 1:
        se = math.sqrt(x.sd_over_seeds**2 / x.seeds + y.sd_over_seeds**2 / y.seeds)
    else:
        se = math.sqrt(x.se_images**2 + y.se_images**2)
    unconverged = int(x.runs_still_improving + y.runs_still_improving)
    diff = float(x.log_likelihood - y.log_likelihood)
    return {"a": a, "b": b, "difference": diff, "threshold": 2 * se, "runs_still_improving": unconverged,
            "verdict": verdict(diff, 2 * se, unconverged)}


def compare_with_floor(a: str, x) -> dict:
    """Model ``a``'s cell ``x`` against the empty canvas of its target (one-sided)."""
    se = x.sd_over_seeds / math.sqrt(x.seeds) if x.seeds > 1 else x.se_images
    diff = float(x.log_likelihood - x.floor_empty_canvas)
    unconverged = int(x.runs_still_improving)
    return {"a": a, "b": "empty canvas", "difference": diff, "threshold": 2 * se,
            "runs_still_improving": unconverged, "verdict": verdict(diff, 2 * se, unconverged, one_sided=True)}
