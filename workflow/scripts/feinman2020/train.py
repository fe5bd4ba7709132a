"""Snakemake script: train one model on one split (or the holdout) and score its test drawings.

Alphabet/character splits train one grid configuration each. The holdout trains the
configuration with the lowest mean validation loss over the alphabet splits (paper: "using the
hyperparameters selected from our alphabet splits task") and saves its weights.
"""

import json
import math
import time

import numpy as np
import torch

from charchallenge.feinman2020.data import load_corpus, resolve_device
from charchallenge.feinman2020.splits import make_split, subsample
from charchallenge.feinman2020.train import evaluate, train_model
from charchallenge.io import write_json
from charchallenge.provenance import provenance
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
fl = run["feinman2020"]
torch.set_num_threads(smk.threads)
device = resolve_device(fl["device"])
name, task = smk.wildcards.model, smk.params.task
grid = fl["grid"][name]

if task == "holdout":
    split = 0
    by_config = {}
    for path in smk.input.selection:
        r = json.load(open(path))
        by_config.setdefault(r["config"], []).append(r["test_nll_mean"])
    config = min(by_config, key=lambda c: (np.mean(by_config[c]), c))
    selection = {str(c): float(np.mean(v)) for c, v in sorted(by_config.items())}
else:
    split, config, selection = int(smk.wildcards.split), int(smk.wildcards.config), None
hp = grid[config]

corpus = load_corpus(smk.input.splines, smk.input.dataset, smk.input.canvases)
sp = fl["splits"]
train_idx, test_idx = make_split(task, split, corpus.alphabet, corpus.character, run["seed"], sp["test_fraction"],
                                 run["data"]["background"])
train_idx = subsample(train_idx, sp["max_train"], run["seed"] + split)
test_idx = subsample(test_idx, sp["max_test"], run["seed"] + split + 100)

tp = fl["train"]
start = time.time()
model, result = train_model(name, hp, tp, corpus.enc, corpus.canvases, train_idx, seed=run["seed"], device=device,
                            checkpoint_dir=smk.params.checkpoint_dir, progress=True)
seconds = time.time() - start
steps_per_epoch = len(train_idx) / tp["batch_size"]
done_here = result.steps - result.resumed_from
t_eval = time.time()
ev = evaluate(model, corpus.enc, corpus.canvases, test_idx, tp["eval_batch"])
seconds_eval = time.time() - t_eval

payload = {
    "model": name, "task": task, "split": split, "config": config, "hp": hp, "selection": selection,
    "n_train": int(len(train_idx)), "n_test": int(len(test_idx)),
    "train_alphabets": sorted(set(corpus.alphabet[train_idx].tolist())),
    "test_alphabets": sorted(set(corpus.alphabet[test_idx].tolist())),
    "test_ids": test_idx.tolist(), "test_nll": ev["nll"].tolist(),
    "test_nll_mean": float(ev["nll"].mean()),
    "test_parts_mean": {k: float(v.mean()) for k, v in ev.items() if k != "nll"},
    "steps": result.steps, "resumed_from": result.resumed_from,
    "final_train_loss": float(np.mean(result.losses[-max(1, math.ceil(steps_per_epoch)):])),
    "seconds_train": seconds, "seconds_eval": seconds_eval,
    "seconds_per_epoch": seconds / max(done_here / steps_per_epoch, 1e-9) if done_here else None,
    "provenance": provenance(run["scale"], run["seed"], device),
}
if task == "holdout":
    torch.save({"name": name, "hp": hp, "state_dict": model.state_dict()}, smk.output.model)
write_json(smk.output.run, payload)
print(f"{name} {task}{split} config {config}: test NLL {payload['test_nll_mean']:.3f} nats/char "
      f"({seconds:.0f} s training, {payload['seconds_per_epoch'] or 0:.1f} s/epoch)")
