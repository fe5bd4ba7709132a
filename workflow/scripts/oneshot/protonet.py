"""Snakemake script: the prototypical network (trained by ``oneshot_protonet_train``) on every
shared episode: each test image goes to the training image with the nearest embedding; one row
per run, and the model's label, time (training and classification) and hardware."""

import time
from pathlib import Path

import torch

from charchallenge.data.episodes import load_runs
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.oneshot.episode_set import episode_set_of
from charchallenge.oneshot.protonet import ConvEmbedding, classify, downsample
from charchallenge.oneshot.scoring import episode_errors
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
torch.set_num_threads(smk.threads)
saved = torch.load(smk.input.model, weights_only=False)
pn = saved["params"]
model = ConvEmbedding(pn["channels"], pn["blocks"])
model.load_state_dict(saved["state_dict"])
start = time.time()
table = episode_errors(load_runs(Path(smk.input.episodes)),
                       lambda e: classify(model, downsample(e.test_images(), pn["image_size"]),
                                          downsample(e.train_images(), pn["image_size"])))
seconds = time.time() - start
write_csv(smk.output.runs, table)
prov = provenance(run["scale"], run["seed"], "cpu")
write_json(smk.output.info, {
    "label": "Prototypical network (Conv-4, trained here)", "scale": run["scale"],
    "episodes": episode_set_of(smk.input.episodes), "seconds": round(seconds + saved["train_seconds"], 2),
    "classify_seconds": round(seconds, 2), "train_seconds": round(saved["train_seconds"], 2),
    "stopped": saved["stopped"], "episodes_trained": saved["episodes"], "best_val_error": saved["best_val_error"],
    "device": prov["device"], "provenance": prov})
print(table.to_string(index=False))
print(f"error {(table.error * table.trials).sum() / table.trials.sum():.1f}% over {table.trials.sum()} trials "
      f"(classified in {seconds:.1f} s; trained in {saved['train_seconds']:.0f} s, stopped on {saved['stopped']})")
