"""Snakemake script: smoothness of every blend (section 3.4), mean and SD over seeds.

Per pair: Spearman correlation between blend step and MHD to the 100:0 drawing (1 = distance
grows monotonically), largest step-to-step MHD as a share of the end-to-end MHD, end-to-end MHD
(px), and whether the blend counts as smooth (both thresholds of ``fabi2020.claims`` met).
"""

import pandas as pd

from charchallenge.fabi2020.blending import run_blends, smoothness
from charchallenge.fabi2020.pipeline import context, over_seeds
from charchallenge.io import write_csv
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), smk.input.one_shot, threads=smk.threads)
bp, cp, study = ctx.params["blending"], ctx.params["claims"], ctx.study
models = ctx.adapted("one_shot")
pairs, blends = run_blends(models, study, bp["pairs"], bp["steps"], ctx.device)
rows = []
for p, (i, j) in enumerate(pairs):
    stats = [smoothness([study.raw(b) for b in blends[s][p]]) for s in range(len(models))]
    smooth = [float(st["spearman"] >= cp["blend_min_spearman"] and st["max_jump_ratio"] <= cp["blend_max_jump"])
              for st in stats]
    row = {"pair": f"{study.labels[i]}-{study.labels[j]}",
           "kind": "trained" if (i in study.trained and j in study.trained) else "novel"}
    for key in ("spearman", "max_jump_ratio", "end_to_end_mhd"):
        row.update(over_seeds(key, [st[key] for st in stats]))
    row.update(over_seeds("smooth_share", smooth, ctx.seeds))
    rows.append(row)
table = pd.DataFrame(rows)
write_csv(smk.output[0], table)
print(table.iloc[:, :8].to_string(index=False))
