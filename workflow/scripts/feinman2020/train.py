"""Snakemake script: train one model on one split (or the holdout) and score its test drawings.

Every run sets aside a validation slice of its training characters (``validation_fraction``):
it early-stops the run and is the only data any model selection looks at. Alphabet/character
splits train one grid configuration each (Table 1 picks per task the configuration with the
lowest mean validation NLL over the splits). The holdout trains every grid configuration on
the holdout's training alphabets and keeps the one with the lowest validation NLL.

Deviation from the paper, which picks the holdout's hyperparameters on the alphabet splits:
offline, the alphabet splits are drawn from all 8 mirrored alphabets, so their data include the
holdout's test alphabets; selecting on the holdout's own validation characters keeps the test
alphabets unseen until the test score, online and offline alike.
"""

import math
import time

import numpy as np
import torch

from charchallenge.feinman2020.data import load_corpus, resolve_device
from charchallenge.feinman2020.splits import make_split, subsample, validation_split
from charchallenge.feinman2020.train import evaluate, train_model
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
grid = fl["grid"][name]
split = 0 if task == "holdout" else int(smk.wildcards.split)
configs = list(range(len(grid))) if task == "holdout" else [int(smk.wildcards.config)]

corpus = load_corpus(smk.input.splines, smk.input.dataset, smk.input.canvases)
sp, tp = fl["splits"], fl["train"]
train_idx, test_idx = make_split(task, split, corpus.alphabet, corpus.character, run["seed"], sp["test_fraction"],
                                 run["data"]["background"])
train_idx = subsample(train_idx, sp["max_train"], run["seed"] + split)
test_idx = subsample(test_idx, sp["max_test"], run["seed"] + split + 100)
fit_idx, val_idx = validation_split(train_idx, corpus.alphabet, corpus.character, tp["validation_fraction"],
                                    run["seed"] + 1000 + split)

trained = []
for config in configs:
    start = time.time()
    model, result = train_model(name, grid[config], tp, corpus.enc, corpus.canvases, fit_idx, seed=run["seed"],
                                val_idx=val_idx, device=device,
                                checkpoint_dir=f"{smk.params.checkpoint_dir}_c{config}" if task == "holdout"
                                else smk.params.checkpoint_dir, progress=True, extra_code=[workflow_script(smk)])
    best_val = min(h["val_loss"] for h in result.history)
    trained.append({"config": config, "model": model, "result": result, "seconds": time.time() - start,
                    "best_val": best_val})
    print(f"{name} {task}{split} config {config}: stopped on {result.stopped} after {result.steps} steps, "
          f"best validation NLL {best_val:.3f} at step {result.best_step}")
chosen = min(trained, key=lambda t: (t["best_val"], t["config"]))
model, result = chosen["model"], chosen["result"]

t_eval = time.time()
ev = evaluate(model, corpus.enc, corpus.canvases, test_idx, tp["eval_batch"])
seconds_eval = time.time() - t_eval
steps_per_epoch = math.ceil(len(fit_idx) / tp["batch_size"])
done_here = result.steps - result.resumed_from

payload = {
    "model": name, "task": task, "split": split, "config": chosen["config"], "hp": grid[chosen["config"]],
    "selection": {"by": "best validation NLL", "validation_nll": {str(t["config"]): t["best_val"] for t in trained}}
    if task == "holdout" else None,
    "n_train": int(len(fit_idx)), "n_validation": int(len(val_idx)), "n_test": int(len(test_idx)),
    "train_alphabets": sorted(set(corpus.alphabet[fit_idx].tolist())),
    "test_alphabets": sorted(set(corpus.alphabet[test_idx].tolist())),
    "test_ids": test_idx.tolist(), "test_nll": ev["nll"].tolist(),
    "test_characters": [f"{a}/{c}" for a, c in zip(corpus.alphabet[test_idx], corpus.character[test_idx])],
    "test_nll_mean": float(ev["nll"].mean()),
    "test_parts_mean": {k: float(v.mean()) for k, v in ev.items() if k != "nll"},
    "validation_nll_best": chosen["best_val"],
    "history": result.history, "stopped": result.stopped, "best_step": result.best_step,
    "steps": result.steps, "steps_per_epoch": steps_per_epoch, "epochs": result.steps / steps_per_epoch,
    "resumed_from": result.resumed_from,
    "seconds_train": sum(t["seconds"] for t in trained), "seconds_eval": seconds_eval,
    "seconds_per_epoch": chosen["seconds"] / max(done_here / steps_per_epoch, 1e-9) if done_here else None,
    "provenance": provenance(run["scale"], run["seed"], device),
}
if task == "holdout":
    torch.save({"name": name, "hp": grid[chosen["config"]], "state_dict": model.state_dict()}, smk.output.model)
write_json(smk.output.run, payload)
print(f"{name} {task}{split} config {chosen['config']}: test NLL {payload['test_nll_mean']:.3f} nats/char "
      f"({payload['seconds_train']:.0f} s training, {payload['seconds_per_epoch'] or 0:.1f} s/epoch)")
