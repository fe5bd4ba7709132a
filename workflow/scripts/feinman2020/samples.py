"""Snakemake script: on-canvas samples of one holdout model at every temperature used by Figs. 5-8
and the sample statistics (:func:`charchallenge.feinman2020.sampling.draw_on_canvas`)."""

import time

import numpy as np
import torch

from charchallenge.feinman2020.sampling import draw_on_canvas, load_model
from charchallenge.io import save_torch
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
s = run["feinman2020"]["samples"]
torch.set_num_threads(smk.threads)
model = load_model(smk.input.model)
n = {1.0: max(s["figure"], s["novelty"]), 0.5: max(s["figure"], s["grid"] ** 2)}
for t in s["temperatures"]:
    n.setdefault(float(t), s["figure"])
out = {}
start = time.time()
for i, (t, k) in enumerate(sorted(n.items())):
    out[t] = draw_on_canvas(model, k, t, run["seed"] + i, s["max_strokes"], s["max_control_points"],
                            s["max_draws_per_sample"])
    short = k - sum(out[t]["on_canvas"])
    print(f"T = {t}: {k} samples from {out[t]['drawn']} draws ({100 * out[t]['on_canvas_share']:.0f}% of draws on "
          f"the canvas), {np.mean([len(d) for d in out[t]['drawings']]):.2f} strokes on average"
          + (f"; WARNING: {short} off-canvas drawings kept to fill the set" if short else ""))
save_torch(smk.output[0], out)
print(f"sampling took {time.time() - start:.1f} s")
