"""What the samples of Feinman & Lake (2020) Figs. 5-8 are ("Generating new characters", the
temperature of the samples): per model and temperature, how many raw draws land on the canvas,
how long the drawings are and how diverse the samples are; per model, whether lowering the
temperature lowers the diversity (ratio T_low / T_high with a 95% bootstrap interval,
:func:`.sampling.diversity_ratio`) in three spaces: the first stroke's start location (px; a
variable the temperature acts on directly), the classifier's feature space (perceptual) and the
pixels of the renderings."""

from __future__ import annotations

import numpy as np
import torch

from .canvases import render_drawings
from .classifier import embed
from .sampling import diversity_ratio, feature_distances, mean_pairwise, pixel_distances
from .train import LABELS

SPACES = ("start", "feature", "pixel")
DEFINITIONS = {
    "on_canvas_share_of_draws": "share of raw model draws whose every rendered point lies on the 105x105 canvas; "
                                "the samples shown are the draws that do (rejection sampling)",
    "start_diversity_px": "mean pairwise distance (px) between the samples' first stroke starts",
    "feature_diversity": "mean pairwise cosine distance between samples in the classifier's last hidden layer",
    "pixel_diversity": "mean pairwise Euclidean distance between the samples' 28x28 renderings",
    "ratio": "diversity at the lower temperature / diversity at the higher; 'lower' when the upper end of the "
             "95% bootstrap interval is below 1",
}


def sample_diversity(name: str, samples: dict, net, n_boot: int, seed: int) -> tuple[list[dict], dict]:
    """One model's samples (temperature -> the sampling job's record) summarised: a row per
    temperature (highest first; the same number of samples at every temperature) and, per space,
    the diversity ratio between the lowest and the highest temperature, ``lower`` when its
    interval lies below 1."""
    rows = []
    k = min(len(v["drawings"]) for v in samples.values())
    dist = {}
    for t, v in sorted(samples.items(), reverse=True):
        drawings = v["drawings"][:k]
        canvases = render_drawings(drawings)
        starts = torch.tensor(np.array([d[0][0] for d in drawings]))
        dist[t] = {"start": pixel_distances(starts), "feature": feature_distances(embed(net, canvases)),
                   "pixel": pixel_distances(canvases)}
        rows.append({"model": LABELS[name], "temperature": t, "samples": k, "raw_draws": v["drawn"],
                     "on_canvas_share_of_draws": v["on_canvas_share"],
                     "off_canvas_samples_kept": int(k - sum(v["on_canvas"][:k])),
                     "strokes_mean": np.mean([len(d) for d in drawings]),
                     "share_two_or_more_strokes": np.mean([len(d) >= 2 for d in drawings]),
                     "control_points_per_stroke_mean": np.mean([len(c) for d in drawings for c in d]),
                     "start_diversity_px": mean_pairwise(dist[t]["start"]),
                     "feature_diversity": mean_pairwise(dist[t]["feature"]),
                     "pixel_diversity": mean_pairwise(dist[t]["pixel"])})
    high, low = max(dist), min(dist)
    ratios = {space: {**diversity_ratio(dist[low][space], dist[high][space], n_boot, seed), "temperatures": [low, high]}
              for space in SPACES}
    for r in ratios.values():
        r["lower"] = bool(r["ratio_ci95"][1] < 1.0)
    return rows, ratios
