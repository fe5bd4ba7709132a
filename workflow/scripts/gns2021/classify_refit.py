"""Snakemake script: refits of one episode in one direction (Feinman & Lake 2021, Eq. 4-5):
``forward``: every training image's parses refitted to every test image; ``reverse``: every test
image's parses to every training image. All pairs in one batch
(:func:`charchallenge.gns2021.classify.refit_tokens`). Saved as (conditioning image, target image,
parse rank) arrays of scores, the final ones and those at ``record_at`` iterations."""

import time
from pathlib import Path

import numpy as np
import torch

from charchallenge.data.episodes import load_run
from charchallenge.feinman2020.data import resolve_device
from charchallenge.gns2021.classify import RefitParams, refit_tokens
from charchallenge.io import save_torch
from charchallenge.joblog import log_to_file
from charchallenge.provenance import device_description

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
cp = run["gns2021"]["classify"]
torch.set_num_threads(smk.threads)
episode = load_run(Path(smk.input.episodes) / smk.wildcards.episode)
saved = torch.load(smk.input.parses, weights_only=False)
device = resolve_device(run["gns2021"]["device"])
fitted, owner, n_train = saved["fitted"].to(device), np.asarray(saved["owner"]), saved["n_train"]
images = np.concatenate([episode.train_images(), episode.test_images()]) > 0.5
train, test = list(range(n_train)), list(range(n_train, len(images)))
conditioning, targets = (train, test) if smk.wildcards.direction == "forward" else (test, train)
k = cp["k"]
ranks = {i: np.flatnonzero(owner == i).tolist() for i in conditioning}  # parse rows of each image, by fit order

rows, target_images, where = [], [], []
for a, i in enumerate(conditioning):
    for r, row in enumerate(ranks[i]):
        for b, j in enumerate(targets):
            rows.append(row)
            target_images.append(images[j])
            where.append((a, b, r))
record_at = sorted(it for it in cp["record_at"] if it < cp["refit"]["iterations"])
recorded = {it: [] for it in record_at}
start = time.time()
scores = refit_tokens(fitted, rows, torch.tensor(np.stack(target_images), dtype=torch.float32),
                      RefitParams(**cp["refit"]), progress=True, recorded=recorded)
seconds = time.time() - start


def grid(values):
    out = torch.zeros(len(conditioning), len(targets), k, dtype=torch.float64)  # missing parse: weight 0 later
    a, b, r = (torch.as_tensor(x) for x in zip(*where))
    out[a, b, r] = values.cpu()
    return out


save_torch(smk.output[0], {"scores": grid(scores), "recorded": {it: grid(torch.cat(v)) for it, v in recorded.items()},
                           "direction": smk.wildcards.direction, "pairs": len(rows), "seconds": seconds,
                           "iterations": cp["refit"]["iterations"], "device": device_description(device)})
print(f"{episode.name} {smk.wildcards.direction}: {len(rows)} refits in {seconds:.0f} s")
