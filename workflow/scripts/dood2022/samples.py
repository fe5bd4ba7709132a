"""Snakemake script: DooD's Fig. 6 (Liang et al. 2022, Sec. 3.2 "Unconditional generation").
``dood2022.samples.n`` samples of every trained model (variant x dataset x seed), and GNS's new
concepts on Omniglot (the type prior at T = ``gns2021.concepts.temperature``), each scored by the
Frechet distance to the dataset's held-out test images on the features of the character
classifier trained here (:mod:`charchallenge.dood2022.samples`); a floor row scores the dataset's
own training images the same way."""

import torch

from charchallenge.dood2022 import plotting
from charchallenge.dood2022.samples import fid_table, sample_fid
from charchallenge.dood2022.train import load_model
from charchallenge.feinman2020.classifier import load_classifier
from charchallenge.gns2021.type_model import load_type_model
from charchallenge.io import save_figure, write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
d = run["dood2022"]
datasets = list(smk.params.datasets)
torch.set_num_threads(smk.threads)
net, _ = load_classifier(smk.input.classifier)

runs, shown = sample_fid((load_model(p) for p in smk.input.models), dict(zip(datasets, smk.input.data)), net, d,
                         run["seed"], lambda: load_type_model(smk.input.type_model).density,
                         run["gns2021"]["concepts"])
table = fid_table(runs)
write_csv(smk.output.table, table)
write_json(smk.output.metrics, {
    "fid": {f"{r.variant}_{r.dataset}": round(float(r.fid), 5) for r in table.itertuples()},
    "per_run": runs.to_dict("records"), "samples": d["samples"]["n"], "datasets": datasets,
    "provenance": provenance(run["scale"], d["seeds"], "cpu")})
print(table.to_string(index=False))

columns = ["real"] + list(d["models"]) + (["gns"] if "omniglot" in datasets else [])
title = (f"Fig. 6: unconditional samples, FID to held-out images on our classifier's features "
         f"({run['scale']} scale)")
save_figure(plotting.samples_grid(shown, table, columns, datasets, d["samples"]["figure"], title),
            smk.output.figure, dpi=110)
