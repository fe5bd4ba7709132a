"""Snakemake script: DooD's Fig. 4 (Liang et al. 2022, Sec. 3.1). For every model variant, the
source x target table of IWAE log-likelihoods (mean and SD over seeds, nats per image), as
heatmaps side by side (DooD, its ablation without execution guidance, AIR), the reconstructions
of a few target images by every source's model, and the learning curves of every run.

The table, its empty-canvas floors and the paper's comparisons with their verdicts:
:mod:`charchallenge.dood2022.transfer` ("not evidence" when a run compared was still improving
by ``training.still_improving`` on its validation curve); the figures:
:mod:`charchallenge.dood2022.plotting`.
"""

import numpy as np
import pandas as pd

from charchallenge.dood2022 import plotting
from charchallenge.dood2022.transfer import (empty_canvas_floor, run_curves, run_name, runs_still_improving,
                                             transfer_comparisons, transfer_metrics, transfer_table)
from charchallenge.io import save_figure, write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
d = run["dood2022"]
datasets = list(smk.params.datasets)
variants = list(d["models"])

scores = pd.concat([pd.read_csv(p) for p in smk.input.scores], ignore_index=True)
curves = run_curves(smk.input.curves, variants)
write_csv(smk.output.curves, curves)
# The DVC plots: one file per run (variant, dataset, seed), validation -ELBO and strokes per image.
for (variant, dataset, seed), c in curves.groupby(["variant", "dataset", "seed"]):
    write_csv(f"{smk.output.curves_per_run}/{variant}_{dataset}_seed{seed}.csv",
              c[["step", "train_loss", "val_loss", "val_strokes"]])
improving = runs_still_improving(curves, d["convergence"])
floors = {run_name(p, ".npz"): empty_canvas_floor(np.load(p)["test"][: d["iwae"]["max_images"]])
          for p in smk.input.targets}
table = transfer_table(scores, improving, d["seeds"], floors, datasets)
write_csv(smk.output.table, table)

comparisons = transfer_comparisons(table, variants, datasets)
write_json(smk.output.metrics, {
    **transfer_metrics(table, comparisons, improving, variants, datasets, d["iwae"]["samples"], d["seeds"]),
    "provenance": provenance(run["scale"], d["seeds"], "cpu"),
})
for c in comparisons:
    print(f"{c['a']} vs {c['b']}, {c['source']} -> {c['target']}: {c['difference']:+.1f} nats "
          f"(threshold {c['threshold']:.1f}): {c['verdict']}")

title = (f"Fig. 4: IWAE log p(x) (nats, {d['iwae']['samples']} samples), mean ± SD over "
         f"{len(d['seeds'])} seed(s), {run['scale']} scale")
save_figure(plotting.transfer_heatmaps(table, variants, datasets, title), smk.output.figure, dpi=110)
recon = {run_name(p, ".npz"): np.load(p) for p in smk.input.reconstructions}
save_figure(plotting.transfer_reconstructions(recon, variants, datasets, d["seeds"][0], d["reconstructions"]),
            smk.output.reconstructions, dpi=110)
save_figure(plotting.learning_curves(curves, improving, datasets), smk.output.curves_figure, dpi=110)
