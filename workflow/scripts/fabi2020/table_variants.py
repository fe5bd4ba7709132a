"""Snakemake script: how new, and how recognisable, are the noise variants (section 3.2)?
The measures (distances to the shown example and to the model's own regeneration, recognition
among the regenerations and among the other drawers' drawings) and their references from the
data: :mod:`charchallenge.fabi2020.recognition`. Mean and SD over seeds of per-seed medians
(distances) and shares, per noise SD and over all.
"""

from charchallenge.fabi2020.pipeline import context
from charchallenge.fabi2020.recognition import HumanDrawings, human_references, variant_measures, variant_table
from charchallenge.fabi2020.variants import noisy_variants
from charchallenge.io import write_csv
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), smk.input.one_shot, threads=smk.threads)
study, vp = ctx.study, ctx.params["variants"]
models = ctx.adapted("one_shot")
targets = ctx.one_shot["targets"]
lengths = [len(t) for t in targets]
variants, sds = noisy_variants(models, study.novel, lengths, vp["sds"], vp["samples_per_sd"], seed=2000, device=ctx.device)
c = ctx.one_shot["conditions"].index("one_shot")

humans = HumanDrawings(study, targets)
between_drawer_px, human_recognised = human_references(humans)
measures = variant_measures(study, humans, variants, sds, [ctx.one_shot["outputs"][s][c] for s in range(len(models))])
table = variant_table(measures, sds, vp["sds"], ctx.seeds, between_drawer_px, human_recognised)
write_csv(smk.output[0], table)
print(f"between-drawer MHD (median) {between_drawer_px:.2f} px; shown examples recognised among other drawers' "
      f"drawings: {human_recognised:.2f}")
print(table[["sd", "novelty_px_mean", "recognised_human_mean", "nearest_regeneration_accuracy_mean"]].to_string(index=False))
