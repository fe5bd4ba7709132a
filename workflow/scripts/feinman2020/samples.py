"""Snakemake script: samples of one holdout model at every temperature used by Figs. 5-8."""

import time

import numpy as np
import torch

from charchallenge.feinman2020.sampling import draw, inside_canvas, load_model

smk = snakemake  # noqa: F821
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
    drawings, logp = draw(model, k, t, run["seed"] + i, s["max_strokes"], s["max_control_points"])
    out[t] = {"drawings": drawings, "logp": logp,
              "inside": float(np.mean([inside_canvas(d) for d in drawings]))}
    print(f"T = {t}: {k} samples, {np.mean([len(d) for d in drawings]):.2f} strokes on average, "
          f"{100 * out[t]['inside']:.0f}% entirely on the canvas")
torch.save(out, smk.output[0])
print(f"sampling took {time.time() - start:.1f} s")
