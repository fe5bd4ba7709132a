"""Snakemake script: batched one-shot inference of every novel letter x condition x seed.

The conditions are the rule's ``params.conditions`` (default: all of
:data:`charchallenge.fabi2020.one_shot.CONDITIONS`); the network without FF layer runs the
``ablation`` condition only (its input vector adapted, every weight frozen).
"""

import torch

from charchallenge.fabi2020.one_shot import CONDITIONS, one_shot_inference
from charchallenge.fabi2020.pipeline import Timer, context
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), threads=smk.threads)
p = ctx.params["one_shot"]
conditions = tuple(smk.params.get("conditions", CONDITIONS))
targets = ctx.study.shown()
with Timer() as timer:
    res = one_shot_inference(ctx.trained, ctx.untrained, targets, ctx.study.novel, p["iterations"], p["lr"],
                             device=ctx.device, conditions=conditions,
                             log_every=max(1, p["iterations"] // 50))
torch.save({
    "conditions": list(conditions), "columns": res.columns, "inputs": res.inputs, "outputs": res.outputs,
    "initial_outputs": res.initial_outputs, "losses": res.losses, "logged_steps": res.logged_steps,
    "targets": targets, "novel": ctx.study.novel, "seeds": ctx.seeds, "seconds": timer.seconds,
    "device": ctx.device, "threads": smk.threads,
}, smk.output[0])
print(f"one-shot inference: {len(ctx.seeds)} seeds x {len(conditions)} conditions x {len(targets)} letters, "
      f"{p['iterations']} iterations in {timer.seconds:.0f} s; final mean loss per condition "
      f"{res.losses[-1].mean(axis=(0, 2)).round(4).tolist()}")
