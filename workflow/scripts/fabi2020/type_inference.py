"""Snakemake script: type inference (section 3.3), protocols (a) generated variants and (b) other
drawers (:func:`charchallenge.fabi2020.type_inference.type_inference_protocols`)."""

import torch

from charchallenge.fabi2020.pipeline import context
from charchallenge.fabi2020.type_inference import type_inference_protocols
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), smk.input.one_shot, threads=smk.threads)
study = ctx.study
models = ctx.adapted("one_shot")
protocols, seconds = type_inference_protocols(models, study, ctx.params["type_inference"], ctx.device)
torch.save({"labels": study.labels, "novel": study.novel, "seeds": ctx.seeds, **protocols,
            "seconds": seconds, "device": ctx.device, "threads": smk.threads}, smk.output[0])
a, b = protocols["a"], protocols["b"]
print(f"type inference of {len(a['targets'][0]) + len(b['targets'])} instances x {len(models)} seeds in {seconds:.0f} s: "
      f"accuracy (a) {(a['predicted'] == a['true']).mean(1).round(3).tolist()} "
      f"(b) {(b['predicted'] == b['true']).mean(1).round(3).tolist()}")
