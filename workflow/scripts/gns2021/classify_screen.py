"""Snakemake script: the screen of one test episode (``gns2021.classify.screen``; issue 26): every
parse refitted to every image of the other side, both directions, for ``screen.at`` iterations;
each test item's ``screen.keep`` best classes by the two-way score (Eq. 5) are what the refits
then fit fully (:func:`charchallenge.gns2021.classify.screened_classes`). Checked on validation
episodes by ``gns2021_classify_screening``."""

from pathlib import Path

import torch

from charchallenge.data.episodes import load_run
from charchallenge.device import resolve_device
from charchallenge.gns2021.classify import RefitParams, parse_score_table, refit_grid, screened_classes
from charchallenge.gns2021.episode_images import fitted_episode
from charchallenge.gns2021.runtime import reproducible
from charchallenge.io import save_torch
from charchallenge.joblog import log_to_file
from charchallenge.provenance import device_description

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
cp = run["gns2021"]["classify"]
screen = cp["screen"]
torch.set_num_threads(smk.threads)
reproducible(run["seed"])
episode = load_run(Path(smk.input.episodes) / smk.wildcards.episode)
saved = torch.load(smk.input.parses, weights_only=False)
device = resolve_device(run["gns2021"]["device"])
images, fitted, owner, n_train = fitted_episode(saved, episode, device)
train, test = list(range(n_train)), list(range(n_train, len(images)))
refit = RefitParams(**{**cp["refit"], "iterations": screen["at"]})
fwd = refit_grid(fitted, owner, images, train, test, cp["k"], refit, progress=True)
rev = refit_grid(fitted, owner, images, test, train, cp["k"], refit, progress=True)
kept = screened_classes(parse_score_table(saved["fitted"], owner, cp["k"]), n_train, fwd["scores"], rev["scores"],
                        screen["keep"])
seconds = fwd["seconds"] + rev["seconds"]
save_torch(smk.output[0], {"kept": kept, "at": screen["at"], "keep": screen["keep"],
                           "pairs": fwd["pairs"] + rev["pairs"], "seconds": seconds,
                           "device": device_description(device)})
print(f"{episode.name}: screen of {fwd['pairs'] + rev['pairs']} refits of {screen['at']} iterations in {seconds:.0f} s, "
      f"{screen['keep']} of {n_train} classes kept per test item")
