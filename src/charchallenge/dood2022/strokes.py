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

:func:`stroke_runs` applies them to every trained model: the rows of the stroke-count table (with
a verdict by :func:`stroke_verdict`), the forced-count table, the counts per variant and the
examples the figure colours stroke by stroke.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.stats import spearmanr
from torch import Tensor

from charchallenge.training import still_improving

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


def stroke_runs(runs, images: Tensor, drawers: np.ndarray, params: dict, convergence: dict):
    """Every trained model's stroke counts on ``images`` against the ``drawers``' counts.

    ``runs`` yields (model, saved record, learning curve frame); ``params`` is params
    ``dood2022.strokes`` (``draws``, ``n_boot``, ``forced_draws``, ``mean_range``,
    ``min_spearman``, ``figure_examples``), ``convergence`` params ``dood2022.convergence``.
    Returns the table's rows (one per model), the forced-count rows (one per model and count),
    the counts per variant (one array per seed) and, for the first DooD model, the figure's
    examples: (images, drawers' counts, per inferred stroke its rendered ink times drawn)."""
    rows, forced_rows, hist, examples = [], [], {}, None
    for model, saved, curve in runs:
        variant, seed = saved["variant"], int(saved["seed"])
        counts = model_stroke_counts(model, images, params["draws"], seed)
        agreement = count_agreement(counts, drawers, params["n_boot"], seed)
        improving, rel = still_improving(curve.val_loss.to_numpy(), convergence["last_fraction"],
                                         convergence["max_improvement"])
        forced = forced_count_elbo(model, images, params["forced_draws"], seed)
        best_n = forced.argmax(0)
        rows.append({"variant": variant, "seed": seed, **agreement, "still_improving": bool(improving),
                     "relative_improvement": rel, "forced_best_mean": float(best_n.mean()),
                     "verdict": stroke_verdict(agreement, params["mean_range"], params["min_spearman"],
                                               bool(improving))})
        forced_rows += [{"variant": variant, "seed": seed, "strokes": n, "elbo": float(forced[n].mean()),
                         "elbo_se": float(forced[n].std(ddof=1) / np.sqrt(forced.shape[1])),
                         "share_best": float((best_n == n).mean())} for n in range(len(forced))]
        hist.setdefault(variant, []).append(counts)
        if variant == "dood" and examples is None:
            k = params["figure_examples"]
            with torch.no_grad(), torch.random.fork_rng():
                torch.manual_seed(seed)
                trace = model.infer(images[:k])
                examples = (images[:k].numpy(), drawers[:k],
                            [(model.p.render(cp) * drawn[:, None, None]).numpy() for cp, drawn in
                             zip(trace.strokes, trace.drawn)])
        print(f"{variant} seed {seed}: {agreement['model_mean']:.2f} strokes per test image (drawers "
              f"{agreement['drawer_mean']:.2f}), Spearman {agreement['spearman']:.3f} "
              f"[{agreement['spearman_low']:.3f}, {agreement['spearman_high']:.3f}]; forced-count ELBO best at "
              f"n = {int(np.argmax(forced.mean(1)))}; {rows[-1]['verdict']}")
    return rows, forced_rows, hist, examples


def stroke_metrics(rows: list[dict], params: dict) -> dict:
    """The summary of :func:`stroke_runs`'s rows per model, with the criteria of the verdict."""
    return {
        "runs": {f"{r['variant']}_seed{r['seed']}": {k: r[k] for k in ("model_mean", "drawer_mean", "spearman",
                                                                       "spearman_low", "spearman_high", "verdict")}
                 for r in rows},
        "criteria": {"mean_range": params["mean_range"], "min_spearman": params["min_spearman"]}}
