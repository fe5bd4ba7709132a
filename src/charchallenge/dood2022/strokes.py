"""How many strokes a trained model draws, against the drawers (Liang et al. 2022, Sec. 2.1: the
stop variable o_t decides the number of strokes; Sec. 3.3 reads the inferred strokes as parts).

* :func:`model_stroke_counts`: the recognition model's stroke count per image, averaged over
  draws of q;
* :func:`drawer_stroke_counts`: the number of strokes the drawer used for the same image;
* :func:`count_agreement`: their mean and Spearman rank correlation, with a bootstrap interval
  over images;
* :func:`forced_count_elbo`: the ELBO per image with the stroke count forced to n = 0..max (the
  strokes still q's): which count the objective itself prefers. If it rises through the cap, a
  model that draws every stroke is the objective's optimum, not a failure to learn.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.stats import spearmanr
from torch import Tensor

from .model import forced_stroke_elbo


def drawer_stroke_counts(dataset, indices) -> np.ndarray:
    """Strokes (N,) of the drawings ``indices`` of an :class:`~charchallenge.data.dataset.OmniglotDataset`."""
    return np.diff(dataset.drawing_starts)[np.asarray(indices)].astype(float)


@torch.no_grad()
def model_stroke_counts(model, images: Tensor, draws: int, seed: int, batch: int = 256) -> np.ndarray:
    """Mean number of strokes (N,) q draws per image over ``draws`` draws (seeded)."""
    model.eval()
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        counts = [torch.stack([model.infer(images[a : a + batch]).n_strokes for _ in range(draws)]).mean(0)
                  for a in range(0, len(images), batch)]
    return torch.cat(counts).numpy().astype(float)


@torch.no_grad()
def forced_count_elbo(model, images: Tensor, draws: int, seed: int, batch: int = 256) -> np.ndarray:
    """(max_strokes + 1, N): per image, the mean over ``draws`` of the ELBO with exactly n strokes
    (:func:`charchallenge.dood2022.model.forced_stroke_elbo`), n = 0..max_strokes."""
    model.eval()
    rows = []
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        for n in range(model.cfg.max_strokes + 1):
            rows.append(torch.cat([
                torch.stack([forced_stroke_elbo(model.infer(images[a : a + batch], force_strokes=n))
                             for _ in range(draws)]).mean(0)
                for a in range(0, len(images), batch)]))
    return torch.stack(rows).numpy().astype(float)


def count_agreement(model_counts: np.ndarray, drawer_counts: np.ndarray, n_boot: int = 1000,
                    seed: int = 0) -> dict:
    """Mean strokes of model and drawers, and the Spearman correlation with its 95% bootstrap
    interval over images (resampled with replacement)."""
    m, d = np.asarray(model_counts, float), np.asarray(drawer_counts, float)
    if m.shape != d.shape or m.ndim != 1 or len(m) < 3:
        raise ValueError(f"count_agreement needs two equal-length vectors of 3 or more counts, got {m.shape} and {d.shape}")

    def rho(a, b):
        if np.ptp(a) == 0 or np.ptp(b) == 0:
            return 0.0  # a constant count ranks nothing
        return float(spearmanr(a, b).statistic)

    rng = np.random.default_rng(seed)
    boots = [rho(m[i], d[i]) for i in (rng.integers(0, len(m), len(m)) for _ in range(n_boot))]
    lo, hi = np.percentile(boots, [2.5, 97.5])
    return {"images": int(len(m)), "model_mean": float(m.mean()), "drawer_mean": float(d.mean()),
            "spearman": rho(m, d), "spearman_low": float(lo), "spearman_high": float(hi)}


def stroke_verdict(agreement: dict, mean_range, min_spearman: float, still_improving: bool) -> str:
    """``holds`` when the model's mean count lies in ``mean_range`` and its Spearman correlation
    with the drawers exceeds ``min_spearman``; ``fails`` otherwise; ``not evidence`` for a model
    still improving when its training stopped."""
    if still_improving:
        return "not evidence"
    lo, hi = mean_range
    ok = lo <= agreement["model_mean"] <= hi and agreement["spearman"] > min_spearman
    return "holds" if ok else "fails"
