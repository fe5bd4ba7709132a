"""Snakemake script: DooD on every shared one-shot episode (Liang et al. 2022, Table 1): each test
image goes to the training image of highest posterior-predictive score
(:func:`charchallenge.dood2022.classify.classify_episodes`); one row per run and the model's label,
time and hardware, a row of the one-shot leaderboard."""

import time
from pathlib import Path

import torch

from charchallenge.data.episodes import load_runs
from charchallenge.dood2022.classify import classify_episodes, pooled_error
from charchallenge.dood2022.token import TokenModel
from charchallenge.dood2022.train import load_model
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.oneshot.episode_set import episode_set_of
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
d = run["dood2022"]
c = d["classify"]
torch.set_num_threads(smk.threads)
model, saved = load_model(smk.input.model)
token_model = TokenModel(**d["token"])
start = time.time()
table = classify_episodes(model, load_runs(Path(smk.input.episodes)), token_model, d["image_size"], c, run["seed"])
seconds = time.time() - start
write_csv(smk.output.runs, table)
prov = provenance(run["scale"], run["seed"], "cpu")
error = pooled_error(table)
write_json(smk.output.info, {
    "error_percent": round(error, 2), "accuracy_percent": round(100 - error, 2), "paper_accuracy_percent": 73.5,
    "label": f"DooD (posterior predictive, forward only; trained here on {saved['dataset']})",
    "scale": run["scale"], "episodes": episode_set_of(smk.input.episodes),
    "seconds": round(seconds + saved["train_seconds"], 2), "classify_seconds": round(seconds, 2),
    "train_seconds": round(saved["train_seconds"], 2), "stopped": saved["stopped"], "k": c["k"],
    "iterations": c["iterations"], "device": prov["device"], "provenance": prov})
print(table.to_string(index=False))
print(f"error {error:.1f}% over {table.trials.sum()} trials "
      f"(classified in {seconds:.1f} s)")
