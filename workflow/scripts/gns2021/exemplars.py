"""Snakemake script: new exemplars of held-out characters (Feinman & Lake 2021, Sec. 5.2, Fig. 4a/A12),
with their distance to the target beside other drawers' (:mod:`charchallenge.gns2021.exemplars`)."""

import time

import torch

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.gns2021.exemplars import exemplars_of, held_out_targets
from charchallenge.gns2021.runtime import reproducible
from charchallenge.gns2021.type_model import load_type_model
from charchallenge.io import save_torch, write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
g = run["gns2021"]
ep = g["exemplars"]
torch.set_num_threads(smk.threads)
reproducible(run["seed"])
dataset = OmniglotDataset.load(smk.input.dataset)
targets = held_out_targets(dataset, run["data"]["background"], ep["n_targets"], run["seed"])
type_model = load_type_model(smk.input.type_model, device=g["device"])
start = time.time()
table, shown = exemplars_of(dataset, targets, type_model, g, run["seed"], torch.Generator().manual_seed(run["seed"]))
seconds = time.time() - start
write_csv(smk.output.table, table)
save_torch(smk.output.examples, {"shown": shown})
write_json(smk.output.metrics, {
    "exemplars": {"targets": len(targets), "median_exemplar_to_target_px": float(table.exemplar_to_target_px.median()),
                  "median_other_drawers_to_target_px": float(table.other_drawers_to_target_px.median()),
                  "median_ratio": float(table.ratio.median())},
    "seconds": round(seconds, 1), "seconds_per_target": round(seconds / max(1, len(targets)), 1),
    "targets_per_minute": round(60 * len(targets) / seconds, 2) if seconds else None,
    "params": {"fit": g["fit"], "exemplars": ep},
    "provenance": provenance(run["scale"], run["seed"], str(type_model.device)),
})
print(table.to_string(index=False))
print(f"{len(targets)} targets in {seconds:.0f} s")
