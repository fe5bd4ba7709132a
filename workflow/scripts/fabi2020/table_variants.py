"""Snakemake script: are the noise variants (section 3.2) still recognisable, and how different?

For every seed, novel letter and noise SD: the modified Hausdorff distance (px) of each variant
to its own re-generated letter, and whether its nearest re-generated novel letter (by MHD) is its
own ("nearest-regeneration accuracy"). Mean and SD over seeds.
"""

import numpy as np
import pandas as pd

from charchallenge.fabi2020.metrics import ink_points, modified_hausdorff_points
from charchallenge.fabi2020.pipeline import context, over_seeds
from charchallenge.fabi2020.variants import noisy_variants
from charchallenge.io import write_csv
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), smk.input.one_shot, threads=smk.threads)
study, vp = ctx.study, ctx.params["variants"]
models = ctx.adapted("one_shot")
lengths = [len(t) for t in ctx.one_shot["targets"]]
variants, sds = noisy_variants(models, study.novel, lengths, vp["sds"], vp["samples_per_sd"], seed=2000, device=ctx.device)
c = ctx.one_shot["conditions"].index("one_shot")
L = len(study.novel)
own = np.zeros((len(models), L, len(sds)))
correct = np.zeros((len(models), L, len(sds)))
for s in range(len(models)):
    regen = [ink_points(study.raw(o)) for o in ctx.one_shot["outputs"][s][c]]
    for i in range(L):
        for j, v in enumerate(variants[s][i]):
            pts = ink_points(study.raw(v))
            d = np.array([modified_hausdorff_points(pts, r) for r in regen])
            own[s, i, j] = d[i]
            correct[s, i, j] = float(d.argmin() == i)
rows = []
for sd in list(vp["sds"]) + ["all"]:
    cols = [j for j, x in enumerate(sds) if sd == "all" or x == sd]
    acc = correct[:, :, cols].mean(axis=(1, 2))
    dist = own[:, :, cols].mean(axis=(1, 2))
    rows.append({"sd": sd, **over_seeds("nearest_regeneration_accuracy", acc, ctx.seeds),
                 **over_seeds("mhd_to_regenerated_px", dist)})
table = pd.DataFrame(rows)
write_csv(smk.output[0], table)
print(table.to_string(index=False))
