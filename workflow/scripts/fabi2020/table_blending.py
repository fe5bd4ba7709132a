"""Snakemake script: smoothness of every blend (section 3.4), mean and SD over seeds
(:func:`charchallenge.fabi2020.tables.blend_table`).

Per pair: Spearman correlation between blend step and MHD to the 100:0 drawing (1 = distance
grows monotonically), largest step-to-step MHD as a share of the end-to-end MHD, end-to-end MHD
(px), and whether the blend counts as smooth (both thresholds of ``fabi2020.claims`` met).
"""

from charchallenge.fabi2020.blending import run_blends
from charchallenge.fabi2020.pipeline import context
from charchallenge.fabi2020.tables import blend_table
from charchallenge.io import write_csv
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), smk.input.one_shot, threads=smk.threads)
bp, study = ctx.params["blending"], ctx.study
pairs, blends = run_blends(ctx.adapted("one_shot"), study, bp["pairs"], bp["steps"], ctx.device)
table = blend_table(study, pairs, blends, ctx.params["claims"], ctx.seeds)
write_csv(smk.output[0], table)
print(table.iloc[:, :8].to_string(index=False))
