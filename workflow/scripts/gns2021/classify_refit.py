"""Snakemake script: refits of one episode in one direction (Feinman & Lake 2021, Eq. 4-5):
``forward``: every training image's parses refitted to every test image; ``reverse``: every test
image's parses to every training image. All pairs in one batch
(:func:`charchallenge.gns2021.classify.refit_grid`); with a screen (``gns2021.classify.screen``),
only the pairs of the classes it kept for each test item. Saved as (conditioning image, target image,
parse rank) arrays of scores, the final ones and those at ``record_at`` iterations."""

from pathlib import Path

import torch

from charchallenge.data.episodes import load_run
from charchallenge.device import resolve_device
from charchallenge.gns2021.classify import RefitParams, refit_grid
from charchallenge.gns2021.episode_images import fitted_episode
from charchallenge.gns2021.runtime import reproducible
from charchallenge.io import save_torch
from charchallenge.joblog import log_to_file
from charchallenge.provenance import device_description

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
cp = run["gns2021"]["classify"]
torch.set_num_threads(smk.threads)
reproducible(run["seed"])
episode = load_run(Path(smk.input.episodes) / smk.wildcards.episode)
saved = torch.load(smk.input.parses, weights_only=False)
device = resolve_device(run["gns2021"]["device"])
images, fitted, owner, n_train = fitted_episode(saved, episode, device)
train, test = list(range(n_train)), list(range(n_train, len(images)))
conditioning, targets = (train, test) if smk.wildcards.direction == "forward" else (test, train)
mask = None
if smk.input.screen:  # kept (test items, classes): forward rows are training images, reverse rows test images
    kept = torch.load(smk.input.screen[0], weights_only=False)["kept"]
    mask = kept.T if smk.wildcards.direction == "forward" else kept
out = refit_grid(fitted, owner, images, conditioning, targets, cp["k"], RefitParams(**cp["refit"]), cp["record_at"],
                 progress=True, mask=mask)
save_torch(smk.output[0], {**out, "direction": smk.wildcards.direction, "iterations": cp["refit"]["iterations"],
                           "device": device_description(device)})
print(f"{episode.name} {smk.wildcards.direction}: {out['pairs']} refits in {out['seconds']:.0f} s")
