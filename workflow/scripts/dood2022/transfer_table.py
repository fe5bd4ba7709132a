"""Snakemake script: DooD's Fig. 4 (Liang et al. 2022, Sec. 3.1). For every model variant, the
source x target table of IWAE log-likelihoods (mean and SD over seeds, nats per image), as
heatmaps side by side (DooD, its ablation without execution guidance, AIR), the reconstructions
of a few target images by every source's model, and the learning curves of every run.

A floor beside every cell: the log-likelihood of an empty canvas with the Laplace scale fitted to
the target's test images; a model must beat it to have explained any ink. The paper's
comparisons and their verdicts: :mod:`charchallenge.dood2022.verdicts` ("not evidence" when a run
compared was still improving by ``training.still_improving`` on its validation curve).
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from charchallenge.dood2022.verdicts import compare_cells, compare_with_floor  # noqa: E402
from charchallenge.io import save_figure, write_csv, write_json  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402
from charchallenge.provenance import provenance  # noqa: E402
from charchallenge.training import still_improving  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
d = run["dood2022"]
datasets = list(smk.params.datasets)
variants = list(d["models"])
conv = d["convergence"]

scores = pd.concat([pd.read_csv(p) for p in smk.input.scores], ignore_index=True)
curves = []
for path in smk.input.curves:
    stem = path.rsplit("/", 1)[-1][: -len(".csv")]
    c = pd.read_csv(path)
    variant, rest = next((v, stem[len(v) + 1 :]) for v in sorted(variants, key=len, reverse=True)
                         if stem.startswith(v + "_"))
    dataset, seed = rest.rsplit("_seed", 1)
    c.insert(0, "seed", int(seed))
    c.insert(0, "dataset", dataset)
    c.insert(0, "variant", variant)
    curves.append(c)
curves = pd.concat(curves, ignore_index=True)
write_csv(smk.output.curves, curves)
# The DVC plots: one file per run (variant, dataset, seed), validation -ELBO and strokes per image.
for (variant, dataset, seed), c in curves.groupby(["variant", "dataset", "seed"]):
    write_csv(f"{smk.output.curves_per_run}/{variant}_{dataset}_seed{seed}.csv",
              c[["step", "train_loss", "val_loss", "val_strokes"]])
improving = {}
for (variant, dataset, seed), c in curves.groupby(["variant", "dataset", "seed"]):
    flag, rel = still_improving(c.val_loss.to_numpy(), conv["last_fraction"], conv["max_improvement"])
    improving[(variant, dataset, int(seed))] = (bool(flag), float(rel))

table = (scores.groupby(["variant", "source", "target"])
         .agg(log_likelihood=("log_likelihood", "mean"), sd_over_seeds=("log_likelihood", "std"),
              seeds=("seed", "count"), se_images=("log_likelihood_se", "mean"), images=("images", "first"))
         .reset_index())
table["runs_still_improving"] = [
    sum(improving[(r.variant, r.source, s)][0] for s in d["seeds"]) for r in table.itertuples()]
# Floor: an empty canvas with the Laplace scale fitted to the target's own test images (the best
# sigma is their mean absolute ink): a model that does not beat it explains none of the ink.
floor = {}
for path in smk.input.targets:
    x = np.load(path)["test"][: d["iwae"]["max_images"]]
    floor[path.rsplit("/", 1)[-1][: -len(".npz")]] = float(-x[0].size * (1 + np.log(2 * np.abs(x).mean())))
table["floor_empty_canvas"] = table.target.map(floor)
table.insert(0, "datasets", " ".join(datasets))
write_csv(smk.output.table, table)


def cell(variant, source, target):
    row = table[(table.variant == variant) & (table.source == source) & (table.target == target)]
    return row.iloc[0] if len(row) else None


def compare(a, b, source, target):
    x, y = cell(a, source, target), cell(b, source, target)
    if x is None or y is None:
        return None
    return {**compare_cells(a, b, x, y), "source": source, "target": target}


def beats_floor(a, source, target):
    x = cell(a, source, target)
    return None if x is None else {**compare_with_floor(a, x), "source": source, "target": target}


pairs = [(a, b) for a, b in [("dood", "air"), ("dood", "dood_no_eg")] if a in variants and b in variants]
comparisons = [c for a, b in pairs for s in datasets for t in datasets if (c := compare(a, b, s, t))]
comparisons += [c for a in variants for s in datasets for t in datasets if (c := beats_floor(a, s, t))]
write_json(smk.output.metrics, {
    "datasets": datasets, "iwae_samples": d["iwae"]["samples"], "seeds": d["seeds"],
    "cells": {v: {f"{r.source}->{r.target}": round(float(r.log_likelihood), 2)
                  for r in table[table.variant == v].itertuples()} for v in variants},
    "comparisons": comparisons,
    "runs_still_improving": [f"{v}_{ds}_seed{s}" for (v, ds, s), (flag, _) in improving.items() if flag],
    "provenance": provenance(run["scale"], d["seeds"], "cpu"),
})
for c in comparisons:
    print(f"{c['a']} vs {c['b']}, {c['source']} -> {c['target']}: {c['difference']:+.1f} nats "
          f"(threshold {c['threshold']:.1f}): {c['verdict']}")

# Fig. 4: one heatmap per variant, sources as rows, targets as columns.
fig, axes = plt.subplots(1, len(variants), figsize=(3.2 * len(variants) + 0.6, 0.8 * len(datasets) + 1.6),
                         squeeze=False)
vmin, vmax = table.log_likelihood.min(), table.log_likelihood.max()
for ax, variant in zip(axes[0], variants):
    grid = np.full((len(datasets), len(datasets)), np.nan)
    for i, s in enumerate(datasets):
        for j, t in enumerate(datasets):
            r = cell(variant, s, t)
            if r is not None:
                grid[i, j] = r.log_likelihood
                sd = "" if np.isnan(r.sd_over_seeds) else f"\n± {r.sd_over_seeds:.0f}"
                ax.text(j, i, f"{r.log_likelihood:.0f}{sd}", ha="center", va="center", fontsize=8,
                        color="white" if r.log_likelihood < (vmin + vmax) / 2 else "black")
    ax.imshow(grid, cmap="viridis", vmin=vmin, vmax=vmax)
    ax.set_xticks(range(len(datasets)), datasets, fontsize=8)
    ax.set_yticks(range(len(datasets)), datasets, fontsize=8)
    ax.set_xlabel("target", fontsize=8)
    ax.set_ylabel("source (trained on)", fontsize=8)
    ax.set_title(variant, fontsize=9)
fig.suptitle(f"Fig. 4: IWAE log p(x) (nats, {d['iwae']['samples']} samples), mean ± SD over "
             f"{len(d['seeds'])} seed(s), {run['scale']} scale", fontsize=9)
fig.tight_layout()
save_figure(fig, smk.output.figure, dpi=110)

# Reconstructions: per target, its images, then each (variant, source) model's reconstructions (first seed).
recon = {p.rsplit("/", 1)[-1][: -len(".npz")]: np.load(p) for p in smk.input.reconstructions}
seed0 = d["seeds"][0]
models = [(v, s) for v in variants for s in datasets]
n = d["reconstructions"]
fig, axes = plt.subplots(1 + len(models), len(datasets) * n, figsize=(0.55 * len(datasets) * n + 1.6,
                                                                       0.6 * (1 + len(models)) + 0.6), squeeze=False)
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
for j, t in enumerate(datasets):
    first = recon[f"{models[0][0]}_{models[0][1]}_seed{seed0}"]
    for k in range(min(n, len(first[f"{t}_images"]))):
        axes[0, j * n + k].imshow(first[f"{t}_images"][k], cmap="gray_r", vmin=0, vmax=1)
    axes[0, j * n].set_title(f"target: {t}", fontsize=7, loc="left")
    for i, (v, s) in enumerate(models, start=1):
        r = recon[f"{v}_{s}_seed{seed0}"]
        for k in range(min(n, len(r[f"{t}_reconstructions"]))):
            ax = axes[i, j * n + k]
            ax.imshow(r[f"{t}_reconstructions"][k], cmap="gray_r", vmin=0, vmax=1)
            ax.set_xlabel(f"{int(r[f'{t}_strokes'][k])}", fontsize=5, labelpad=1)
for i, (v, s) in enumerate(models, start=1):
    axes[i, 0].set_ylabel(f"{v}\n({s})", fontsize=6, rotation=0, ha="right", va="center")
axes[0, 0].set_ylabel("image", fontsize=6, rotation=0, ha="right", va="center")
fig.suptitle("Fig. 4 (cells): reconstructions of target images by each source's model (number: strokes/parts)",
             fontsize=8)
save_figure(fig, smk.output.reconstructions, dpi=110)

# Learning curves: validation -ELBO and strokes per validation image per evaluation, one column per dataset.
fig, axes = plt.subplots(2, len(datasets), figsize=(4.2 * len(datasets), 5.8), squeeze=False)
for col, ds in enumerate(datasets):
    for (v, s), c in curves[curves.dataset == ds].groupby(["variant", "seed"]):
        label = f"{v} s{s}" + (" (improving)" if improving[(v, ds, int(s))][0] else "")
        axes[0, col].plot(c.step, c.val_loss, label=label)
        axes[1, col].plot(c.step, c.val_strokes, label=label)
    axes[0, col].set_title(f"trained on {ds}", fontsize=9)
    axes[0, col].set_ylabel("validation -ELBO (nats)", fontsize=8)
    axes[1, col].set_ylabel("strokes (parts) per validation image", fontsize=8)
    axes[1, col].set_xlabel("step", fontsize=8)
    axes[0, col].legend(fontsize=6)
fig.tight_layout()
save_figure(fig, smk.output.curves_figure, dpi=110)
