"""Snakemake script: Fig. 6 - samples beside their 5 nearest training characters (cosine
distance in the classifier's last hidden layer), and the novelty measure that replaces the
eye (:mod:`charchallenge.feinman2020.novelty`): per model, the share of samples whose
nearest-neighbour similarity exceeds the 95th percentile of that similarity for held-out real
characters of novel classes, with an exact 95% interval, judged on the samples (T = 1) of at
least ``novelty_min_strokes`` strokes; the share over all samples is kept beside it."""

import numpy as np
import pandas as pd
import torch
from matplotlib.patches import Rectangle

from charchallenge.feinman2020.classifier import load_classifier
from charchallenge.feinman2020.data import load_corpus
from charchallenge.feinman2020.novelty import DEFINITION, novelty_reference, sample_novelty
from charchallenge.feinman2020.plotting import image_grid, images
from charchallenge.feinman2020.train import LABELS
from charchallenge.figures import plt
from charchallenge.io import save_figure, write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
s = run["feinman2020"]["samples"]
torch.set_num_threads(smk.threads)
corpus = load_corpus(smk.input.splines, smk.input.dataset, smk.input.canvases)
net, train_idx = load_classifier(smk.input.classifier)
ref, novel_sim = novelty_reference(net, corpus, train_idx, run["data"]["background"])

rows, shown = [], []
for path in smk.input.samples:
    label = LABELS[path.rsplit("samples_", 1)[1].removesuffix(".pt")]
    everything = torch.load(path, weights_only=False)[1.0]["drawings"][: s["novelty"]]
    row, judged = sample_novelty(label, everything, net, ref, novel_sim, s["novelty_min_strokes"], s["neighbours"])
    rows.append(row)
    if judged is not None:
        shown.append((f"{label} ({len(judged[0])} of {len(everything)} samples\nhave >= {s['novelty_min_strokes']} "
                      "strokes)", *judged))
table = pd.DataFrame(rows)
write_csv(smk.output.table, table)
write_json(smk.output.metrics, {
    "novelty": {r["model"]: {k: v for k, v in r.items() if k != "model"} for r in rows},
    "definition": DEFINITION, "provenance": provenance(run["scale"], run["seed"], "cpu"),
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
