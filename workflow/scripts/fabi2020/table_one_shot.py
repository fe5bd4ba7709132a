"""Snakemake script: sequence MSE and modified Hausdorff distance per novel letter and condition.

Conditions: one_shot (blue), no_inference (red), untrained (orange) - and, for the ablation
table (section 3.1), ablation (input mixture vector adapted instead of the W_ff column) and
without_ff (a network trained without FF layer, its input vector adapted). Every
value is the mean and SD over seeds; the ``median`` rows take the median over letters per seed
first. Per-seed values are kept in columns ``<measure>_seed<k>``.
"""

import numpy as np
import pandas as pd
import torch

from charchallenge.fabi2020.pipeline import context, errors, over_seeds
from charchallenge.io import write_csv
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), smk.input.one_shot)
study = ctx.study
results = {"main": ctx.one_shot}
if "without_ff" in smk.input.keys():
    results["without_ff"] = torch.load(smk.input.without_ff, weights_only=False)
sources = {"one_shot": ("main", "outputs", "one_shot"), "no_inference": ("main", "initial_outputs", "one_shot"),
           "untrained": ("main", "outputs", "untrained"), "ablation": ("main", "outputs", "ablation"),
           "without_ff": ("without_ff", "outputs", "ablation")}
wanted = list(smk.params.conditions)
rows = []
for name in wanted:
    which, key, c = sources[name]
    res = results[which]
    cond = res["conditions"]
    per_seed = [errors(study, res[key][s][cond.index(c)], res["targets"]) for s in range(len(ctx.seeds))]
    mse = np.array([p[0] for p in per_seed])  # (S, L)
    mhd = np.array([p[1] for p in per_seed])
    for j, letter in enumerate(study.novel + ["median"]):
        if letter == "median":
            m_vals, h_vals, label = np.median(mse, 1), np.median(mhd, 1), "median"
        else:
            m_vals, h_vals, label = mse[:, j], mhd[:, j], study.labels[letter]
        rows.append({"letter": label, "condition": name, **over_seeds("mse", m_vals, ctx.seeds),
                     **over_seeds("mhd_px", h_vals, ctx.seeds)})
table = pd.DataFrame(rows)
write_csv(smk.output[0], table)
print(table[table.letter == "median"][["condition", "mse_mean", "mse_sd", "mhd_px_mean", "mhd_px_sd"]].to_string(index=False))
