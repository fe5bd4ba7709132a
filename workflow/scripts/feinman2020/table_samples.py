"""Snakemake script: what the samples of Figs. 5-8 are - per model and temperature, how many raw
draws land on the canvas, how long the drawings are, and how diverse the samples are; per model,
whether lowering the temperature lowers the diversity (ratio T_low / T_high with a 95% bootstrap
interval) in three spaces: the first stroke's start location (px; a variable the temperature acts
on directly), the classifier's feature space (perceptual) and the pixels of the renderings
(:mod:`charchallenge.feinman2020.sample_stats`)."""

import numpy as np
import pandas as pd
import torch

from charchallenge.feinman2020.classifier import load_classifier
from charchallenge.feinman2020.sample_stats import DEFINITIONS, sample_diversity
from charchallenge.feinman2020.train import LABELS
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
s = run["feinman2020"]["samples"]
torch.set_num_threads(smk.threads)
net, _ = load_classifier(smk.input.classifier)
rows, ratios = [], {}
for path in smk.input.samples:
    name = path.rsplit("samples_", 1)[1].removesuffix(".pt")
    model_rows, ratios[LABELS[name]] = sample_diversity(name, torch.load(path, weights_only=False), net,
                                                        s["bootstrap"], run["seed"])
    rows += model_rows
table = pd.DataFrame(rows)
write_csv(smk.output.table, table)
write_json(smk.output.metrics, {
    "samples": {f"{r['model']} T={r['temperature']}": {k: v for k, v in r.items() if k not in ("model", "temperature")}
                for r in rows},
    "temperature_diversity": ratios, "definitions": DEFINITIONS,
    "provenance": provenance(run["scale"], run["seed"], "cpu"),
})
print(table.to_string(index=False))
for m, r in ratios.items():
    t_low, t_high = r["feature"]["temperatures"]
    print(f"{m}: diversity T={t_low} / T={t_high} = " + ", ".join(
        f"{v['ratio']:.2f} {np.round(v['ratio_ci95'], 2).tolist()} ({space})" for space, v in r.items()))
