"""Snakemake script: Fig. 5 of Liang et al. (2022) - DooD's inferred strokes and AIR's part latents
on held-out Omniglot images, clustered by k-means, their Silhouette coefficients beside the
paper's (DooD 0.21, AIR 0.11), and a t-SNE plot per model with exemplar parts overlaid
(:mod:`charchallenge.dood2022.clusters`, :mod:`charchallenge.dood2022.plotting`)."""

import pandas as pd
import torch

from charchallenge.dood2022 import plotting
from charchallenge.dood2022.clusters import cluster_runs
from charchallenge.dood2022.data import load_split
from charchallenge.dood2022.train import load_model
from charchallenge.io import save_figure, write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
c = run["dood2022"]["clusters"]
torch.set_num_threads(smk.threads)
images = load_split(smk.input.data, "test")

rows, panels = cluster_runs((load_model(p) for p in smk.input.models), images, c)
write_csv(smk.output.table, pd.DataFrame(rows))
save_figure(plotting.part_clusters(panels, c), smk.output.figure)
write_json(smk.output.metrics, {
    "silhouette": {f"{r['variant']}_seed{r['seed']}": r["silhouette"] for r in rows},
    "paper": c["paper_silhouette"], "k": c["k"],
    "provenance": provenance(run["scale"], run["seed"], "cpu")})
