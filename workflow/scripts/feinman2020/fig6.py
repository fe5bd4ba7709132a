"""Snakemake script: Fig. 6 - samples beside their 5 nearest training characters (cosine
distance in the classifier's last hidden layer), and the novelty measure that replaces the
eye: per model, the share of samples whose nearest-neighbour similarity exceeds the 95th
percentile of that similarity for held-out real characters of novel classes, with an exact 95%
interval. Judged on the samples (T = 1) of at least ``novelty_min_strokes`` strokes: a dash or a
dot is near everything and says nothing about novelty; the share over all samples is kept
beside it."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from matplotlib.patches import Rectangle

from charchallenge.feinman2020.canvases import render_drawings
from charchallenge.feinman2020.classifier import embed, load_classifier, nearest, novelty_share, share_interval
from charchallenge.feinman2020.data import load_corpus
from charchallenge.feinman2020.plotting import image_grid, images
from charchallenge.feinman2020.splits import holdout_split
from charchallenge.feinman2020.train import LABELS
from charchallenge.io import save_figure, write_csv, write_json
from charchallenge.provenance import provenance
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
s = run["feinman2020"]["samples"]
torch.set_num_threads(smk.threads)
corpus = load_corpus(smk.input.splines, smk.input.dataset, smk.input.canvases)
net, train_idx = load_classifier(smk.input.classifier)
_, novel_idx = holdout_split(corpus.alphabet, run["data"]["background"])
ref = embed(net, corpus.complete_canvases(train_idx))
novel_sim = nearest(embed(net, corpus.complete_canvases(novel_idx)), ref, 1)[0][:, 0].numpy()

rows, shown = [], []
for path in smk.input.samples:
    name = path.rsplit("samples_", 1)[1].removesuffix(".pt")
    everything = torch.load(path, weights_only=False)[1.0]["drawings"][: s["novelty"]]
    drawings = [d for d in everything if len(d) >= s["novelty_min_strokes"]]
    if not drawings:
        print(f"{LABELS[name]}: no sample of >= {s['novelty_min_strokes']} strokes among {len(everything)}")
        rows.append({"model": LABELS[name], "samples": len(everything), "judged_samples": 0,
                     "share_closer_than_novel_real": float("nan")})
        continue
    sim_all, _ = nearest(embed(net, render_drawings(everything)), ref, 1)
    sim, idx = nearest(embed(net, render_drawings(drawings)), ref, s["neighbours"])
    share, level = novelty_share(sim[:, 0].numpy(), novel_sim)
    rows.append({"model": LABELS[name], "samples": len(everything), "min_strokes": s["novelty_min_strokes"],
                 "judged_samples": len(drawings), "share_closer_than_novel_real": share,
                 "share_ci95_low": share_interval(share, len(drawings))[0],
                 "share_ci95_high": share_interval(share, len(drawings))[1],
                 "share_all_samples": novelty_share(sim_all[:, 0].numpy(), novel_sim)[0],
                 "level_cosine_similarity": level, "mean_nn_similarity": float(sim[:, 0].mean()),
                 "novel_real_mean_nn_similarity": float(novel_sim.mean()), "novel_real_characters": len(novel_sim)})
    shown.append((f"{LABELS[name]} ({len(drawings)} of {len(everything)} samples\nhave >= {s['novelty_min_strokes']} strokes)",
                  drawings, idx.numpy()))
table = pd.DataFrame(rows)
write_csv(smk.output.table, table)
write_json(smk.output.metrics, {
    "novelty": {r["model"]: {k: v for k, v in r.items() if k != "model"} for r in rows},
    "definition": "share of model samples (T = 1) of at least min_strokes strokes whose nearest training character "
                  "(cosine similarity, last hidden layer of the CNN classifier) is closer than the 95th percentile of "
                  "the same similarity for held-out real characters of novel classes (0.05 for novel real characters "
                  "by construction), with an exact (Clopper-Pearson) 95% interval; share_all_samples: the same over "
                  "every sample",
    "provenance": provenance(run["scale"], run["seed"], "cpu"),
})

n_rows = min(9, min(len(d) for _, d, _ in shown))
k = s["neighbours"]
fig, axes = plt.subplots(1, len(shown), figsize=(3.0 * len(shown), 0.55 * n_rows + 0.6))
for ax, (title, drawings, idx) in zip(np.atleast_1d(axes), shown):
    tiles = []
    for r in range(n_rows):
        tiles.append(images([drawings[r]])[0])
        tiles.extend(images([corpus.drawings[train_idx[j]] for j in idx[r]]))
    image_grid(ax, np.stack(tiles), k + 1, title)
    for r in range(n_rows):
        ax.add_patch(Rectangle((2, 2 + r * 109), 107, 107, fill=False, ec="red", lw=1.2))
fig.suptitle(f"Fig. 6: samples of >= {s['novelty_min_strokes']} strokes (red) and their nearest training characters",
             fontsize=10)
save_figure(fig, smk.output.figure, dpi=110)
print(table.to_string(index=False))
