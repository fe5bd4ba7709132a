"""Snakemake script: what the samples of Figs. 5-8 are - per model and temperature, how many raw
draws land on the canvas, how long the drawings are, and how diverse the samples are; per model,
whether lowering the temperature lowers the diversity (ratio T_low / T_high with a 95% bootstrap
interval) in three spaces: the first stroke's start location (px; a variable the temperature acts
on directly), the classifier's feature space (perceptual) and the pixels of the renderings."""

import numpy as np
import pandas as pd
import torch

from charchallenge.feinman2020.canvases import render_drawings
from charchallenge.feinman2020.classifier import embed, load_classifier
from charchallenge.feinman2020.sampling import diversity_ratio, feature_distances, mean_pairwise, pixel_distances
from charchallenge.feinman2020.train import LABELS
from charchallenge.io import write_csv, write_json
from charchallenge.provenance import provenance
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
s = run["feinman2020"]["samples"]
torch.set_num_threads(smk.threads)
net, _ = load_classifier(smk.input.classifier)
rows, ratios = [], {}
for path in smk.input.samples:
    name = path.rsplit("samples_", 1)[1].removesuffix(".pt")
    samples = torch.load(path, weights_only=False)
    k = min(len(v["drawings"]) for v in samples.values())  # the same number of samples at every temperature
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
    ratios[LABELS[name]] = {space: {**diversity_ratio(dist[low][space], dist[high][space], s["bootstrap"], run["seed"]),
                                    "temperatures": [low, high]} for space in ("start", "feature", "pixel")}
    for r in ratios[LABELS[name]].values():
        r["lower"] = bool(r["ratio_ci95"][1] < 1.0)
table = pd.DataFrame(rows)
write_csv(smk.output.table, table)
write_json(smk.output.metrics, {
    "samples": {f"{r['model']} T={r['temperature']}": {k: v for k, v in r.items() if k not in ("model", "temperature")}
                for r in rows},
    "temperature_diversity": ratios,
    "definitions": {
        "on_canvas_share_of_draws": "share of raw model draws whose every rendered point lies on the 105x105 canvas; "
                                    "the samples shown are the draws that do (rejection sampling)",
        "start_diversity_px": "mean pairwise distance (px) between the samples' first stroke starts",
        "feature_diversity": "mean pairwise cosine distance between samples in the classifier's last hidden layer",
        "pixel_diversity": "mean pairwise Euclidean distance between the samples' 28x28 renderings",
        "ratio": "diversity at the lower temperature / diversity at the higher; 'lower' when the upper end of the "
                 "95% bootstrap interval is below 1",
    },
    "provenance": provenance(run["scale"], run["seed"], "cpu"),
})
print(table.to_string(index=False))
for m, r in ratios.items():
    t_low, t_high = r["feature"]["temperatures"]
    print(f"{m}: diversity T={t_low} / T={t_high} = " + ", ".join(
        f"{v['ratio']:.2f} {np.round(v['ratio_ci95'], 2).tolist()} ({space})" for space, v in r.items()))
