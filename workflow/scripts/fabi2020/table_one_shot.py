"""Snakemake script: sequence MSE and modified Hausdorff distance per novel letter and condition
(:func:`charchallenge.fabi2020.tables.error_table`).

Conditions: one_shot (blue), no_inference (red), untrained (orange) - and, for the ablation
table (section 3.1), ablation (input mixture vector adapted instead of the W_ff column) and
without_ff (a network trained without FF layer, its input vector adapted). Every
value is the mean and SD over seeds; the ``median`` rows take the median over letters per seed
first. Per-seed values are kept in columns ``<measure>_seed<k>``.
"""

import torch

from charchallenge.fabi2020.pipeline import context
from charchallenge.fabi2020.tables import error_table
from charchallenge.io import write_csv
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), smk.input.one_shot)
results = {"main": ctx.one_shot}
if "without_ff" in smk.input.keys():
    results["without_ff"] = torch.load(smk.input.without_ff, weights_only=False)
table = error_table(ctx.study, results, list(smk.params.conditions), ctx.seeds)
write_csv(smk.output[0], table)
print(table[table.letter == "median"][["condition", "mse_mean", "mse_sd", "mhd_px_mean", "mhd_px_sd"]].to_string(index=False))
