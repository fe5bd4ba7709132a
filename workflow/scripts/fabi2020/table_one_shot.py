"""Snakemake script: sequence MSE and modified Hausdorff distance per novel letter and condition.

Conditions: one_shot (blue), no_inference (red), untrained (orange) - and, for the ablation
table (section 3.1), ablation (input mixture vector adapted instead of the W_ff column). Every
value is the mean and SD over seeds; the ``median`` rows take the median over letters per seed
first. Per-seed values are kept in columns ``<measure>_seed<k>``.
"""

import numpy as np
import pandas as pd

from charchallenge.fabi2020.pipeline import context, errors, over_seeds
from charchallenge.io import write_csv
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), smk.input.one_shot)
res, study = ctx.one_shot, ctx.study
cond = res["conditions"]
sources = {"one_shot": ("outputs", "one_shot"), "no_inference": ("initial_outputs", "one_shot"),
           "untrained": ("outputs", "untrained"), "ablation": ("outputs", "ablation")}
wanted = list(smk.params.conditions)
rows = []
for name in wanted:
    key, c = sources[name]
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
