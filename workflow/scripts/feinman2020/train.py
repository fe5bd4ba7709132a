"""Snakemake script: train one model on one split (or the holdout) and score its test drawings
(:func:`charchallenge.feinman2020.table1_run.train_and_score`: a validation slice of the training
characters early-stops the run and selects the holdout's grid configuration)."""

import torch

from charchallenge.device import resolve_device
from charchallenge.feinman2020.data import load_corpus
from charchallenge.feinman2020.table1_run import train_and_score
from charchallenge.fingerprint import workflow_script
from charchallenge.io import write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
fl = run["feinman2020"]
torch.set_num_threads(smk.threads)
device = resolve_device(fl["device"])
name, task = smk.wildcards.model, smk.params.task
split = 0 if task == "holdout" else int(smk.wildcards.split)
configs = list(range(len(fl["grid"][name]))) if task == "holdout" else [int(smk.wildcards.config)]

corpus = load_corpus(smk.input.splines, smk.input.dataset, smk.input.canvases)
payload, model = train_and_score(corpus, name, task, split, configs, fl, run["seed"], run["data"]["background"],
                                 device, smk.params.checkpoint_dir, extra_code=[workflow_script(smk)])
payload["provenance"] = provenance(run["scale"], run["seed"], device)
if task == "holdout":
    torch.save({"name": name, "hp": payload["hp"], "state_dict": model.state_dict()}, smk.output.model)
write_json(smk.output.run, payload)
print(f"{name} {task}{split} config {payload['config']}: test NLL {payload['test_nll_mean']:.3f} nats/char "
      f"({payload['seconds_train']:.0f} s training, {payload['seconds_per_epoch'] or 0:.1f} s/epoch)")
