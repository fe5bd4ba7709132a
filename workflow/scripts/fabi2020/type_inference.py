"""Snakemake script: type inference (section 3.3), protocols (a) generated variants and (b) other drawers."""

import numpy as np
import torch

from charchallenge.fabi2020.pipeline import Timer, context
from charchallenge.fabi2020.type_inference import infer_types
from charchallenge.fabi2020.variants import noisy_variants
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), smk.input.one_shot, threads=smk.threads)
p = ctx.params["type_inference"]
study = ctx.study
models = ctx.adapted("one_shot")
lengths = [len(t) for t in study.shown()]
# (a) one variant per novel letter, generated as in Fig. 3 (noise SD variant_sd) by each seed's model
variants, _ = noisy_variants(models, study.novel, lengths, [p["variant_sd"]], 1, seed=1000, device=ctx.device)
targets_a = [[variants[s][l][0] for l in range(len(study.novel))] for s in range(len(models))]
true_a = np.array(study.novel)
# (b) every other drawer's version of every novel letter
pairs_b = [(c, d) for c in study.novel for d in study.other_drawers()]
targets_b = [study.sequence(c, d) for c, d in pairs_b]
true_b = np.array([c for c, _ in pairs_b])
# one batched problem: all instances of both protocols for all seeds
targets = [targets_a[s] + targets_b for s in range(len(models))]
with Timer() as timer:
    res = infer_types(models, targets, p["iterations"], p["lr"], device=ctx.device)
na = len(targets_a[0])
torch.save({
    "labels": study.labels, "novel": study.novel, "seeds": ctx.seeds,
    "a": {"targets": targets_a, "true": true_a, "codes": res["codes"][:, :na], "predicted": res["predicted"][:, :na],
          "loss": res["loss"][:, :na], "outputs": [o[:na] for o in res["outputs"]]},
    "b": {"targets": targets_b, "true": true_b, "drawers": np.array([d for _, d in pairs_b]),
          "codes": res["codes"][:, na:], "predicted": res["predicted"][:, na:], "loss": res["loss"][:, na:],
          "outputs": [o[na:] for o in res["outputs"]]},
    "seconds": timer.seconds, "device": ctx.device, "threads": smk.threads,
}, smk.output[0])
acc_a = (res["predicted"][:, :na] == true_a).mean(1)
acc_b = (res["predicted"][:, na:] == true_b).mean(1)
print(f"type inference of {len(targets[0])} instances x {len(models)} seeds in {timer.seconds:.0f} s: "
      f"accuracy (a) {acc_a.round(3).tolist()} (b) {acc_b.round(3).tolist()}")
