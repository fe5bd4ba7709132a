"""Entirely new concepts by blending (Fabi et al. 2020, section 3.4, Fig. 5).

"We present the resulting model with blending input vectors with two non-zero values that sum
up to one." Blends run from 100:0 to 0:100 in ``steps`` steps (11 codes for 10 steps). The
generated length interpolates the two letters' reference lengths the same way.

Smoothness (our criterion for "the observable smooth blending transitions"): along a blend the
modified Hausdorff distance of each drawing to the 100:0 drawing should grow monotonically
(Spearman rank correlation with the blend step near 1) and no single step should jump by most of
the distance between the two ends (largest step-to-step distance / end-to-end distance).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.stats import spearmanr

from .metrics import modified_hausdorff


def blend_weights(steps: int) -> np.ndarray:
    """Share of the first letter, 1 .. 0 in ``steps`` equal steps (steps + 1 values)."""
    return np.linspace(1.0, 0.0, steps + 1)


def blend_codes(pairs: list[tuple[int, int]], n_inputs: int, steps: int) -> torch.Tensor:
    """Codes (P * (steps+1), K): for each pair, a * e_i + (1 - a) * e_j."""
    a = torch.as_tensor(blend_weights(steps), dtype=torch.float32)
    rows = []
    for i, j in pairs:
        code = torch.zeros(len(a), n_inputs)
        code[:, i] += a
        code[:, j] += 1 - a
        rows.append(code)
    return torch.cat(rows)


def blend_lengths(pairs, reference_lengths: dict[int, int], steps: int) -> list[int]:
    a = blend_weights(steps)
    return [int(round(w * reference_lengths[i] + (1 - w) * reference_lengths[j])) for i, j in pairs for w in a]


def smoothness(drawings_px: list[np.ndarray]) -> dict:
    """Monotonicity and largest jump of a blend sequence of trajectories (pixel units)."""
    to_start = np.array([modified_hausdorff(d, drawings_px[0]) for d in drawings_px])
    jumps = np.array([modified_hausdorff(a, b) for a, b in zip(drawings_px[:-1], drawings_px[1:])])
    end_to_end = to_start[-1]
    rho = spearmanr(np.arange(len(to_start)), to_start).statistic
    return {
        "spearman": float(rho) if np.isfinite(rho) else 0.0,
        "max_jump_ratio": float(jumps.max() / end_to_end) if end_to_end > 0 else float("inf"),
        "end_to_end_mhd": float(end_to_end),
        "to_start": to_start.tolist(),
        "jumps": jumps.tolist(),
    }


def reference_lengths(study) -> dict[int, int]:
    """Generation length per character: the shown example's for novel letters, the median over
    drawers for trained ones."""
    lengths = {c: len(study.sequence(c, study.shown_drawer)) for c in study.novel}
    for c in study.trained:
        lengths[c] = int(np.median([len(study.sequence(c, d)) for d in study.drawers]))
    return lengths


def run_blends(models, study, pair_labels, steps: int, device: str = "cpu"):
    """Blends [s][p][k] (normalised outputs) of every pair for every (one-shot-inferred) model."""
    from .variants import generate

    pairs = [(study.index(a), study.index(b)) for a, b in pair_labels]
    codes = blend_codes(pairs, study.n_inputs, steps)
    lengths = blend_lengths(pairs, reference_lengths(study), steps)
    out = generate(models, codes.expand(len(models), -1, -1), lengths, device)
    n = steps + 1
    return pairs, [[out[s][p * n:(p + 1) * n] for p in range(len(pairs))] for s in range(len(models))]
